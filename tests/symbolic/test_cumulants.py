"""The cumulant rule against its definition and against states where it is exact, with explicit matrices."""

import numpy as np
import pytest
import scipy.linalg
import sympy as sp

from qderive.symbolic import AlgebraError, BosonMode, Expectation, NLevelSystem, cumulant_expansion, joint_cumulant

MODE, ATOM = BosonMode("a"), NLevelSystem("s", ("g", "e"))
CUTOFF = 40
LOWER = np.diag(np.sqrt(np.arange(1, CUTOFF)), 1)


def matrix(monomial):
    """The monomial as a matrix on atom (x) mode (independent of the symbolic algebra)."""
    atom, mode = np.eye(2), np.eye(CUTOFF)
    for system, (p, q) in monomial:
        if system == ATOM:
            atom = np.zeros((2, 2))
            atom[p, q] = 1.0
        else:
            mode = np.linalg.matrix_power(LOWER.T, p) @ np.linalg.matrix_power(LOWER, q)
    return np.kron(atom, mode)


def evaluate(expr, rho):
    values = {x: complex(np.trace(rho @ matrix(x.monomial))) for x in sp.sympify(expr).atoms(Expectation)}
    return complex(sp.sympify(expr).xreplace(values))


def mono(atom=None, mode=None):
    return tuple(f for f in ((ATOM, atom), (MODE, mode)) if f[1] is not None)


PRODUCTS = [mono(atom=(1, 1), mode=(1, 1)), mono(atom=(0, 1), mode=(1, 1)), mono(mode=(2, 1)),   # 3 operators
            mono(mode=(2, 2)), mono(atom=(1, 0), mode=(1, 2)), mono(atom=(1, 1), mode=(2, 1))]  # 4 operators


def random_state(seed):
    rng = np.random.default_rng(seed)
    d = 2 * 6
    x = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    small = x @ x.conj().T
    small /= np.trace(small)
    rho = np.zeros((2 * CUTOFF, 2 * CUTOFF), complex)     # populate the lowest 6 Fock states of each atom level
    index = np.concatenate([np.arange(6), CUTOFF + np.arange(6)])
    rho[np.ix_(index, index)] = small
    return rho


@pytest.mark.parametrize("monomial", PRODUCTS)
def test_expansion_drops_exactly_the_top_cumulant(monomial):
    """<X1..Xn> - (expansion of order n-1) = kappa_n by the partition definition, for any state."""
    n = sum(p + q if s == MODE else 1 for s, (p, q) in monomial)
    rho = random_state(n)
    moment = complex(np.trace(rho @ matrix(monomial)))
    dropped = moment - evaluate(cumulant_expansion(monomial, n - 1), rho)
    assert dropped == pytest.approx(evaluate(joint_cumulant(monomial), rho), abs=1e-12)
    assert abs(dropped) > 1e-3     # the random state has a genuine top cumulant


def gaussian_times_atom(alpha, thermal, squeeze):
    """Displaced squeezed thermal mode (Gaussian) times a mixed atom: a product state."""
    k = np.arange(CUTOFF)
    weights = (thermal / (1 + thermal)) ** k / (1 + thermal)
    a = LOWER
    squeezer = scipy.linalg.expm((np.conj(squeeze) * a @ a - squeeze * a.T @ a.T) / 2)
    displacer = scipy.linalg.expm(alpha * a.T - np.conj(alpha) * a)
    mode = displacer @ squeezer @ np.diag(weights) @ squeezer.conj().T @ displacer.conj().T
    atom = np.array([[0.7, 0.2 - 0.1j], [0.2 + 0.1j, 0.3]])
    return np.kron(atom, mode)


@pytest.mark.parametrize("monomial", PRODUCTS)
def test_order_two_is_exact_for_a_gaussian_mode_times_an_atom(monomial):
    rho = gaussian_times_atom(0.6 - 0.3j, 0.2, 0.15)
    exact = complex(np.trace(rho @ matrix(monomial)))
    assert evaluate(cumulant_expansion(monomial, 2), rho) == pytest.approx(exact, rel=1e-9)


def test_order_one_is_exact_for_a_coherent_state_and_not_for_a_thermal_one():
    monomial = mono(atom=(0, 1), mode=(2, 1))
    coherent = gaussian_times_atom(0.8 + 0.4j, 0.0, 0.0)
    assert evaluate(cumulant_expansion(monomial, 1), coherent) == pytest.approx(
        complex(np.trace(coherent @ matrix(monomial))), rel=1e-9)
    thermal = gaussian_times_atom(0.8 + 0.4j, 0.5, 0.0)
    exact = complex(np.trace(thermal @ matrix(monomial)))
    assert abs(evaluate(cumulant_expansion(monomial, 1), thermal) - exact) > 0.1 * abs(exact)


def test_bad_order():
    with pytest.raises(AlgebraError, match="order"):
        cumulant_expansion(mono(mode=(1, 1)), 0)
