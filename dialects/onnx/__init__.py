"""The `onnx` dialect: one op per ONNX operator, generated from the ONNX schema registry.

`base.py` holds what every op shares (syntax, schema verification, attribute
access), `types.py` the non-tensor value types, `ops.py` the generated op
classes (regenerate with `python dialects/onnx/generate.py > dialects/onnx/ops.py`).
"""

from xdsl.ir import Dialect

from infer.dialects.onnx.base import (
    DEFAULT_DOMAIN,
    OPSET_ATTR,
    NoValueOp,
    OnnxOp,
    YieldOp,
    module_opsets,
    opset_attr,
    schema_for,
)
from infer.dialects.onnx.ops import ALL_OPS
from infer.dialects.onnx.types import ONNX_TYPES, MapType, OptionalType, SequenceType, StringType

OP_BY_NAME: dict[tuple[str, str], type[OnnxOp]] = {(op.ONNX_DOMAIN, op.ONNX_NAME): op for op in ALL_OPS}
"""(canonical domain, ONNX op type) -> op class."""

Onnx = Dialect("onnx", [NoValueOp, YieldOp, *ALL_OPS], ONNX_TYPES)

__all__ = [
    "DEFAULT_DOMAIN",
    "OPSET_ATTR",
    "OP_BY_NAME",
    "MapType",
    "NoValueOp",
    "Onnx",
    "OnnxOp",
    "OptionalType",
    "SequenceType",
    "StringType",
    "YieldOp",
    "module_opsets",
    "opset_attr",
    "schema_for",
]
