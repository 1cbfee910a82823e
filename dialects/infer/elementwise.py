"""Elementwise ops: unary math, binary arithmetic, comparisons, select, clip, cast.

Binary ops take operands of equal rank and element type; a dim of size 1
stretches to the other operand's dim (see `base.broadcast_shapes`):

    %z = infer.add %x, %b : (tensor<?x64x?x?xf32>, tensor<1x64x1x1xf32>) -> tensor<?x64x?x?xf32>
    %r = infer.relu %z : (tensor<?x64x?x?xf32>) -> tensor<?x64x?x?xf32>
    %q = infer.div %i, %j : (tensor<4xi32>, tensor<1xi32>) -> tensor<4xi32>
    %o = infer.mod %i, %j {fmod} : (tensor<4xi32>, tensor<1xi32>) -> tensor<4xi32>
    %m = infer.less %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
    %n = infer.is_nan %x : (tensor<4xf32>) -> tensor<4xi1>
    %f = infer.is_inf %x {detect_negative = false} : (tensor<4xf32>) -> tensor<4xi1>
    %s = infer.select %m, %x, %y : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %c = infer.clip %x {min = 0.0 : f64, max = 6.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
    %k = infer.clip %i {min = 0 : i64} : (tensor<4xi32>) -> tensor<4xi32>
    %i = infer.cast %x : (tensor<4xf32>) -> tensor<4xi64>
    %h = infer.cast %x {saturate} : (tensor<4xf32>) -> tensor<4xf8E4M3FN>

Arithmetic (`add` ... `mod`, `neg`, `abs`, `sign`, `relu`) is defined on
integers and floats, not on i1; the unary math functions (`exp`, `sin`,
`erf`, ...) on floats only; logical ops on i1 only. Integer arithmetic wraps
around on overflow; integer division by zero is undefined.

On the narrow floats (bf16, the f8, f6 and f4 types) every op computes in f32
and rounds its result to the element type (to nearest even, overflowing as
`infer.cast` without `saturate` does): `infer.add` on bf16 is
`cast(add(cast(a, f32), cast(b, f32)), bf16)`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from xdsl.dialects.builtin import (
    BoolAttr,
    Float8E4M3FNType,
    Float8E4M3FNUZType,
    Float8E5M2FNUZType,
    Float8E5M2Type,
    Float8E8M0FNUType,
    FloatAttr,
    IntegerAttr,
    StringAttr,
    TensorType,
    UnitAttr,
    f64,
    i1,
    i64,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import base, irdl_op_definition, operand_def, opt_prop_def, prop_def, result_def, traits_def
from xdsl.traits import Pure

from infer.dialects.infer.base import (
    InferOp,
    ShapeError,
    broadcast_shapes,
    dims_of,
    element_of,
    is_float,
    is_int,
    tensor_type,
)


def is_numeric(element: Attribute) -> bool:
    """Floats and integers wider than one bit (i1 is a truth value, not a number)."""
    return is_float(element) or (is_int(element) and element != i1)


class UnaryOp(InferOp):
    """Base of elementwise ops with one operand and a result of the same type."""

    input = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    FLOAT_ONLY: ClassVar[bool] = True

    def __init__(self, input: SSAValue) -> None:
        self._build([input])

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        t = operand_types[0]
        dims_of(t)
        if cls.FLOAT_ONLY and not is_float(element_of(t)):
            raise ShapeError(f"{cls.name} needs a floating-point tensor, got {t}")
        if not cls.FLOAT_ONLY and not is_numeric(element_of(t)):
            raise ShapeError(f"{cls.name} needs an integer or floating-point tensor, got {t}")
        return [t]


class UnaryAnyOp(UnaryOp):
    """A unary op defined on integers as well as floats."""

    FLOAT_ONLY: ClassVar[bool] = False


@irdl_op_definition
class NegOp(UnaryAnyOp):
    """Elementwise `-x`."""

    name = "infer.neg"


@irdl_op_definition
class AbsOp(UnaryAnyOp):
    """Elementwise `|x|`."""

    name = "infer.abs"


@irdl_op_definition
class SignOp(UnaryAnyOp):
    """Elementwise sign: -1, 0 or 1 (zero for both zeros; NaN stays NaN)."""

    name = "infer.sign"


@irdl_op_definition
class ReluOp(UnaryAnyOp):
    """Elementwise `max(x, 0)` (NaN stays NaN)."""

    name = "infer.relu"


@irdl_op_definition
class ExpOp(UnaryOp):
    """Elementwise `e^x`."""

    name = "infer.exp"


@irdl_op_definition
class LogOp(UnaryOp):
    """Elementwise natural logarithm."""

    name = "infer.log"


@irdl_op_definition
class SqrtOp(UnaryOp):
    """Elementwise square root."""

    name = "infer.sqrt"


@irdl_op_definition
class ReciprocalOp(UnaryOp):
    """Elementwise `1 / x`."""

    name = "infer.reciprocal"


@irdl_op_definition
class TanhOp(UnaryOp):
    """Elementwise hyperbolic tangent."""

    name = "infer.tanh"


@irdl_op_definition
class SigmoidOp(UnaryOp):
    """Elementwise logistic function `1 / (1 + e^-x)`."""

    name = "infer.sigmoid"


@irdl_op_definition
class ErfOp(UnaryOp):
    """Elementwise Gauss error function."""

    name = "infer.erf"


@irdl_op_definition
class FloorOp(UnaryOp):
    """Elementwise rounding towards -inf."""

    name = "infer.floor"


@irdl_op_definition
class CeilOp(UnaryOp):
    """Elementwise rounding towards +inf."""

    name = "infer.ceil"


@irdl_op_definition
class RoundOp(UnaryOp):
    """Elementwise rounding to the nearest integer, halves to even."""

    name = "infer.round"


@irdl_op_definition
class SinOp(UnaryOp):
    """Elementwise sine."""

    name = "infer.sin"


@irdl_op_definition
class CosOp(UnaryOp):
    """Elementwise cosine."""

    name = "infer.cos"


@irdl_op_definition
class TanOp(UnaryOp):
    """Elementwise tangent."""

    name = "infer.tan"


@irdl_op_definition
class AsinOp(UnaryOp):
    """Elementwise arcsine (NaN outside [-1, 1])."""

    name = "infer.asin"


@irdl_op_definition
class AcosOp(UnaryOp):
    """Elementwise arccosine (NaN outside [-1, 1])."""

    name = "infer.acos"


@irdl_op_definition
class AtanOp(UnaryOp):
    """Elementwise arctangent."""

    name = "infer.atan"


@irdl_op_definition
class SinhOp(UnaryOp):
    """Elementwise hyperbolic sine."""

    name = "infer.sinh"


@irdl_op_definition
class CoshOp(UnaryOp):
    """Elementwise hyperbolic cosine."""

    name = "infer.cosh"


@irdl_op_definition
class AsinhOp(UnaryOp):
    """Elementwise inverse hyperbolic sine."""

    name = "infer.asinh"


@irdl_op_definition
class AcoshOp(UnaryOp):
    """Elementwise inverse hyperbolic cosine (NaN below 1)."""

    name = "infer.acosh"


@irdl_op_definition
class AtanhOp(UnaryOp):
    """Elementwise inverse hyperbolic tangent (NaN outside [-1, 1])."""

    name = "infer.atanh"


@irdl_op_definition
class NotOp(UnaryOp):
    """Elementwise logical not of an i1 tensor."""

    name = "infer.not"

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        if element_of(operand_types[0]) != i1:
            raise ShapeError(f"infer.not needs an i1 tensor, got {operand_types[0]}")
        return [operand_types[0]]


@irdl_op_definition
class IdentityOp(UnaryOp):
    """The operand itself, of any element type (kept so that rewrites can remove it)."""

    name = "infer.identity"

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        dims_of(operand_types[0])
        return [operand_types[0]]


class PredicateOp(UnaryOp):
    """Base of tests on the values of a floating-point tensor: i1 result."""

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        t = operand_types[0]
        if not is_float(element_of(t)):
            raise ShapeError(f"{cls.name} needs a floating-point tensor, got {t}")
        return [tensor_type(i1, dims_of(t))]


@irdl_op_definition
class IsNaNOp(PredicateOp):
    """Elementwise `x is NaN`."""

    name = "infer.is_nan"


@irdl_op_definition
class IsInfOp(PredicateOp):
    """Elementwise `x is +inf` (if `detect_positive`) or `x is -inf` (if `detect_negative`)."""

    name = "infer.is_inf"
    detect_positive = prop_def(BoolAttr, default_value=BoolAttr.from_bool(True))
    detect_negative = prop_def(BoolAttr, default_value=BoolAttr.from_bool(True))

    def __init__(self, input: SSAValue, detect_positive: bool = True, detect_negative: bool = True) -> None:
        self._build(
            [input],
            {
                "detect_positive": BoolAttr.from_bool(detect_positive),
                "detect_negative": BoolAttr.from_bool(detect_negative),
            },
        )


# -- binary ----------------------------------------------------------------------------


class BinaryOp(InferOp):
    """Base of elementwise ops on two operands of equal rank and element type."""

    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue) -> None:
        self._build([lhs, rhs])

    @classmethod
    def result_element(cls, element: Attribute) -> Attribute:
        return element

    @classmethod
    def check_element(cls, element: Attribute) -> None:
        """Raises ShapeError if the op is not defined on `element` (any type by default)."""

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        a, b = operand_types
        if element_of(a) != element_of(b):
            raise ShapeError(f"{cls.name} operands must have one element type, got {a} and {b}")
        cls.check_element(element_of(a))
        shape = broadcast_shapes([dims_of(a), dims_of(b)], f"{cls.name} operands")
        return [tensor_type(cls.result_element(element_of(a)), shape)]


class ArithmeticOp(BinaryOp):
    """Base of binary arithmetic: integers and floats, not i1."""

    @classmethod
    def check_element(cls, element: Attribute) -> None:
        if not is_numeric(element):
            raise ShapeError(f"{cls.name} needs integer or floating-point operands, got {element}")


@irdl_op_definition
class AddOp(ArithmeticOp):
    """Elementwise `lhs + rhs`."""

    name = "infer.add"


@irdl_op_definition
class SubOp(ArithmeticOp):
    """Elementwise `lhs - rhs`."""

    name = "infer.sub"


@irdl_op_definition
class MulOp(ArithmeticOp):
    """Elementwise `lhs * rhs`."""

    name = "infer.mul"


@irdl_op_definition
class DivOp(ArithmeticOp):
    """Elementwise `lhs / rhs`; integer division truncates towards zero."""

    name = "infer.div"


@irdl_op_definition
class PowOp(ArithmeticOp):
    """Elementwise `lhs ^ rhs`; for integers, a negative exponent gives the
    truncated quotient `1 / lhs^-rhs` (0 unless `lhs` is 1 or -1)."""

    name = "infer.pow"


@irdl_op_definition
class MaxOp(BinaryOp):
    """Elementwise maximum; NaN if either is NaN (on i1, logical or)."""

    name = "infer.max"


@irdl_op_definition
class MinOp(BinaryOp):
    """Elementwise minimum; NaN if either is NaN (on i1, logical and)."""

    name = "infer.min"


@irdl_op_definition
class ModOp(ArithmeticOp):
    """Elementwise remainder with the sign of the divisor (`lhs - floor(lhs / rhs) * rhs`,
    Python's `%`); with the `fmod` unit attribute, with the sign of the dividend
    (`lhs - trunc(lhs / rhs) * rhs`, C's `fmod`)."""

    name = "infer.mod"
    fmod = opt_prop_def(UnitAttr)

    def __init__(self, lhs: SSAValue, rhs: SSAValue, fmod: bool = False) -> None:
        self._build([lhs, rhs], {"fmod": UnitAttr() if fmod else None})


class CompareOp(BinaryOp):
    """Base of comparisons: i1 result."""

    @classmethod
    def result_element(cls, element: Attribute) -> Attribute:
        return i1


@irdl_op_definition
class EqualOp(CompareOp):
    """Elementwise `lhs == rhs`."""

    name = "infer.equal"


@irdl_op_definition
class LessOp(CompareOp):
    """Elementwise `lhs < rhs`."""

    name = "infer.less"


@irdl_op_definition
class LessEqualOp(CompareOp):
    """Elementwise `lhs <= rhs`."""

    name = "infer.less_equal"


@irdl_op_definition
class GreaterOp(CompareOp):
    """Elementwise `lhs > rhs`."""

    name = "infer.greater"


@irdl_op_definition
class GreaterEqualOp(CompareOp):
    """Elementwise `lhs >= rhs`."""

    name = "infer.greater_equal"


class LogicalOp(BinaryOp):
    """Base of logical ops on i1 tensors."""

    @classmethod
    def check_element(cls, element: Attribute) -> None:
        if element != i1:
            raise ShapeError(f"{cls.name} needs i1 operands, got {element}")


@irdl_op_definition
class AndOp(LogicalOp):
    """Elementwise logical and."""

    name = "infer.and"


@irdl_op_definition
class OrOp(LogicalOp):
    """Elementwise logical or."""

    name = "infer.or"


@irdl_op_definition
class XorOp(LogicalOp):
    """Elementwise logical exclusive or."""

    name = "infer.xor"


# -- others ------------------------------------------------------------------------------


@irdl_op_definition
class SelectOp(InferOp):
    """Elementwise `condition ? true_value : false_value`, all three broadcast."""

    name = "infer.select"
    condition = operand_def(TensorType)
    true_value = operand_def(TensorType)
    false_value = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$condition `,` $true_value `,` $false_value attr-dict `:` functional-type(operands, results)"

    def __init__(self, condition: SSAValue, true_value: SSAValue, false_value: SSAValue) -> None:
        self._build([condition, true_value, false_value])

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        c, a, b = operand_types
        if element_of(c) != i1:
            raise ShapeError(f"infer.select condition must be i1, got {c}")
        if element_of(a) != element_of(b):
            raise ShapeError(f"infer.select values must have one element type, got {a} and {b}")
        shape = broadcast_shapes([dims_of(c), dims_of(a), dims_of(b)], "infer.select operands")
        return [tensor_type(element_of(a), shape)]


def _bound(value: float | int | None, element: Attribute) -> FloatAttr | IntegerAttr | None:
    if value is None:
        return None
    if is_float(element):
        return FloatAttr(float(value), f64)
    return IntegerAttr(int(value), i64)


@irdl_op_definition
class ClipOp(InferOp):
    """Elementwise `min(max(x, min), max)`; an absent bound does not clip. Bounds
    are f64 for a floating-point input, i64 for an integer one (NaN stays NaN)."""

    name = "infer.clip"
    input = operand_def(TensorType)
    min = opt_prop_def(base(FloatAttr) | base(IntegerAttr))
    max = opt_prop_def(base(FloatAttr) | base(IntegerAttr))
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, min: float | int | None = None, max: float | int | None = None) -> None:
        element = element_of(input.type)
        self._build([input], {"min": _bound(min, element), "max": _bound(max, element)})

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        t = operand_types[0]
        dims_of(t)
        element = element_of(t)
        if not is_numeric(element):
            raise ShapeError(f"infer.clip needs an integer or floating-point tensor, got {t}")
        expected = FloatAttr if is_float(element) else IntegerAttr
        for name in ("min", "max"):
            bound = properties.get(name)
            if bound is not None and not isinstance(bound, expected):
                kind = "a float" if expected is FloatAttr else "an integer"
                raise ShapeError(f"infer.clip bound '{name}' must be {kind} for {t}, got {bound}")
        return [t]


SATURATING_TARGETS = (
    Float8E4M3FNType,
    Float8E4M3FNUZType,
    Float8E5M2Type,
    Float8E5M2FNUZType,
    Float8E8M0FNUType,
)
"""Element types a cast may convert to with `saturate`."""

ROUND_MODES = ("up", "down", "nearest")
"""The `round_mode`s of a cast to f8E8M0FNU."""


@irdl_op_definition
class CastOp(InferOp):
    """Elementwise conversion to the result's element type.

    Floats to integers truncate towards zero and saturate to the integer range,
    NaN to 0 (to the sub-byte i4/ui4/i2/ui2 they saturate to the i64 range and
    then wrap around, as ONNX's conformance tests expect); integers to narrower
    integers wrap around; to i1, nonzero and NaN are true. Floats to floats round to nearest
    even; out of range they become +-inf where the target has infinities and NaN
    where it has not (f8E4M3FN, the FNUZ types; f4E2M1FN and f6 clamp to their
    largest finite value, having no NaN either).

    With the `saturate` unit attribute (float8 targets only, ONNX's default)
    infinities and values beyond the target's largest finite value become that
    value, with their sign; NaN stays NaN. A cast to f8E8M0FNU (powers of two,
    2^-127 .. 2^127, and NaN) takes the exponent of the float32 value,
    rounded by `round_mode` ("up", the default: any fraction adds one; "down":
    dropped; "nearest": half rounds up), with the sign ignored; with `saturate`
    the largest exponent stays and +-inf becomes 2^127, without it they become NaN.

        %h = infer.cast %x {saturate} : (tensor<4xf32>) -> tensor<4xf8E4M3FN>
        %e = infer.cast %x {saturate, round_mode = "nearest"} : (tensor<4xf32>) -> tensor<4xf8E8M0FNU>
    """

    name = "infer.cast"
    input = operand_def(TensorType)
    result = result_def(TensorType)
    saturate = opt_prop_def(UnitAttr)
    round_mode = opt_prop_def(StringAttr)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(
        self, input: SSAValue, element_type: Attribute, saturate: bool = False, round_mode: str | None = None
    ) -> None:
        self._build(
            [input],
            {
                "saturate": UnitAttr() if saturate else None,
                "round_mode": None if round_mode is None else StringAttr(round_mode),
            },
            result_types=[tensor_type(element_type, dims_of(input.type))],
        )

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        # The element type is the op's own choice: the rule fixes only the shape.
        raise NotImplementedError

    def inferred_result_types(self) -> list[Attribute]:
        target = element_of(self.result.type)
        if self.saturate is not None and not isinstance(target, SATURATING_TARGETS):
            raise ShapeError(f"{self.name}: saturate applies to float8 targets only, not to {target}")
        if self.round_mode is not None:
            if not isinstance(target, Float8E8M0FNUType):
                raise ShapeError(f"{self.name}: round_mode applies to f8E8M0FNU targets only, not to {target}")
            if self.round_mode.data not in ROUND_MODES:
                raise ShapeError(f"{self.name}: round_mode must be one of {', '.join(ROUND_MODES)}")
        return [tensor_type(target, dims_of(self.input.type))]


UNARY_OPS: list[type[InferOp]] = [
    NegOp, AbsOp, SignOp, ReluOp, ExpOp, LogOp, SqrtOp, ReciprocalOp, TanhOp, SigmoidOp,
    ErfOp, FloorOp, CeilOp, RoundOp, SinOp, CosOp, TanOp, AsinOp, AcosOp, AtanOp,
    SinhOp, CoshOp, AsinhOp, AcoshOp, AtanhOp, NotOp, IdentityOp, IsNaNOp, IsInfOp,
]  # fmt: skip
BINARY_OPS: list[type[InferOp]] = [
    AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp, ModOp,
    EqualOp, LessOp, LessEqualOp, GreaterOp, GreaterEqualOp, AndOp, OrOp, XorOp,
]  # fmt: skip
ELEMENTWISE_OPS: list[type[InferOp]] = [*UNARY_OPS, *BINARY_OPS, SelectOp, ClipOp, CastOp]
