# %% [markdown]
# # Tutorial: `sps000`, a room-temperature spin-optomechanical single-photon source
#
# The dressed spin and the single-photon cavity exchange a Raman coupling through the far-detuned,
# optically cooled mechanics. The eliminations give the coupling, the Stark shifts and the thermal
# noise the mechanics carries; the validation follows the source's protocol (cool with the spin in
# `|d>`, set it to `|e>`, count photons in the gate `[tl, tu]`).

# %%
from qderive.derivations.contract import QUICK
from qderive.derivations.registry import Registry

sps = Registry.discover().get("sps000")
derivation = sps.derive(sps.parameter_set())
for key in ("omega_q", "Omega", "Gamma_th", "R", "beta0", "Gamma_opt", "n_cooled"):
    quantity = derivation.results[key]
    print(f"{key:10s} = {quantity.value:.4g} {quantity.units}  ({quantity.meaning})")

# %% [markdown]
# ## The conditions of the eliminations, at these numbers

# %%
for condition in derivation.conditions.values():
    print(condition.describe())

# %% [markdown]
# ## Where the source and the derivation differ

# %%
for discrepancy in derivation.discrepancies:
    print("-", discrepancy.source, ":", discrepancy.derived)

# %% [markdown]
# ## Effective against full model (quick: rotating-wave forms, small cutoffs)

# %%
validation = sps.validate(derivation, QUICK)
print("PASSED" if validation.passed else "FAILED", validation.reason)
