"""Elementwise ops: arithmetic, comparisons, logic, unary math, select, clip, casts.

ONNX's multidirectional broadcasting becomes explicit here (`Conversion.broadcast`);
variadic ops (Sum, Mean, Max, Min) become chains of binary ops; Pow with an
exponent of another type gets a cast; Dropout in inference is the identity.
"""

from __future__ import annotations

from collections.abc import Callable

import ml_dtypes
import numpy as np
from onnx import TensorProto
from xdsl.dialects.builtin import (
    AnyFloat,
    Float8E8M0FNUType,
    FloatAttr,
    IntegerAttr,
    f64,
    i1,
)
from xdsl.ir import Attribute, SSAValue

from infer.dialects.dtypes import BY_MLIR, UnsupportedElementType, from_onnx, to_numpy
from infer.dialects.infer import ConstantOp, FillOp, constant_value
from infer.dialects.infer import elementwise as ew
from infer.dialects.infer.base import is_float
from infer.dialects.infer.elementwise import ROUND_MODES, SATURATING_TARGETS
from infer.dialects.infer.tensor import ShapeOfOp, UnsqueezeOp
from infer.lowering.onnx_to_infer.core import Conversion, converter

_BINARY: dict[str, type[ew.BinaryOp]] = {
    "Add": ew.AddOp,
    "Sub": ew.SubOp,
    "Mul": ew.MulOp,
    "Div": ew.DivOp,
    "Equal": ew.EqualOp,
    "Less": ew.LessOp,
    "LessOrEqual": ew.LessEqualOp,
    "Greater": ew.GreaterOp,
    "GreaterOrEqual": ew.GreaterEqualOp,
    "And": ew.AndOp,
    "Or": ew.OrOp,
    "Xor": ew.XorOp,
}

_UNARY: dict[str, type[ew.UnaryOp]] = {
    "Neg": ew.NegOp,
    "Abs": ew.AbsOp,
    "Sign": ew.SignOp,
    "Relu": ew.ReluOp,
    "Exp": ew.ExpOp,
    "Log": ew.LogOp,
    "Sqrt": ew.SqrtOp,
    "Reciprocal": ew.ReciprocalOp,
    "Tanh": ew.TanhOp,
    "Sigmoid": ew.SigmoidOp,
    "Erf": ew.ErfOp,
    "Floor": ew.FloorOp,
    "Ceil": ew.CeilOp,
    "Round": ew.RoundOp,
    "Sin": ew.SinOp,
    "Cos": ew.CosOp,
    "Tan": ew.TanOp,
    "Asin": ew.AsinOp,
    "Acos": ew.AcosOp,
    "Atan": ew.AtanOp,
    "Sinh": ew.SinhOp,
    "Cosh": ew.CoshOp,
    "Asinh": ew.AsinhOp,
    "Acosh": ew.AcoshOp,
    "Atanh": ew.AtanhOp,
    "Not": ew.NotOp,
    "IsNaN": ew.IsNaNOp,
}

_VARIADIC: dict[str, type[ew.BinaryOp]] = {
    "Sum": ew.AddOp,
    "Mean": ew.AddOp,
    "Max": ew.MaxOp,
    "Min": ew.MinOp,
}


def binary_operands(c: Conversion) -> list[SSAValue]:
    """The two operands of a binary node brought to one rank.

    From opset 7 broadcasting is numpy's. Before it, B broadcasts to A only with
    `broadcast=1`, its dims matching A's from `axis` on (by default, A's trailing
    dims): B gets size-1 dims before and after."""
    a, b = c.input(0), c.input(1)
    if c.version >= 7 or not c.attr("broadcast", 0):
        return c.broadcast(a, b)
    rank_a, rank_b = c.rank(a), c.rank(b)
    axis = c.attr("axis", rank_a - rank_b)
    if axis < 0:
        axis += rank_a
    if not 0 <= axis <= rank_a - rank_b:
        c.error(f"legacy broadcast of a rank-{rank_b} B at axis {axis} does not fit A of rank {rank_a}")
    for i, (da, db) in enumerate(zip(c.shape(a)[axis:], c.shape(b), strict=False)):
        if db not in (1, None) and da not in (None, db):
            c.error(f"legacy broadcast: B dim {i} is {db}, A dim {axis + i} is {da}")
    leading = c.to_rank(b, rank_b + axis)
    trailing = rank_a - axis - rank_b
    if trailing:
        leading = c.emit(UnsqueezeOp(leading, list(range(rank_b + axis, rank_a))))
    return [a, leading]


