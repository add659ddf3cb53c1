"""Serial and parallel kernel variants agree with each other and with dense references; sizes pick the variant.

References: the Lindblad generator as a dense ``d^2 x d^2`` superoperator
(:func:`~qderive.numeric.kernels.dense_superoperator`, an independent construction) times
``vec X``; batched propagation against dense matrix powers; the thread-free exponential against
:func:`scipy.linalg.expm` and the closed form of a rotation.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sla
import scipy.sparse as sps

from qderive.numeric import kernels, propagator

RNG = np.random.default_rng(7)


def _random(*shape):
    return RNG.normal(size=shape) + 1j * RNG.normal(size=shape)


def _lindblad_case(d: int, n_jumps: int = 2):
    """A random Hermitian ``H`` and sparse jumps; the kernel's arguments and the dense superoperator."""
    h = _random(d, d)
    h = h + h.conj().T
    jumps = [sps.random(d, d, density=0.3, random_state=k, format="csr", dtype=float) * (1 + 0.5j)
             for k in range(n_jumps)]
    k_matrix = sps.csr_matrix(h - 0.5j * sum((j.conj().T @ j).toarray() for j in jumps))
    stacked = sps.vstack(jumps, format="csr")
    stacked.sort_indices()
    k_matrix.sort_indices()
    x = _random(d, d)
    args = (k_matrix.data.astype(complex), k_matrix.indices.astype(np.int64), k_matrix.indptr.astype(np.int64),
            stacked.data.astype(complex), stacked.indices.astype(np.int64), stacked.indptr.astype(np.int64),
            n_jumps)
    dense = kernels.dense_superoperator(h.astype(complex), np.array([j.toarray() for j in jumps], dtype=complex))
    return x, args, dense


@pytest.mark.parametrize("rotate", [False, True])
def test_lindblad_variants_agree_with_the_dense_superoperator(rotate):
    d = 9
    x, args, dense = _lindblad_case(d)
    u = np.exp(-1j * RNG.normal(size=d)) if rotate else np.ones(d, dtype=complex)
    outs = []
    for kernel in (kernels.lindblad_apply_serial, kernels.lindblad_apply_parallel, kernels.lindblad_apply):
        out = np.empty_like(x)
        kernel(x, out, *args, u, rotate, np.empty((args[-1] + 2, d, d), dtype=complex))
        outs.append(out)
    # reference: rotate into the lab frame, apply the dense superoperator (column stacking), rotate back
    phases = np.outer(u, u.conj())
    lab = x * phases
    reference = (dense @ lab.reshape(-1, order="F")).reshape(d, d, order="F") * phases.conj()
    scale = np.abs(reference).max()
    for out in outs:
        assert np.abs(out - reference).max() <= 1e-12 * scale
    assert np.abs(outs[0] - outs[1]).max() <= 1e-12 * scale


def test_batch_variants_agree_with_dense_member_by_member_references():
    count, d = 5, 3
    hamiltonians, jumps = _random(count, d, d), _random(count, 2, d, d)
    serial = kernels.batch_superoperators_serial(hamiltonians, jumps)
    parallel = kernels.batch_superoperators_parallel(hamiltonians, jumps)
    reference = np.array([kernels.dense_superoperator(h, j) for h, j in zip(hamiltonians, jumps, strict=True)])
    assert np.abs(serial - reference).max() == 0.0 and np.abs(parallel - reference).max() == 0.0
    propagators = np.stack([serial * 0.01, serial * 0.02], axis=1)  # two "steps" per member
    steps = np.array([0, 1, 1, 0], dtype=np.int64)
    initial, observables = _random(d * d), _random(2, d * d)
    expected = np.empty((count, 2, len(steps) + 1), dtype=complex)
    for b in range(count):
        x = initial
        expected[b, :, 0] = observables @ x
        for n, step in enumerate(steps):
            x = propagators[b, step] @ x
            expected[b, :, n + 1] = observables @ x
    scale = np.abs(expected).max()
    for kernel in (kernels.propagate_batch_serial, kernels.propagate_batch_parallel, kernels.propagate_batch):
        assert np.abs(kernel(propagators, steps, initial, observables) - expected).max() <= 1e-12 * scale


class _Spy:
    """Stands in for a compiled variant and records that it was called."""

    def __init__(self, name, calls):
        self.name, self.calls = name, calls

    def __call__(self, *args):
        self.calls.append(self.name)


def test_threshold_selects_the_variant(monkeypatch):
    calls = []
    monkeypatch.setattr(kernels, "lindblad_apply_serial", _Spy("serial", calls))
    monkeypatch.setattr(kernels, "lindblad_apply_parallel", _Spy("parallel", calls))
    limit = kernels.LINDBLAD_PARALLEL_MIN_DIMENSION
    for d in (4, limit - 1, limit):
        kernels.lindblad_apply(np.empty((d, 0)), *([None] * 11))
    assert calls == ["serial", "serial", "parallel"]
    calls.clear()
    monkeypatch.setattr(kernels, "propagate_batch_serial", _Spy("serial", calls))
    monkeypatch.setattr(kernels, "propagate_batch_parallel", _Spy("parallel", calls))
    work = kernels.BATCH_PARALLEL_MIN_WORK  # B * steps * size^2 multiply-adds
    for count in (1, work // 100 - 1, work // 100):
        kernels.propagate_batch(np.empty((count, 0, 0, 0)), np.empty(100), np.empty(1), np.empty((1, 1)))
    assert calls == ["serial", "serial", "parallel"]


@pytest.mark.parametrize("size,norm", [(4, 0.3), (16, 3.0), (16, 400.0), (49, 20.0)])
def test_small_expm_against_scipy(size, norm):
    a = _random(size, size)
    a *= norm / np.abs(a).sum(axis=0).max()
    reference = sla.expm(a)
    assert np.abs(kernels.small_expm(a) - reference).max() <= 1e-12 * np.abs(reference).max()


def test_matrix_exponential_of_a_rotation_in_every_size_regime():
    for size in (2, propagator.SMALL_EXPM_MAX_SIZE + 2):  # thread-free kernel, and SciPy with one BLAS thread
        angles = RNG.normal(size=size // 2)
        generator = sla.block_diag(*[np.array([[0.0, t], [-t, 0.0]]) for t in angles])
        blocks = [np.array([[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]]) for t in angles]
        assert np.abs(propagator.matrix_exponential(generator) - sla.block_diag(*blocks)).max() <= 1e-13
    stack = np.array([[[0.0, t], [-t, 0.0]] for t in (0.5, 1.5)])
    expected = np.array([[[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]] for t in (0.5, 1.5)])
    assert np.abs(propagator.matrix_exponential(stack) - expected).max() <= 1e-13
