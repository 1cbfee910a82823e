"""Elementwise ops: arithmetic, comparisons, unary math, activations without parameters."""

from __future__ import annotations

from xdsl.ir import SSAValue

from infer.dialects.infer import elementwise as ew
from infer.lowering.onnx_to_infer.core import Conversion, converter

_BINARY: dict[str, type[ew.BinaryOp]] = {
    "Add": ew.AddOp,
    "Sub": ew.SubOp,
    "Mul": ew.MulOp,
    "Div": ew.DivOp,
}

_UNARY: dict[str, type[ew.UnaryOp]] = {
    "Relu": ew.ReluOp,
}


def _binary(op_class: type[ew.BinaryOp]):
    def convert(c: Conversion) -> SSAValue:
        if c.version < 7 and c.has_attr("broadcast"):
            c.error("legacy broadcast attributes (opset < 7) are not supported", hint="upgrade the model to opset 7+")
        lhs, rhs = c.broadcast(c.input(0), c.input(1))
        return c.emit(op_class(lhs, rhs))

    return convert


def _unary(op_class: type[ew.UnaryOp]):
    def convert(c: Conversion) -> SSAValue:
        return c.emit(op_class(c.input(0)))

    return convert


for _name, _binary_class in _BINARY.items():
    converter(_name)(_binary(_binary_class))
for _name, _unary_class in _UNARY.items():
    converter(_name)(_unary(_unary_class))
