# %% [markdown]
# # Tutorial: `purcell`
#
# Derive, read the steps, evaluate the compiled closed forms over a grid, and check the
# approximation against the full model at your own parameters.

# %%
import numpy as np

from qderive.derivations.contract import QUICK
from qderive.derivations.registry import Registry
from qderive.derivations.render import to_text

system = Registry.discover().get("purcell")
parameters = system.parameter_set()
derivation = system.derive(parameters)
print(to_text(derivation))

# %% [markdown]
# ## The conditions the derivation relies on, at these numbers

# %%
for condition in derivation.conditions.values():
    print(condition.describe())

# %% [markdown]
# ## Compiled closed forms over a grid
# Every closed-form result has a compiled evaluator; arrays broadcast in one compiled loop.

# %%
for key, evaluator in derivation.evaluators.items():
    first = evaluator.arguments[0] if evaluator.arguments else None
    if first is None:
        continue
    grid = {**parameters.values, first: parameters[first] * np.linspace(0.5, 1.5, 5)}
    print(key, "over", first, np.real(evaluator(grid)))
    break

# %% [markdown]
# ## Check against the full model

# %%
validation = system.validate(derivation, QUICK)
print("PASSED" if validation.passed else "FAILED", validation.reason)

# %% [markdown]
# ## The Purcell rate against the cavity detuning
# A Lorentzian of full width `kappa` in the detuning; where `g/kappa` grows, the validation fails.

# %%
kappa = parameters["kappa"]
rates = derivation.evaluators["Gamma_P"]({**parameters.values, "Delta": np.array([0, 0.5, 1, 2]) * kappa})
print(rates / rates[0])
strong = system.derive(system.parameter_set({"g": 0.3 * kappa}))
print(system.validate(strong, QUICK).reason)
