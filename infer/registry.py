"""The dialects and passes `infer` adds to xDSL's, found by walking its packages.

Every `ModulePass` subclass defined in a module of `infer.transforms` or
`infer.lowering` is a pass, under its `name`; nothing is listed by hand.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import cache

from xdsl.ir import Dialect
from xdsl.passes import ModulePass

PASS_PACKAGES = ("infer.transforms", "infer.lowering")


def all_dialects() -> list[Dialect]:
    from infer.dialects.infer import Infer
    from infer.dialects.onnx import Onnx

    return [Onnx, Infer]


@cache
def all_passes() -> dict[str, type[ModulePass]]:
    """Pass name -> pass class, for every pass of the project."""
    found: dict[str, type[ModulePass]] = {}
    for package_name in PASS_PACKAGES:
        package = importlib.import_module(package_name)
        modules = [package] + [
            importlib.import_module(info.name)
            for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}.")
        ]
        for module in modules:
            for _, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, ModulePass) and obj.__module__.startswith(package_name) and hasattr(obj, "name"):
                    found[obj.name] = obj
    return dict(sorted(found.items()))


def load_context(allow_unregistered: bool = False):
    """An xDSL context with xDSL's dialects and ours loaded on demand."""
    from xdsl.context import Context
    from xdsl.universe import Universe

    ctx = Context(allow_unregistered=allow_unregistered)
    for name, factory in Universe.get_multiverse().all_dialects.items():
        ctx.register_dialect(name, factory)
    for dialect in all_dialects():
        ctx.load_dialect(dialect)
    return ctx
