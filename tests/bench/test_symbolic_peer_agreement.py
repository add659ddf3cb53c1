"""The symbolic benchmark compares like with like: our tensor equals the sympy.physics.quantum one."""

import sympy as sp

from qderive.bench import symbolic_bench


def test_drift_tensor_matches_peer_entry_by_entry():
    ours = symbolic_bench._tensor_ours()
    peer = symbolic_bench._tensor_peer()
    n = 3
    for row, entries in enumerate(peer):
        i, j = divmod(row, n)
        for col, value in enumerate(entries):
            m, k = divmod(col, n)
            assert sp.expand(ours[i, j, m, k] - value) == 0, (i, j, m, k)
