r"""Selection rules from angular overlaps, discrete site sums and circular polarisation components.

* ``int_0^{2 pi} e^{i n phi} dphi = 2 pi delta_{n,0}``;
* ``sum_{k=0}^{N-1} e^{i n 2 pi k / N} = N sum_q delta_{n, qN}``;
* ``e_+- = (x +- i y)/sqrt 2``; the component of a vector ``v`` along ``e_+-`` is ``e_+-^* . v``.

A source term ``P(phi) = sum_n c_n e^{i n phi}`` radiates into orbital angular momentum ``l`` when
the overlap with ``e^{i l phi}`` survives: ``l = n`` for a smooth ring, ``l = n - qN`` for ``N`` sites.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .errors import ModelError

PHI = sp.Symbol("phi", real=True)


def angular_overlap(n: sp.Expr) -> sp.Expr:
    """``int_0^{2 pi} e^{i n phi} dphi`` for integer ``n``, as ``2 pi delta_{n,0}`` (SymPy's integral).

    Examples
    --------
    >>> angular_overlap(0), angular_overlap(3)
    (2*pi, 0)
    >>> angular_overlap(sp.Symbol("n", integer=True))
    2*pi*KroneckerDelta(0, n)
    """
    value = sp.integrate(sp.exp(sp.I * n * PHI), (PHI, 0, 2 * sp.pi))
    if isinstance(value, sp.Piecewise):  # symbolic n: (2 pi, Eq(n, 0)), (0, True)
        return 2 * sp.pi * sp.KroneckerDelta(n, 0)
    return sp.simplify(value)


def site_sum(n: sp.Expr, N: sp.Expr) -> sp.Expr:
    """``sum_k e^{i n 2 pi k / N}``: ``N`` when ``N`` divides ``n``, else 0 (``N sum_q delta_{n,qN}``).

    Examples
    --------
    >>> site_sum(6, 3), site_sum(4, 3)  # 3 divides 6 but not 4
    (3, 0)
    """
    k = sp.Symbol("k", integer=True, nonnegative=True)
    if sp.sympify(n).is_integer and sp.sympify(N).is_Integer and sp.sympify(n).is_number:
        return sp.nsimplify(sp.simplify(sp.summation(sp.exp(2 * sp.pi * sp.I * n * k / N), (k, 0, N - 1))))
    return N * sp.KroneckerDelta(sp.Mod(n, N), 0)


def circular_components(vector: sp.Matrix) -> dict[str, sp.Expr]:
    """Components of ``(v_x, v_y, v_z)`` along ``e_+``, ``e_-`` and ``z``.

    Examples
    --------
    >>> c = circular_components(sp.Matrix([1, sp.I, 0]))  # x + i y = sqrt(2) e_+
    >>> c["+"], c["-"], c["z"]
    (sqrt(2), 0, 0)
    """
    if vector.shape != (3, 1):
        raise ModelError(f"circular_components takes a 3-vector, got shape {vector.shape}")
    vx, vy, vz = vector
    return {"+": sp.expand((vx - sp.I * vy) / sp.sqrt(2)), "-": sp.expand((vx + sp.I * vy) / sp.sqrt(2)), "z": vz}


def angular_harmonics(expr: sp.Expr, phi: sp.Symbol = PHI) -> dict[sp.Expr, sp.Expr]:
    """Fourier content ``{n: c_n}`` of ``expr = sum_n c_n e^{i n phi}`` (``n`` may contain symbols like ``m``).

    Examples
    --------
    >>> m = sp.Symbol("m", integer=True)
    >>> angular_harmonics(sp.cos(2 * PHI))  # cos 2 phi = (e^{2 i phi} + e^{-2 i phi}) / 2
    {-2: 1/2, 2: 1/2}
    >>> angular_harmonics(3 * sp.exp(sp.I * m * PHI))
    {m: 3}
    """
    expanded = sp.expand(sp.powsimp(sp.expand(sp.sympify(expr).rewrite(sp.exp)), combine="exp"))
    harmonics: dict[sp.Expr, sp.Expr] = {}
    for term in sp.Add.make_args(expanded):
        n, coefficient = sp.S.Zero, sp.S.One
        for factor in sp.Mul.make_args(term):
            if isinstance(factor, sp.exp) and phi in factor.free_symbols:
                argument = sp.expand(factor.args[0])
                slope = argument.coeff(phi)
                if phi in (argument - slope * phi).free_symbols or phi in slope.free_symbols:
                    raise ModelError(f"{factor} is not of the form e^(i n phi)")
                n += sp.simplify(slope / sp.I)
                coefficient *= sp.exp(argument - slope * phi)
            else:
                coefficient *= factor
        if phi in coefficient.free_symbols:
            raise ModelError(f"term {term} is not of the form c e^(i n phi)")
        harmonics[n] = harmonics.get(n, 0) + coefficient
    return {n: sp.simplify(c) for n, c in harmonics.items() if sp.simplify(c) != 0}


@dataclass(frozen=True)
class Channel:
    """One allowed row of :func:`allowed_channels`: circular ``component`` (``"+"``, ``"-"``, ``"z"``) of the
    polarisation, its angular ``harmonic`` ``n``, the output OAM ``output_l`` it radiates into, the
    ``amplitude`` ``c_n`` and the ``condition`` (smooth ring or discrete sites) that selects it.

    Examples
    --------
    >>> row = Channel("+", sp.Integer(2), sp.Integer(2), sp.Integer(1), "smooth ring: delta_{l,n}")
    >>> row.output_l == row.harmonic  # a smooth ring conserves the angular momentum
    True
    """

    component: str
    harmonic: sp.Expr
    output_l: sp.Expr
    amplitude: sp.Expr
    condition: str


def allowed_channels(
    polarisation: sp.Matrix, sites: int | sp.Symbol | None = None, phi: sp.Symbol = PHI
) -> list[Channel]:
    """Table of allowed output OAM ``l`` per circular component of a nonlinear polarisation ``P(phi)``.

    For a smooth ring the overlap ``int e^{i (n - l) phi}`` forces ``l = n``; for ``sites`` discrete
    sites the site sum forces ``l = n - q N`` with integer harmonic order ``q``.

    Examples
    --------
    >>> rows = allowed_channels(sp.Matrix([sp.cos(PHI), sp.sin(PHI), 0]))  # radial polarisation
    >>> sorted((r.component, r.output_l) for r in rows)  # e_+^* . v = e^{-i phi} / sqrt 2: l = -1
    [('+', -1), ('-', 1)]
    """
    q = sp.Symbol("q", integer=True)
    rows = []
    for component, value in circular_components(polarisation).items():
        for n, c in angular_harmonics(value, phi).items():
            if sites is None:
                rows.append(Channel(component, n, n, c, "smooth ring: delta_{l,n}"))
            else:
                rows.append(Channel(component, n, n - q * sites, c, f"N = {sites} sites: delta_(n - l, qN), q integer"))
    return rows


_CONTRACTED = {(0, 0): 0, (1, 1): 1, (2, 2): 2, (1, 2): 3, (2, 1): 3, (0, 2): 4, (2, 0): 4, (0, 1): 5, (1, 0): 5}


def d_tensor_3m(d22: sp.Expr, d31: sp.Expr, d33: sp.Expr) -> sp.MutableDenseNDimArray:
    """``d_ijk`` of point group 3m (LiNbO3, mirror normal to x, Kleinman symmetry ``d15 = d31``).

    Contracted form: ``[[0, 0, 0, 0, d31, -d22], [-d22, d22, 0, d31, 0, 0], [d31, d31, d33, 0, 0, 0]]``.

    Examples
    --------
    >>> d22, d31, d33 = sp.symbols("d22 d31 d33")
    >>> d = d_tensor_3m(d22, d31, d33)
    >>> d[2, 2, 2], d[0, 0, 2], d[1, 1, 1], d[0, 0, 1] == d[0, 1, 0]  # d33, d15 = d31, d22, symmetric in j, k
    (d33, d31, d22, True)
    """
    contracted = sp.Matrix([[0, 0, 0, 0, d31, -d22], [-d22, d22, 0, d31, 0, 0], [d31, d31, d33, 0, 0, 0]])
    d = sp.MutableDenseNDimArray.zeros(3, 3, 3)
    for i in range(3):
        for (j, k), column in _CONTRACTED.items():
            d[i, j, k] = contracted[i, column]
    return d


def nonlinear_polarisation(d: sp.MutableDenseNDimArray, field_1: sp.Matrix, field_2: sp.Matrix) -> sp.Matrix:
    """``P_i = sum_jk d_ijk E1_j E2_k`` (the constant ``2 eps0`` left out).

    Examples
    --------
    >>> d22, d31, d33 = sp.symbols("d22 d31 d33")
    >>> nonlinear_polarisation(d_tensor_3m(d22, d31, d33), sp.Matrix([0, 0, 1]), sp.Matrix([0, 0, 1])).T  # z z -> d33
    Matrix([[0, 0, d33]])
    """
    return sp.Matrix(
        [sp.expand(sum(d[i, j, k] * field_1[j] * field_2[k] for j in range(3) for k in range(3))) for i in range(3)]
    )
