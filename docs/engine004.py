# %% [markdown]
# # Tutorial: `engine004`, a two-qubit entanglement engine
#
# Two NV qubits, one coupled to a hot and one to a cold nuclear bath. The closed-form X-state
# steady state gives the concurrence; its maximum over the coupling and the threshold in the
# cold-bath polarisation follow.

# %%
from qderive.derivations.contract import QUICK
from qderive.derivations.registry import Registry

engine = Registry.discover().get("engine004")
derivation = engine.derive(engine.parameter_set())
print("g_opt =", derivation.value("g_opt"), "rad/s; C_ss_max =", derivation.value("C_ss_max"))
print(len(derivation.discrepancies), "places where the source disagrees, e.g.:", derivation.discrepancies[0].note)

# %% [markdown]
# ## Concurrence against the coupling
# The closed form depends on `g` only through `g/Gamma1`.

# %%
for ratio in (0.1, 0.22415, 0.4):
    point = engine.derive(derivation.parameters.replace(g=ratio * derivation.parameters["Gamma1"]))
    print(f"g/Gamma1 = {ratio}: C_ss = {point.value('C_ss'):.5f}")

# %% [markdown]
# ## Checked against the full two-qubit master equation

# %%
print(engine.validate(derivation, QUICK).reason)
