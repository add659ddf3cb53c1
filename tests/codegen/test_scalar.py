"""compile_expr: numbers against independent references, vectorised calls, options, errors.

References are written independently of the code generator: the same physics formula
typed by hand in complex form (NumPy, and mpmath at 30 digits), never the expanded
SymPy expression that is compiled.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from numba import njit

from qderive.codegen import KernelCheckError, compile_expr

W = sp.Symbol("omega", real=True)
DA, DB, DC = sp.symbols("Delta_a Delta_b Delta_c", real=True)
KAE, KA0, KB, KCE, KC0, GAB, GBC = sp.symbols("kappa_ae kappa_a0 kappa_b kappa_ce kappa_c0 g_ab g_bc",
                                            positive=True)
CHAIN_ARGS = [W, DA, DB, DC, KAE, KA0, KB, KCE, KC0, GAB, GBC]


def _chain_denominator():
    ca = (KAE + KA0) / 2 - sp.I * (W + DA)
    cb = KB / 2 - sp.I * (W + DB)
    cc = (KCE + KC0) / 2 - sp.I * (W + DC)
    return ca, cb, cc, ca * cb * cc + GAB**2 * cc + GBC**2 * ca


def efficiency_expr():
    """|t|^2 of a three-mode chain with |D|^2 expanded into real polynomials (~200 ops),
    as a derivation produces it."""
    *_, d = _chain_denominator()
    d_re, d_im = sp.expand(d).as_real_imag()
    return KAE * KCE * GAB**2 * GBC**2 / (d_re**2 + d_im**2), (d_re, d_im)


def reflection_expr():
    ca, cb, cc, d = _chain_denominator()
    return 1 - KAE * (cb * cc + GBC**2) / d


def chain_by_hand(w, da, db, dc, kae, ka0, kb, kce, kc0, gab, gbc):
    """The same physics typed by hand (complex susceptibilities); works for numpy and mpmath."""
    ca = (kae + ka0) / 2 - 1j * (w + da)
    cb = kb / 2 - 1j * (w + db)
    cc = (kce + kc0) / 2 - 1j * (w + dc)
    d = ca * cb * cc + gab**2 * cc + gbc**2 * ca
    return kae * kce * gab**2 * gbc**2 / abs(d) ** 2, 1 - kae * (cb * cc + gbc**2) / d


def chain_points(n, seed=7):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-2, 2, n) for _ in range(4)] + [rng.uniform(0.5, 2, n) for _ in range(7)]


@pytest.fixture(scope="module")
def efficiency():
    return compile_expr(efficiency_expr()[0], CHAIN_ARGS, name="efficiency")


@pytest.fixture(scope="module")
def reflection():
    return compile_expr(reflection_expr(), CHAIN_ARGS, name="reflection")


def test_real_rate_matches_hand_formula(efficiency):
    assert efficiency.dtype == np.float64  # real although SymPy's is_real is None
    assert efficiency.max_rel_error < 1e-13
    points = chain_points(5000)
    expected, _ = chain_by_hand(*points)
    assert np.max(np.abs(efficiency(*points) - expected) / expected) < 1e-12


def test_complex_amplitude_matches_30_digit_reference(reflection):
    assert reflection.dtype == np.complex128
    points = chain_points(100, seed=3)
    got = reflection(*points)
    with mpmath.workdps(30):
        for i in range(100):
            _, exact = chain_by_hand(*(mpmath.mpf(float(p[i])) for p in points))
            assert abs(got[i] - complex(exact)) <= 1e-12 * abs(exact)


def test_near_resonance_error_is_bounded_by_the_condition_number(efficiency):
    """At a normal mode with tiny losses |D| -> 0 while its expanded terms stay O(1): the
    polynomials cancel, so the attainable accuracy is cond * eps, with
    cond = sum|terms| / |sum| computed at 30 digits.  The kernel must reach it."""
    _, (d_re, d_im) = efficiency_expr()
    for loss in (1e-3, 1e-5, 1e-7):
        # no detunings, g_ab = g_bc = 1: D ~ i omega (omega^2 - 2) + O(loss), zero at sqrt(2)
        values = [np.sqrt(2), 0.0, 0.0, 0.0, loss, loss, loss, loss, loss, 1.0, 1.0]
        subs = dict(zip(CHAIN_ARGS, values, strict=True))
        with mpmath.workdps(30):
            exact, _ = chain_by_hand(*(mpmath.mpf(v) for v in values))
            cond = max(sum(abs(sp.N(t.xreplace(subs), 30)) for t in part.args)
                       / max(abs(sp.N(part.xreplace(subs), 30)), 1e-300) for part in (d_re, d_im))
        got = efficiency(*values)
        assert cond > 0.1 / loss  # genuinely near-singular
        assert abs(got - float(exact)) / float(exact) <= 8 * float(cond) * 2.2e-16


def test_lorentzian_peak_and_pole_are_accurate():
    delta, y = sp.symbols("delta y", real=True)
    g, kappa = sp.symbols("g kappa", positive=True)
    f = compile_expr(g**2 / (delta**2 + kappa**2 / 4) + 1 / (delta - y), [delta, y, g, kappa],
                     domains={y: (3, 4)})
    kappa_values = np.array([1e-8, 1e-4, 1.0])
    got = f(0.0, 1.0, 2.0, kappa_values) - (-1.0)  # 1/(0 - 1) = -1 is exact
    assert np.allclose(got, 16 / kappa_values**2, rtol=1e-15, atol=0)
    y0 = 1.0 + 2.0**-40  # x - y exact in binary: 1/(x - y) is exact even this close to the pole
    assert f(1.0, y0, 0.0, 1.0) == -(2.0**40)
    assert np.isinf(f(1.0, 1.0, 0.0, 1.0))  # at the pole itself: inf, not an exception


def test_broadcasting_like_numpy(reflection):
    points = chain_points(12)
    column = [p[:3].reshape(3, 1) for p in points[:2]]
    row = [p[:4].reshape(1, 4) for p in points[2:4]]
    scalars = [float(p[0]) for p in points[4:]]
    got = reflection(*column, *row, *scalars)
    assert got.shape == (3, 4)
    b = np.broadcast_arrays(*column, *row, *scalars)
    _, expected = chain_by_hand(*b)
    assert np.allclose(got, expected, rtol=1e-12, atol=0)
    one = reflection(*[float(p[0]) for p in points])
    assert np.ndim(one) == 0
    assert one == pytest.approx(chain_by_hand(*[p[0] for p in points])[1], rel=1e-12)


def test_vectorised_call_edge_cases(efficiency):
    points = chain_points(50)
    expected = efficiency(*points)
    readonly = [p.copy() for p in points]
    for p in readonly:
        p.flags.writeable = False
    assert np.array_equal(efficiency(*readonly), expected)
    strided = [np.repeat(p, 2)[::2] for p in points]  # non-contiguous views
    assert np.array_equal(efficiency(*strided), expected)
    out = np.empty(50)
    assert efficiency(*points, out=out) is out and np.array_equal(out, expected)
    assert np.array_equal(efficiency(*[list(p) for p in points]), expected)
    with pytest.raises(ValueError, match="C-contiguous float64 array of shape"):
        efficiency(*points, out=np.empty(49))
    with pytest.raises(TypeError, match="takes 11 argument"):
        efficiency(*points[:3])
    with pytest.raises(TypeError, match="complex values but is a real"):
        efficiency(points[0] + 1j, *points[1:])


def test_scalar_kernel_and_use_from_user_numba_code(efficiency):
    point = [float(p[0]) for p in chain_points(1)]
    assert efficiency.scalar(*point) == efficiency(*point)
    scalar = efficiency.scalar

    @njit
    def peak(omegas, r):
        best = 0.0
        for w in omegas:
            best = max(best, scalar(w, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]))
        return best

    omegas = np.linspace(-2, 2, 101)
    rest = tuple(point[1:])
    assert peak(omegas, rest) == np.max(efficiency(omegas, *rest))


def test_parallel_loop_gives_identical_numbers():
    x, y = sp.symbols("x y", real=True)
    expr = sp.exp(-x**2) * sp.cos(3 * y) / (1 + x**2 + y**2)
    serial = compile_expr(expr, [x, y], name="bump")
    parallel = compile_expr(expr, [x, y], name="bump", parallel=True)
    assert serial.cache_key != parallel.cache_key and "prange(" in parallel.source
    assert serial.parallel_loop is None and "prange(" not in serial.source
    xs = np.linspace(-3, 3, 20001)
    assert np.array_equal(serial(xs, 0.3), parallel(xs, 0.3))
    threaded = np.empty_like(xs)
    parallel.parallel_loop(xs, np.full_like(xs, 0.3), threaded)  # the loop large calls run
    assert np.array_equal(threaded, serial(xs, 0.3))


def test_parallel_kernel_runs_its_threads_only_for_large_calls(monkeypatch):
    from qderive.codegen import kernel as kernel_module

    x = sp.symbols("x", real=True)
    parallel = compile_expr(sp.sin(x) ** 2, [x], name="sine_squared", parallel=True)
    calls = []
    for name in ("loop", "parallel_loop"):
        compiled = getattr(parallel, name)
        monkeypatch.setattr(parallel, name, lambda *a, _c=compiled, _n=name: (calls.append(_n), _c(*a))[1])
    monkeypatch.setattr(kernel_module, "PARALLEL_MIN_POINTS", 50)
    for count in (49, 50):
        xs = np.linspace(0, 1, count)
        np.testing.assert_allclose(parallel(xs), np.sin(xs) ** 2, rtol=1e-14)
    assert calls == ["loop", "parallel_loop"]


def test_dtype_inference_and_override():
    x = sp.Symbol("x", real=True)
    assert compile_expr(sp.sqrt(x) + 1, [x]).dtype == np.complex128
    assert compile_expr(sp.sqrt(x) + 1, [x])(-4.0) == 1 + 2j  # as SymPy: sqrt(-4) = 2i
    real_part = compile_expr(sp.re(sp.sqrt(x)) + x, [x])
    assert real_part.dtype == np.float64 and real_part(-4.0) == -4.0 and real_part(4.0) == 6.0
    forced = compile_expr(sp.cos(x) ** 2, [x], dtype="complex128")
    assert forced.dtype == np.complex128 and forced(0.0) == 1.0
    with pytest.raises(KernelCheckError, match="disagrees with the 30-digit reference"):
        compile_expr(sp.exp(sp.I * x), [x], dtype=float)  # imaginary part cannot be dropped


def test_check_failure_reports_and_tolerance_can_be_loosened():
    x = sp.Symbol("x", real=True)
    vanishing = sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1  # zero up to rounding: no relative accuracy
    with pytest.raises(KernelCheckError, match="max relative error .* worst point"):
        compile_expr(vanishing, [x])
    loose = compile_expr(vanishing, [x], atol=1e-15)
    assert loose.check.passed and loose.check.max_abs_error <= 1e-15


def test_sampling_domains():
    x, n = sp.Symbol("x", real=True), sp.Symbol("n", integer=True)
    f = compile_expr(sp.log(x - 10) * sp.KroneckerDelta(n, 2), [x, n], domains={"x": (11, 12), n: (2, 3)},
                     n_points=20)
    assert f.dtype == np.complex128 and f.check.n_points == 20
    assert f(np.e**2 + 10, 2.0) == pytest.approx(2.0, rel=1e-15) and f(12.0, 3.0) == 0
    with pytest.raises(ValueError, match="not arguments"):
        compile_expr(x, [x], domains={"y": (0, 1)})


def test_complex_pole_gives_nan_not_an_exception():
    x, y = sp.symbols("x y", real=True)
    f = compile_expr(x / (x + sp.I * y) + 1 / (y - 1), [x, y], domains={y: (2, 3)})
    assert "complex_divide(" in f.source
    values = f(np.array([0.0, 1.0]), np.array([0.0, 0.0]))
    assert np.isnan(values[0]) and values[1] == 0  # 1/(1 + 0i) - 1
