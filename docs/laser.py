# %% [markdown]
# # Tutorial: `laser`, the cumulant expansion and where it is accurate
#
# `N` identical atoms in a cavity with an incoherent pump. The equations of the averages do not
# close: each product couples to a longer one. The cumulant expansion of order 2 neglects the joint
# cumulants of three operators, which are `O(1/N)` at a fixed collective coupling `g sqrt(N)`, so
# it gets better with more atoms. The derivation keeps `N` symbolic: 10^4 atoms cost as much as 4.

# %%
from qderive.derivations.contract import QUICK
from qderive.derivations.registry import Registry

laser = Registry.discover().get("laser")
derivation = laser.derive(laser.parameter_set())
print(derivation.data["symbolic"]["second"])        # the order-2 equations, with their symbolic N

# %% [markdown]
# ## The threshold in closed form (mean field) and the order-2 steady state

# %%
for key in ("N_threshold", "nu_threshold", "n_meanfield", "n_cumulant", "see_cumulant", "linewidth_cumulant"):
    q = derivation.results[key]
    print(f"{key:20s} = {q.value:.4g} {q.units}   ({q.meaning})")

# %% [markdown]
# ## Against the full master equation
# With 4 atoms the tensor-product master equation is still small; the promised accuracy is
# `min(0.25, 0.6/N)`, and the condition `1/N <= 0.5` says the expansion is meaningless for one atom.

# %%
for n_atoms in (4, 1):
    point = laser.derive(laser.parameter_set({"N": n_atoms, "g": 3 * derivation.parameters["kappa"] / n_atoms**0.5}))
    validation = laser.validate(point, QUICK)
    print(f"N = {n_atoms}:", "PASSED" if validation.passed else "FAILED", "-", validation.reason)
