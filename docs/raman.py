# %% [markdown]
# # Tutorial: `raman`
#
# Derive, read the steps, evaluate the compiled closed forms over a grid, and check the
# approximation against the full model at your own parameters.

# %%
import numpy as np

from qderive.derivations.contract import QUICK
from qderive.derivations.registry import Registry
from qderive.derivations.render import to_text

system = Registry.discover().get("raman")
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
# ## The Raman coupling against the detuning
# `J_eff = -Omega1 Omega2 / (4 Delta)`: it falls as `1/Delta`, the pumping as `1/Delta^2`.

# %%
deltas = parameters["Delta"] * np.array([1, 2, 4])
print(derivation.evaluators["J_eff"]({**parameters.values, "Delta": deltas}))
print(derivation.evaluators["Gamma_eff_1"]({**parameters.values, "Delta": deltas}))
