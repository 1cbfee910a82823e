"""Lowerings of `infer` ops to linalg, one module per op family.

Importing this package imports every module in it, which registers their
lowerings (see `core.lowering`): a new family is a new module here, nothing
else to edit.
"""

import importlib
import pkgutil

for _info in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_info.name}")
