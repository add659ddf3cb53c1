# %% [markdown]
# # Tutorial: `purcell`, where an adiabatic elimination holds and where it fails
#
# The cavity is eliminated for `kappa >> g`. The derivation states that condition as a small
# parameter with its value at your numbers, and the validation fails where it is not small.

# %%
import numpy as np

from qderive.derivations.contract import QUICK
from qderive.derivations.registry import Registry

purcell = Registry.discover().get("purcell")
for g in (2e9, 2e10, 2e11):
    derivation = purcell.derive(purcell.parameter_set({"g": g}))
    (condition,) = derivation.conditions.values()
    validation = purcell.validate(derivation, QUICK)
    print(f"g = {g:.0e}: {condition.describe()}")
    print(f"   Gamma_P = {derivation.value('Gamma_P'):.4g} rad/s;", "PASSED" if validation.passed else "FAILED",
          f"(error {validation.error:.3g})")

# %% [markdown]
# ## The Purcell rate against the cavity detuning
# A Lorentzian of full width `kappa` in the detuning, through the compiled evaluator.

# %%
default = purcell.derive(purcell.parameter_set())
kappa = default.parameters["kappa"]
rates = default.evaluators["Gamma_P"]({**default.parameters.values, "Delta": np.array([0, 0.5, 1, 2]) * kappa})
print(rates / rates[0])
