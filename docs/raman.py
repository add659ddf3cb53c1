# %% [markdown]
# # Tutorial: `raman`, second-order elimination of an excited level
#
# For `|Delta| >> Omega_1, Omega_2` the excited level is eliminated: a Raman coupling, Stark
# shifts and optical pumping remain. The effective operators of Reiter and Sorensen give the same
# coupling as `Gamma/Delta -> 0`.

# %%
import numpy as np

from qderive.derivations.registry import Registry

raman = Registry.discover().get("raman")
derivation = raman.derive(raman.parameter_set())
print(derivation.results["J_eff"].expr, "=", derivation.value("J_eff"), "rad/s")
print(derivation.steps[-1].note)

# %% [markdown]
# ## Coupling and pumping against the detuning
# `J_eff` falls as `1/Delta`, the pumping rate as `1/Delta^2`: the ratio of coherent to
# dissipative dynamics grows with the detuning.

# %%
deltas = derivation.parameters["Delta"] * np.array([1, 2, 4])
values = {**derivation.parameters.values, "Delta": deltas}
print(derivation.evaluators["J_eff"](values) / derivation.evaluators["Gamma_eff_1"](values))

# %% [markdown]
# ## Error scaling against the full model (the full validation)

# %%
validation = raman.validate(derivation)
print(validation.scaling)
