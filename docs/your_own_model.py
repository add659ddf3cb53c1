# %% [markdown]
# # Your own model: a driven, damped Jaynes-Cummings system from Hamiltonian to checked rate
#
# We take an atom in a lossy cavity, derive its Heisenberg-Langevin equations, eliminate the
# cavity, compile the Purcell rate into a fast kernel, and check it against the full master
# equation. Each step shows the QuTiP equivalent where one exists. Units: hbar = 1, rates and
# angular frequencies in rad/s.

# %% [markdown]
# ## 1. Parameters and their domains
# `declare` takes `(name, meaning, unit[, domain[, bounds]])`. The default domain is `positive`,
# so a parameter that may be zero (a decay you want to switch off, a drive) is declared
# `nonnegative`, and a detuning `real`.

# %%
import numpy as np
import sympy as sp

from qderive.codegen import compile_expr
from qderive.derivations.scaling import slowest_rate
from qderive.numeric import fock_model, liouvillian
from qderive.symbolic import (
    BosonMode,
    Dissipator,
    Model,
    NLevelSystem,
    adiabatic_eliminate,
    declare,
    heisenberg_langevin,
    transition_rates,
)

P = declare([("g", "atom-cavity coupling", "rad/s"), ("kappa", "cavity decay", "rad/s"),
             ("gamma", "atomic decay into free space", "rad/s", "nonnegative"),
             ("Delta", "cavity-atom detuning", "rad/s", "real")])
g, kappa, gamma, Delta = (p.symbol for p in P.values())

# %% [markdown]
# ## 2. The model: Hamiltonian and decay
# QuTiP: `a = tensor(destroy(N), qeye(2)); sm = tensor(qeye(N), destroy(2))`,
# `H = Delta*a.dag()*a + g*(a.dag()*sm + a*sm.dag())`, `c_ops = [sqrt(kappa)*a, sqrt(gamma)*sm]`.
# Here operators are symbolic and exact:

# %%
cavity, atom = BosonMode("a"), NLevelSystem("s", ("g", "e"))
a, s_ge = cavity.a, atom.sigma("g", "e")
H = Delta * a.dag() * a + g * (a.dag() * s_ge + a * s_ge.dag())
model = Model("jc", (cavity, atom), H, [Dissipator(kappa, a, "kappa"), Dissipator(gamma, s_ge, "gamma")], P,
              ports=("kappa",))
print(heisenberg_langevin(model, a))

# %% [markdown]
# ## 3. Eliminate the cavity
# For `kappa >> g` the cavity follows the atom. `adiabatic_eliminate` returns the effective model,
# its assumptions and the small parameter it needs; `transition_rates` reads the decay rate per
# output channel.

# %%
effective = adiabatic_eliminate(model, cavity)
rates = transition_rates(effective.model, atom, "e")
purcell = sp.factor(rates["kappa"])
print(effective.assumptions)
print("Gamma_P =", purcell)

# %% [markdown]
# ## 4. A compiled kernel of the rate
# `compile_expr` writes a Numba kernel, checks it against 30-digit mpmath and caches it on disk.

# %%
rate = compile_expr(purcell, [g, kappa, Delta])
detunings = np.linspace(-5e10, 5e10, 1001)
curve = rate(np.full_like(detunings, 2 * np.pi * 1e9), np.full_like(detunings, 2 * np.pi * 40e9), detunings)
print(curve.max(), rate.max_rel_error)

# %% [markdown]
# ## 5. Check against the full master equation
# The slowest population decay rate of the full Liouvillian (QuTiP: `liouvillian(H, c_ops).eigenenergies()`,
# restricted to the block of populations and coherences of equal excitation number) must equal
# `gamma + Gamma_P` while `g/kappa` is small, and drift away when it is not.

# %%
def full_rate(values):
    fock = fock_model(model, values, {"a": 2})
    excitations = np.array([n + e for n in range(2) for e in range(2)])
    return slowest_rate(liouvillian(fock.hamiltonian, fock.jump_operators), excitations)


errors = []
for ratio in (0.01, 0.03, 0.3):
    values = {"g": ratio * 2 * np.pi * 40e9, "kappa": 2 * np.pi * 40e9, "gamma": 2 * np.pi * 0.2e9, "Delta": 0.0}
    effective_rate = values["gamma"] + rate.scalar(values["g"], values["kappa"], values["Delta"])
    errors.append(abs(full_rate(values) - effective_rate) / full_rate(values))
    print(f"g/kappa = {ratio}: relative error {errors[-1]:.2e}")
assert errors[0] < 1e-3 < 1e-1 < errors[-1], "the elimination must hold at small g/kappa and fail at large"
