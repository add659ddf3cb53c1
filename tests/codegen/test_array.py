"""compile_array: in-place refill of matrices and tensors, checked against references.

The tensor is the benchmark's Liouvillian of a driven three-level system (13 parameters,
about 1400 operations); besides lambdify, it is checked against two properties any
Lindblad generator has, independent of every evaluation path.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from qderive.bench.codegen_bench import drift_tensor_model
from qderive.codegen import InvalidArgumentsError, compile_array


@pytest.fixture(scope="module")
def liouvillian():
    tensor, args = drift_tensor_model()
    return tensor, args, compile_array(tensor, args, name="liouvillian")


def test_tensor_fill_matches_lambdify_and_physics(liouvillian):
    tensor, args, kernel = liouvillian
    assert kernel.shape == (3, 3, 3, 3) and kernel.dtype == np.complex128
    reference = sp.lambdify(args, tensor.tolist(), modules="numpy")
    rng = np.random.default_rng(11)
    out = np.full((3, 3, 3, 3), np.nan + 1j)  # garbage must be overwritten, zeros included
    for _ in range(20):
        point = list(rng.uniform(-2, 2, 2)) + list(rng.uniform(0.1, 3, 2)) + list(rng.uniform(-3, 3, 3)) \
            + list(rng.uniform(0.01, 2, 6))
        assert kernel.fill(out, *point) is out
        expected = np.array(reference(*point), dtype=complex)
        assert np.allclose(out, expected, rtol=1e-13, atol=1e-14 * np.abs(expected).max())
        # independent of any reference evaluation: trace and hermiticity are preserved
        assert np.allclose(np.einsum("iikl->kl", out), 0, atol=1e-13)
        assert np.allclose(out, np.conj(out.transpose(1, 0, 3, 2)), atol=1e-13)


def test_fill_into_strided_view_and_allocating_call(liouvillian):
    _, _, kernel = liouvillian
    point = (0.3, -0.2, 1.1, 0.7, 0.4, 1.3, 0.25, 1.0, 0.8, 0.1, 0.2, 0.05, 0.07)
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
