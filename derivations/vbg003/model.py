r"""Pump-written virtual Bragg grating in a LiNbO3-clad whispering-gallery resonator (seed vbg003).

A WGM of azimuthal order ``m`` (CW ``e^{+i m phi}``, CCW ``e^{-i m phi}``, field along ``r_hat``)
and an undepleted pump polarised in the plane at the angle ``alpha`` from ``r_hat``
(``pump_pol = r``: ``alpha = 0``; ``pump_pol = phi``: ``alpha = pi/2``), applied at ``N`` sites
``phi_k = 2 pi k / N`` of a ring of radius ``R``, drive difference-frequency generation into
telecom light at ``lambda_out`` through the ``chi(2)`` tensor of z-cut LiNbO3 (point group 3m).
Channel couplings ``g_R``, ``g_L`` (complex) couple the WGM to the right- and left-circular output
channels of each direction; ``t`` is the interaction time.

Parameters the source leaves unstated (its numbers were lost in conversion) are explicit inputs:
``m = 21`` is read off the source's Table S5 (its ring row ``N = 21`` and on-axis rows ``N = 19, 23``
fix ``m`` under the derived rule), ``R = 2 um`` (a round value whose WGM index
``m lambda_in / (2 pi R) = 1.23`` at 736 nm lies between air and diamond), the couplings
``g_R = g_L = 2 pi x 10 MHz`` and ``t = 10 ns``; ``p_cw`` is the CW share of the WGM photon (0.5:
a standing wave, both directions coherent with equal phase).
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from qderive.symbolic import Parameter

PARAMETERS = MappingProxyType({p.name: p for p in (
    Parameter("m", "azimuthal order of the WGM", "", "count"),
    Parameter("N", "number of pump sites", "", "count"),
    Parameter("R", "resonator (pump ring) radius", "m"),
    Parameter("lambda_out", "output (telecom) vacuum wavelength", "m"),
    Parameter("n_out", "refractive index of the output medium", ""),
    Parameter("pump_pol", "in-plane pump polarisation angle from r_hat (r = 0, phi = pi/2)", "rad", "real",
              bounds=(-np.pi, np.pi), aliases=(("r", 0.0), ("phi", np.pi / 2))),
    Parameter("g_R", "coupling of the WGM to the right-circular output channel", "rad/s", "complex"),
    Parameter("g_L", "coupling of the WGM to the left-circular output channel", "rad/s", "complex"),
    Parameter("t", "interaction time (azimuthal length / group velocity)", "s"),
    Parameter("p_cw", "share of the WGM photon in the clockwise mode", "", "real", bounds=(0.0, 1.0)),
)})
DEFAULTS = MappingProxyType({
    "m": 21, "N": 23, "R": 2.0e-6, "lambda_out": 1347e-9, "n_out": 1.0, "pump_pol": np.pi / 2,
    "g_R": complex(2 * np.pi * 10e6), "g_L": complex(2 * np.pi * 10e6), "t": 10e-9, "p_cw": 0.5,
})
SYM = MappingProxyType({name: p.symbol for name, p in PARAMETERS.items()})
