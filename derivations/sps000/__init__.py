"""``sps000``: room-temperature spin-optomechanical single-photon source (seed sps000).

Only the full model (:mod:`.model`) exists so far; the derivation is not registered yet.
"""
