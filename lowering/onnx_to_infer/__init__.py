"""`convert-onnx-to-infer`: where framework semantics become `infer` semantics.

Padding conventions, opset-dependent behaviour and broadcasting rules are
resolved here; after this pass nothing knows the model came from ONNX.
Converters live in `ops/`, one module per op family; `core.py` holds the
registry and the walk.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from infer.lowering.onnx_to_infer.core import Conversion, convert_module, converter, supported_ops


@dataclass(frozen=True)
class ConvertOnnxToInferPass(ModulePass):
    """Converts every `onnx` op to `infer` ops; fails with a diagnostic naming the
    node, op type and opset of the first op it cannot convert."""

    name = "convert-onnx-to-infer"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        convert_module(op)


__all__ = ["Conversion", "ConvertOnnxToInferPass", "convert_module", "converter", "supported_ops"]
