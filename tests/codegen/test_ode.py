"""compile_ode: the real lowering against the complex formula, the Jacobian against finite differences, the cache."""

import numpy as np
import pytest
import sympy as sp

from qderive.codegen import CodegenError, InvalidArgumentsError, compile_ode

z = sp.Symbol("z", complex=True)
z_conj = sp.Symbol("zc", complex=True)      # stands for conj(z)
w = sp.Symbol("w", real=True)
k, d, g = sp.Symbol("k", positive=True), sp.Symbol("d", real=True), sp.Symbol("g", positive=True)
RHS = [-(k + sp.I * d) * z + sp.I * g * w * z_conj**2 + 1, -k * w + sp.I * g * (z - z_conj) * w]


def complex_formula(zv, wv, kv, dv, gv):
    return [-(kv + 1j * dv) * zv + 1j * gv * wv * np.conj(zv) ** 2 + 1, -kv * wv + 1j * gv * (zv - np.conj(zv)) * wv]


@pytest.fixture(scope="module")
def ode(tmp_path_factory):
    return compile_ode(RHS, [z, w], [k, d, g], conjugates={z_conj: z}, cache_dir=tmp_path_factory.mktemp("ode"))


def test_real_rhs_matches_the_complex_formula(ode):
    rng = np.random.default_rng(1)
    for _ in range(5):
        zv, wv = complex(*rng.normal(size=2)), rng.normal()
        p = np.array([0.7, -0.3, 1.3])
        out = np.empty(ode.size)
        ode.rhs(out, ode.pack([zv, wv]), p)
        expected = complex_formula(zv, wv, *p)
        assert ode.size == 3
        assert ode.unpack(out) == pytest.approx(np.array(expected), rel=1e-13, abs=1e-13)


def test_jacobian_matches_finite_differences(ode):
    y, p = np.array([0.3, -0.8, 0.5]), np.array([0.7, -0.3, 1.3])
    jac = np.empty((3, 3))
    ode.jacobian(jac, y, p)
    h = 1e-6
    for j in range(3):
        plus, minus = np.empty(3), np.empty(3)
        step = np.zeros(3)
        step[j] = h
        ode.rhs(plus, y + step, p)
        ode.rhs(minus, y - step, p)
        assert jac[:, j] == pytest.approx((plus - minus) / (2 * h), rel=1e-7, abs=1e-8)


def test_second_load_comes_from_the_cache(ode):
    again = compile_ode(RHS, [z, w], [k, d, g], conjugates={z_conj: z}, cache_dir=ode.source_path.parent)
    assert again.from_cache and not ode.from_cache and again.source == ode.source
    assert again.max_rel_error < 1e-12
    y, p = np.array([0.3, -0.8, 0.5]), np.array([0.7, -0.3, 1.3])
    first, second = np.empty(3), np.empty(3)
    ode.rhs(first, y, p)
    again.rhs(second, y, p)
    assert np.array_equal(first, second)


def test_a_damaged_source_is_rebuilt(tmp_path):
    first = compile_ode(RHS, [z, w], [k, d, g], conjugates={z_conj: z}, cache_dir=tmp_path)
    first.source_path.write_text(first.source.replace("out[0] =", "out[0] = 2.0 *"))
    again = compile_ode(RHS, [z, w], [k, d, g], conjugates={z_conj: z}, cache_dir=tmp_path)
    assert not again.from_cache and again.source == first.source


def test_refusals(tmp_path):
    with pytest.raises(InvalidArgumentsError, match="2 right-hand sides for 1"):
        compile_ode(RHS, [z], [k, d, g], cache_dir=tmp_path)
    with pytest.raises(InvalidArgumentsError, match="neither unknowns"):
        compile_ode(RHS, [z, w], [k, d, g], cache_dir=tmp_path)           # zc not declared a conjugate
    with pytest.raises(InvalidArgumentsError, match="complex"):
        compile_ode([z], [z], [sp.Symbol("c", complex=True)], cache_dir=tmp_path)
    with pytest.raises(CodegenError, match="imaginary part"):
        compile_ode([sp.I * w], [w], [], cache_dir=tmp_path)
