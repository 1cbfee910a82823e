"""BitShift, BitwiseAnd, BitwiseOr, BitwiseXor, BitwiseNot.

Broadcasting becomes explicit (`Conversion.broadcast`). BitShift-11 takes
unsigned types, BitShift-28 signed ones too (its right shift is arithmetic);
`infer.shift_left` / `infer.shift_right` define amounts outside `[0, bits)`
as BitShift-28 does, which versions before it left open.
"""

from __future__ import annotations

from xdsl.ir import SSAValue

from infer.dialects.infer import bitwise as bw
from infer.lowering.onnx_to_infer.core import Conversion, ConverterFn, converter
from infer.lowering.onnx_to_infer.ops.reduction import shape_checked

_BINARY: dict[str, type[bw.IntegerBinaryOp]] = {
    "BitwiseAnd": bw.BitwiseAndOp,
    "BitwiseOr": bw.BitwiseOrOp,
    "BitwiseXor": bw.BitwiseXorOp,
}


def _binary(op_class: type[bw.IntegerBinaryOp]) -> ConverterFn:
    @shape_checked
    def convert(c: Conversion) -> SSAValue:
        return c.emit(op_class(*c.broadcast(c.input(0), c.input(1))))

    return convert


for _name, _class in _BINARY.items():
    converter(_name)(_binary(_class))


@converter("BitwiseNot")
@shape_checked
def bitwise_not(c: Conversion) -> SSAValue:
    return c.emit(bw.BitwiseNotOp(c.input(0)))


@converter("BitShift")
@shape_checked
def bit_shift(c: Conversion) -> SSAValue:
    direction = c.attr("direction")
    if direction not in ("LEFT", "RIGHT"):
        c.unsupported_attr("direction", direction, "LEFT or RIGHT")
    op_class = bw.ShiftLeftOp if direction == "LEFT" else bw.ShiftRightOp
    return c.emit(op_class(*c.broadcast(c.input(0), c.input(1))))
