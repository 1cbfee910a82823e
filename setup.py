"""Maps the root folders onto subpackages of the one import package `infer`.

The repository root shows the architecture (`dialects/`, `frontends/`, ...);
installed, they are `infer.dialects`, `infer.frontends`, ... Everything else
about the project lives in `pyproject.toml`.
"""

import os

from setuptools import setup

PACKAGE_DIRS = {
    "infer": "infer",
    "infer.dialects": "dialects",
    "infer.frontends": "frontends",
    "infer.lowering": "lowering",
    "infer.transforms": "transforms",
    "infer.runtime": "runtime",
}


def _packages() -> list[str]:
    found = []
    for package, folder in PACKAGE_DIRS.items():
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith((".", "__"))]
            if "__init__.py" in files:
                rel = os.path.relpath(root, folder)
                found.append(package if rel == "." else f"{package}.{rel.replace(os.sep, '.')}")
    return sorted(found)


setup(packages=_packages(), package_dir=PACKAGE_DIRS)
