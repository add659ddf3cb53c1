"""Package layout: the top-level folders install as subpackages of ``qderive`` (with their own subpackages).

``symbolic/``, ``codegen/``, ``numeric/``, ``derivations/`` and ``bench/`` become ``qderive.symbolic``
and so on, and ``qderive_init/`` holds ``qderive/__init__`` (the error root), so the unrelated PyPI
packages named ``symbolic`` and ``codegen`` are never shadowed. Subpackages (one per derivation
under ``derivations/``) are found automatically: a new system needs no change here.
Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

LAYERS = ("symbolic", "codegen", "numeric", "derivations", "bench")

packages = ["qderive"]
package_dir = {"qderive": "qderive_init"}
for folder in LAYERS:
    packages.append(f"qderive.{folder}")
    package_dir[f"qderive.{folder}"] = folder
    packages += [f"qderive.{folder}.{sub}" for sub in find_packages(folder)]

setup(packages=packages, package_dir=package_dir)
