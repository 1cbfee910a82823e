"""infer: a model compiler for inference, built on xDSL in the style of MLIR.

The public API (see `infer.api`): `load`, `convert`, `to_infer`, `optimize`, `compile`,
`run`, `parse_ir`, `print_ir`, and `InferError` for every diagnostic.
`infer.backend` implements `onnx.backend.base.Backend`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from infer.diagnostics import InferError, UnsupportedError

__version__ = "0.1.0"

_API = ("load", "convert", "to_infer", "optimize", "compile", "run", "parse_ir", "print_ir", "CompiledModel")

if TYPE_CHECKING:
    from infer.api import CompiledModel, compile, convert, load, optimize, parse_ir, print_ir, run, to_infer


def __getattr__(name: str) -> Any:
    # The API is imported on first use so that `import infer.dialects...` stays light.
    if name in _API:
        from infer import api

        return getattr(api, name)
    raise AttributeError(f"module 'infer' has no attribute '{name}'")


__all__ = [
    "CompiledModel",
    "InferError",
    "UnsupportedError",
    "compile",
    "convert",
    "load",
    "optimize",
    "parse_ir",
    "print_ir",
    "run",
    "to_infer",
]
