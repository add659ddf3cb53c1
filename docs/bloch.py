# %% [markdown]
# # Tutorial: `bloch`, the optical Bloch equations step by step
#
# A driven two-level atom with dephasing: Heisenberg-Langevin equation of the coherence, drift
# matrix, exact steady state, saturation form, and the check against the lab frame.

# %%
import numpy as np

from qderive.derivations.contract import QUICK
from qderive.derivations.registry import Registry
from qderive.derivations.render import plain

bloch = Registry.discover().get("bloch")
derivation = bloch.derive(bloch.parameter_set())

# %% [markdown]
# ## Every step: from, operation, to

# %%
for number, step in enumerate(derivation.steps, 1):
    print(f"{number}. {step.title}")
    if step.operation:
        print("   operation:", step.operation)
    print("  ", plain(step.latex)[:300])

# %% [markdown]
# ## The excited population across the resonance
# The compiled `rho_ee` over a detuning grid agrees with the saturation form `s/2/(1+s)`.

# %%
detunings = np.linspace(-5, 5, 11) * derivation.value("gamma_perp")
rho_ee = derivation.evaluators["rho_ee"]({**derivation.parameters.values, "Delta": detunings})
s = derivation.evaluators["saturation_parameter"]({**derivation.parameters.values, "Delta": detunings})
print(np.max(np.abs(rho_ee - s / 2 / (1 + s))))

# %% [markdown]
# ## The rotating-wave approximation checked against the lab frame

# %%
print(bloch.validate(derivation, QUICK).reason)