def _binary(op_class: type[ew.BinaryOp]) -> Callable[[Conversion], SSAValue]:
    def convert(c: Conversion) -> SSAValue:
        lhs, rhs = binary_operands(c)
        return c.emit(op_class(lhs, rhs))

    return convert


def _unary(op_class: type[ew.UnaryOp]) -> Callable[[Conversion], SSAValue]:
    def convert(c: Conversion) -> SSAValue:
        return c.emit(op_class(c.input(0)))

    return convert


def _variadic(op_type: str, op_class: type[ew.BinaryOp]) -> Callable[[Conversion], SSAValue]:
    def convert(c: Conversion) -> SSAValue:
        values = c.inputs()
        if not values:
            c.error("needs at least one input")
        operands = c.broadcast(*values)
        result = operands[0]
        for operand in operands[1:]:
            result = c.emit(op_class(result, operand))
        if op_type == "Mean" and len(values) > 1:
            result = c.emit(ew.DivOp(result, c.scalar_like(len(values), result)))
        return result

    return convert


for _name, _binary_class in _BINARY.items():
    converter(_name)(_binary(_binary_class))
for _name, _unary_class in _UNARY.items():
    converter(_name)(_unary(_unary_class))
for _name, _variadic_class in _VARIADIC.items():
    converter(_name)(_variadic(_name, _variadic_class))


def cast_to(
    c: Conversion, value: SSAValue, element: Attribute, saturate: bool = False, round_mode: str | None = None
) -> SSAValue:
    """`value` with element type `element`: a new constant for a constant, else `infer.cast`
    (`saturate` and `round_mode` as `infer.cast` defines them)."""
    if c.element(value) == element:
        return value
    array = constant_value(value)
    if array is not None and element in BY_MLIR and BY_MLIR[element].numpy is not None:
        from infer.runtime.reference.elementwise import cast_array

        return c.constant(cast_array(array, to_numpy(element), saturate, round_mode), element)
    return c.emit(ew.CastOp(value, element, saturate=saturate, round_mode=round_mode))


@converter("Pow")
def pow_(c: Conversion) -> SSAValue:
    base, exponent = binary_operands(c)
    base_type, exponent_type = c.element(base), c.element(exponent)
    if is_float(base_type) or not is_float(exponent_type):
        # Pow-12+: the exponent may have another type; the result has the base's.
        return c.emit(ew.PowOp(base, cast_to(c, exponent, base_type)))
    # An integer base with a fractional exponent: compute in f64, truncate back.
    result = c.emit(ew.PowOp(cast_to(c, base, f64), cast_to(c, exponent, f64)))
    return c.emit(ew.CastOp(result, base_type))


@converter("Mod")
def mod(c: Conversion) -> SSAValue:
    fmod = c.attr("fmod", 0)
    if fmod not in (0, 1):
        c.unsupported_attr("fmod", fmod, "0 or 1")
    lhs, rhs = c.broadcast(c.input(0), c.input(1))
    if not fmod and is_float(c.element(lhs)) and c.version < 28:
        c.error("fmod = 0 on floating-point inputs is invalid before Mod-28", hint="set fmod = 1")
    return c.emit(ew.ModOp(lhs, rhs, fmod=bool(fmod)))


@converter("Where")
def where(c: Conversion) -> SSAValue:
    condition, true_value, false_value = c.broadcast(c.input(0), c.input(1), c.input(2))
    return c.emit(ew.SelectOp(condition, true_value, false_value))


@converter("IsInf")
def is_inf(c: Conversion) -> SSAValue:
    return c.emit(
        ew.IsInfOp(
            c.input(0),
            detect_positive=bool(c.attr("detect_positive", 1)),
            detect_negative=bool(c.attr("detect_negative", 1)),
        )
    )


@converter("Identity")
def identity(c: Conversion) -> SSAValue:
    return c.input(0)


# -- clip ---------------------------------------------------------------------------------


def _bound(c: Conversion, array: np.ndarray, name: str) -> float | int:
    if array.size != 1:
        c.error(f"'{name}' must be a scalar, got shape {list(array.shape)}")
    value = array.reshape(-1)[0]
    return float(value) if array.dtype.kind == "f" else int(value)


