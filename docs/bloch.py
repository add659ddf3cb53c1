# %% [markdown]
# # Tutorial: `bloch`
#
# Derive, read the steps, evaluate the compiled closed forms over a grid, and check the
# approximation against the full model at your own parameters.

# %%
import numpy as np

from qderive.derivations.contract import QUICK
from qderive.derivations.registry import Registry
from qderive.derivations.render import to_text

system = Registry.discover().get("bloch")
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
# ## The excited population across the resonance
# The compiled `rho_ee` over a detuning grid, and the saturation form `s/2/(1+s)` from the same derivation.

# %%
detunings = np.linspace(-5, 5, 11) * derivation.value("gamma_perp")
rho_ee = derivation.evaluators["rho_ee"]({**parameters.values, "Delta": detunings})
s = derivation.evaluators["saturation_parameter"]({**parameters.values, "Delta": detunings})
print(np.max(np.abs(rho_ee - s / 2 / (1 + s))))
