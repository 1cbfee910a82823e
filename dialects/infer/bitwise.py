"""Bitwise ops on integers: and, or, xor, not, and shifts.

They take integer tensors of any width above one bit, signed or unsigned (i1
has the logical ops of `elementwise.py`); binary ones broadcast like every
elementwise op (equal ranks, a dim of size 1 stretches):

    %a = infer.bitwise_and %x, %y : (tensor<?x4xui8>, tensor<1x4xui8>) -> tensor<?x4xui8>
    %n = infer.bitwise_not %x : (tensor<?x4xi32>) -> tensor<?x4xi32>
    %l = infer.shift_left %x, %s : (tensor<?x4xi16>, tensor<1x1xi16>) -> tensor<?x4xi16>
    %r = infer.shift_right %x, %s : (tensor<?x4xi16>, tensor<1x1xi16>) -> tensor<?x4xi16>

`shift_right` is arithmetic (sign-filling) on signed types and logical on
unsigned ones; `shift_left` discards the bits shifted out (past the sign bit
too). A shift amount that is negative or at least the bit width shifts every
bit out: the result is 0, or -1 for `shift_right` of a negative value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from xdsl.dialects.builtin import i1
from xdsl.ir import Attribute
from xdsl.irdl import irdl_op_definition

from infer.dialects.infer.base import InferOp, ShapeError, dims_of, element_of, is_int
from infer.dialects.infer.elementwise import BinaryOp, UnaryOp


def _check_integer(name: str, element: Attribute) -> None:
    if not is_int(element) or element == i1:
        raise ShapeError(f"{name} needs integer operands wider than one bit, got {element}")


class IntegerBinaryOp(BinaryOp):
    """Base of binary bitwise ops: integers (signed or unsigned), not i1."""

    @classmethod
    def check_element(cls, element: Attribute) -> None:
        _check_integer(cls.name, element)


@irdl_op_definition
class BitwiseAndOp(IntegerBinaryOp):
    """Elementwise bitwise and."""

    name = "infer.bitwise_and"


@irdl_op_definition
class BitwiseOrOp(IntegerBinaryOp):
    """Elementwise bitwise or."""

    name = "infer.bitwise_or"


@irdl_op_definition
class BitwiseXorOp(IntegerBinaryOp):
    """Elementwise bitwise exclusive or."""

    name = "infer.bitwise_xor"


@irdl_op_definition
class ShiftLeftOp(IntegerBinaryOp):
    """Elementwise `lhs << rhs`; an amount outside `[0, bits)` gives 0."""

    name = "infer.shift_left"


@irdl_op_definition
class ShiftRightOp(IntegerBinaryOp):
    """Elementwise `lhs >> rhs`, arithmetic on signed types, logical on unsigned ones; an
    amount outside `[0, bits)` gives 0, or -1 for a negative `lhs`."""

    name = "infer.shift_right"


@irdl_op_definition
class BitwiseNotOp(UnaryOp):
    """Elementwise bitwise complement of an integer tensor."""

    name = "infer.bitwise_not"

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        dims_of(operand_types[0])
        _check_integer(cls.name, element_of(operand_types[0]))
        return [operand_types[0]]


BITWISE_OPS: list[type[InferOp]] = [BitwiseAndOp, BitwiseOrOp, BitwiseXorOp, BitwiseNotOp, ShiftLeftOp, ShiftRightOp]