@converter("Clip", until=10)
def clip_attributes(c: Conversion) -> SSAValue:
    # Clip-6: the defaults are +-FLT_MAX, and they do clip infinities.
    return c.emit(ew.ClipOp(c.input(0), float(c.attr("min")), float(c.attr("max"))))


def _type_limits(c: Conversion, x: SSAValue) -> tuple[float | None, float | None]:
    """The bounds of an absent Clip input: numeric_limits lowest() and max() of the
    element type. They clip infinities of a float input; for integers they are no-ops."""
    element = c.element(x)
    if not is_float(element) or element not in BY_MLIR or BY_MLIR[element].numpy is None:
        return None, None
    info = ml_dtypes.finfo(BY_MLIR[element].numpy)  # numpy's finfo knows no bf16 or float8
    return float(info.min), float(info.max)


@converter("Clip", since=11)
def clip(c: Conversion) -> SSAValue:
    """`min(max(x, min), max)`: constant bounds become properties of `infer.clip`,
    bounds computed at run time become `infer.max` / `infer.min`, in that order."""
    x = c.input(0)
    low, high = c.optional_input(1), c.optional_input(2)
    for name, value in (("min", low), ("max", high)):
        if value is not None and any(d not in (1, None) for d in c.shape(value)):
            c.error(f"'{name}' must be a scalar, got a tensor of shape {list(c.shape(value))}")
    lowest, highest = _type_limits(c, x)
    low_bound = lowest if low is None else None if c.const(1) is None else _bound(c, c.require_const(1), "min")
    high_bound = highest if high is None else None if c.const(2) is None else _bound(c, c.require_const(2), "max")
    if low is not None and low_bound is None:
        x = c.emit(ew.MaxOp(x, c.to_rank(low, c.rank(x))))
        if high_bound is not None:
            return c.emit(ew.ClipOp(x, None, high_bound))
    elif low_bound is not None or high_bound is not None:
        x = c.emit(ew.ClipOp(x, low_bound, high_bound))
    if high is not None and high_bound is None:
        x = c.emit(ew.MinOp(x, c.to_rank(high, c.rank(x))))
    return x


# -- casts ----------------------------------------------------------------------------------


def _cast(c: Conversion, target: Attribute) -> SSAValue:
    """Cast-19+ and CastLike-19+ `saturate` (default 1) applies to float8 targets;
    Cast-24+ and CastLike-24+ `round_mode` (default "up") to float8e8m0 only."""
    saturate = isinstance(target, SATURATING_TARGETS) and bool(c.attr("saturate", 1))
    round_mode = None
    if isinstance(target, Float8E8M0FNUType):
        round_mode = c.attr("round_mode", "up")
        if round_mode not in ROUND_MODES:
            c.unsupported_attr("round_mode", round_mode, ", ".join(f'"{m}"' for m in ROUND_MODES))
    return cast_to(c, c.input(0), target, saturate, round_mode)


@converter("Cast")
def cast(c: Conversion) -> SSAValue:
    to = c.attr("to")
    try:
        target = from_onnx(to)
    except UnsupportedElementType:
        name = TensorProto.DataType.Name(to) if to in TensorProto.DataType.values() else str(to)
        c.error(f"Cast to {name} is not supported")
    return _cast(c, target)


@converter("CastLike")
def cast_like(c: Conversion) -> SSAValue:
    return _cast(c, c.element(c.input(1)))


# -- dropout ------------------------------------------------------------------------------------


@converter("Dropout", since=7)
def dropout(c: Conversion) -> list[SSAValue | None]:
    """Inference: the output is the input, the mask (if used) is all ones."""
    x = c.input(0)
    if c.has_input(2):
        training = c.require_const(2, "training_mode")
        if training.any():
            c.error("training_mode = true is not supported", hint="infer compiles for inference only")
    mask_used = len(c.op.results) > 1 and bool(c.op.results[1].uses)
    if not mask_used:
        return [x, None]
    # Dropout-7 has a mask of the data's type; later versions a bool one.
    element = c.element(x) if c.version < 10 else i1
    dims = c.shape(x)
    if all(d is not None for d in dims):
        return [x, c.emit(ConstantOp.splat(1, c.tensor(element, dims)))]
    one = FloatAttr(1.0, element) if isinstance(element, AnyFloat) else IntegerAttr(1, i1)
    return [x, c.emit(FillOp(c.emit(ShapeOfOp(x)), one, c.tensor(element, dims)))]
