# %% [markdown]
# # Tutorial: `engine004`
#
# Derive, read the steps, evaluate the compiled closed forms over a grid, and check the
# approximation against the full model at your own parameters.

# %%
import numpy as np

from qderive.derivations.contract import QUICK
from qderive.derivations.registry import Registry
from qderive.derivations.render import to_text

system = Registry.discover().get("engine004")
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
# ## Steady-state concurrence against the coupling
# The closed form depends on `g` only through `g/Gamma1`; its maximum is at the derived `g_opt`.

# %%
print("g_opt =", derivation.value("g_opt"), "rad/s; C_ss_max =", derivation.value("C_ss_max"))
for ratio in (0.1, 0.22415, 0.4):
    point = system.derive(parameters.replace(g=ratio * parameters["Gamma1"]))
    print(f"g/Gamma1 = {ratio}: C_ss = {point.value('C_ss'):.5f}")
