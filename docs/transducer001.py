# %% [markdown]
# # Tutorial: `transducer001`, microwave-to-optical conversion through one NV0 centre
#
# Three modes are eliminated into effective rates (the chain `a - b` exactly, the optical mode once
# per transition, detuned by `w10` for `|1>-|2>`); the reduced model's five coefficient tensors are
# compiled into one filler, and a two-tone harmonic balance gives the single-photon efficiencies.

# %%
import numpy as np

from qderive.derivations.contract import QUICK
from qderive.derivations.registry import Registry
from qderive.derivations.transducer001 import conversion

system = Registry.discover().get("transducer001")
derivation = system.derive(system.parameter_set())
for key in ("gamma10_e", "gamma20_e", "gamma21_e", "gamma10_e_source_form", "C_ab"):
    quantity = derivation.results[key]
    scale = 2 * np.pi * 1e6 if quantity.units == "rad/s" else 1.0
    print(f"{key:22s} {quantity.value / scale:.4g} {'MHz (/2pi)' if scale != 1 else ''}")

# %% [markdown]
# ## Where the source's forms hold
# Each discrepancy names the exact form and the condition under which the source's form is its limit.

# %%
for d in derivation.discrepancies[:2]:
    print(d.source, "->", d.note, "\n")
for condition in derivation.conditions.values():
    print(condition.describe())

# %% [markdown]
# ## Efficiency and dark counts versus pump power
# One harmonic-balance solve per point through the compiled rates and tensor filler.

# %%
for power in (5e-12, 27e-12, 55e-12, 2e-10):
    merit = conversion.figures_of_merit(conversion.operating_point(derivation, {"P_pump": power}))
    print(f"{power * 1e12:6.1f} pW: P_coh {merit['P_coh']:.3f}, P_tot {merit['P_tot']:.3f}, R_d {merit['R_d']:.1f} /s")

# %% [markdown]
# ## Check: truncation, time integration, and the full model with the three modes kept

# %%
validation = system.validate(derivation, QUICK)
print("PASSED" if validation.passed else "FAILED", validation.reason)
print(validation.details)
