"""compile_array: in-place refill of matrices and tensors, checked against references."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from qderive.codegen import InvalidArgumentsError, compile_array


def three_level_liouvillian():
    """L[i, j, k, l] with d(rho_ij)/dt = sum_kl L[i, j, k, l] rho_kl for a driven Lambda system."""
    dp, dc = sp.symbols("Delta_p Delta_c", real=True)
    op, oc, g31, g32, gd = sp.symbols("Omega_p Omega_c Gamma_31 Gamma_32 gamma_d", positive=True)
    phi = sp.Symbol("phi", real=True)

    def e(i, j):
        m = sp.zeros(3, 3)
        m[i, j] = 1
        return m

    drive = op * sp.exp(sp.I * phi)
    h = (-dp * e(2, 2) - (dp - dc) * e(1, 1) + (drive * e(2, 0) + sp.conjugate(drive) * e(0, 2)) / 2
         + oc * (e(2, 1) + e(1, 2)) / 2)
    jumps = [sp.sqrt(g31) * e(0, 2), sp.sqrt(g32) * e(1, 2), sp.sqrt(2 * gd) * e(1, 1)]
    tensor = sp.MutableDenseNDimArray.zeros(3, 3, 3, 3)
    for k in range(3):
        for l in range(3):
            rho = e(k, l)
            d = -sp.I * (h * rho - rho * h)
            for c in jumps:
                d += c * rho * c.H - (c.H * c * rho + rho * c.H * c) / 2
            for i in range(3):
                for j in range(3):
                    tensor[i, j, k, l] = sp.expand(d[i, j])
    return tensor, [dp, dc, op, oc, phi, g31, g32, gd]


@pytest.fixture(scope="module")
def liouvillian():
    tensor, args = three_level_liouvillian()
    return tensor, args, compile_array(tensor, args, name="liouvillian")


def test_tensor_fill_matches_lambdify_and_physics(liouvillian):
    tensor, args, kernel = liouvillian
    assert kernel.shape == (3, 3, 3, 3) and kernel.dtype == np.complex128
    reference = sp.lambdify(args, tensor.tolist(), modules="numpy")
    rng = np.random.default_rng(11)
    out = np.full((3, 3, 3, 3), np.nan + 1j)  # garbage must be overwritten, zeros included
    for _ in range(20):
        point = list(rng.uniform(-2, 2, 2)) + list(rng.uniform(0.1, 3, 2)) + [rng.uniform(-3, 3)] \
            + list(rng.uniform(0.01, 2, 3))
        assert kernel.fill(out, *point) is out
        expected = np.array(reference(*point), dtype=complex)
        assert np.allclose(out, expected, rtol=1e-13, atol=1e-14 * np.abs(expected).max())
        # independent of any reference evaluation: trace and hermiticity are preserved
        assert np.allclose(np.einsum("iikl->kl", out), 0, atol=1e-13)
        assert np.allclose(out, np.conj(out.transpose(1, 0, 3, 2)), atol=1e-13)


def test_fill_into_strided_view_and_allocating_call(liouvillian):
    _, _, kernel = liouvillian
    point = (0.3, -0.2, 1.1, 0.7, 0.4, 1.0, 0.8, 0.1)
    fresh = kernel(*point)
    big = np.zeros((2, 3, 3, 3, 3), dtype=complex)
    view = big[1].transpose(1, 0, 2, 3)  # non-contiguous
    kernel.fill(view, *point)
    assert np.array_equal(view, fresh) and not big[0].any()
    with pytest.raises(ValueError, match="complex128 array of shape"):
        kernel.fill(np.empty((3, 3, 3, 3)), *point)


def test_matrix_and_list_inputs():
    w, g = sp.symbols("omega g", positive=True)
    x = sp.Symbol("x", real=True)
    hamiltonian = compile_array(sp.Matrix([[w, g * sp.exp(-x**2)], [g * sp.exp(-x**2), -w]]), [w, g, x],
                                name="H")
    assert hamiltonian.dtype == np.float64 and hamiltonian.shape == (2, 2)
    out = np.empty((2, 2))
    hamiltonian.fill(out, 1.5, 0.25, 0.5)
    off = 0.25 * np.exp(-0.25)
    assert np.array_equal(out, [[1.5, off], [off, -1.5]])
    vector = compile_array([w**2, 0, sp.sqrt(w) * g], [w, g], name="v")
    assert vector.shape == (3,) and np.array_equal(vector(4.0, 3.0), [16.0, 0.0, 6.0])
    nested = compile_array([[w, 0], [0, 0]], [w], name="nested")
    assert nested.shape == (2, 2) and np.array_equal(nested(2.0), [[2.0, 0], [0, 0]])


def test_rejects_non_arrays():
    w = sp.Symbol("w")
    with pytest.raises(InvalidArgumentsError, match="use compile_expr"):
        compile_array(w**2, [w])
    with pytest.raises(InvalidArgumentsError, match="empty array"):
        compile_array([], [w])
