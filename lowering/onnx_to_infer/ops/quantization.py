"""QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear.

ONNX's scale and zero point are a scalar (per tensor), a 1-D tensor along
`axis` (per axis) or, from version 21, a tensor of the input's rank with
`ceil(D / block_size)` entries along `axis` (blocked); here they get the
input's rank (explicit broadcasting) and blocking stays a property of the
composite. QuantizeLinear's division runs in the type numpy would pick for
`x / y_scale` (the wider float; f64 when an integer is involved), or in
`precision` when given: the input and scale are cast to it. Integer quantized
types (int8, uint8, int16, uint16, and int32 for DequantizeLinear) are
supported; float8, int4, uint4, int2, uint2, float4 and float6 are diagnostics.

DynamicQuantizeLinear becomes core ops computing the uint8 scale and zero
point from the input's range (widened to include 0; an all-zero input gets the
scale 1, as in onnxruntime, where onnx's reference evaluator gives 1 / 255) and
an `infer.quantize_linear` with them.

The integer products (MatMulInteger, ConvInteger) subtract the zero points
from their uint8/int8 operands in i32 and multiply there (`infer.matmul`,
`infer.conv` on i32, accumulating in i32 and wrapping around on overflow as
onnxruntime does). The quantized ones (QLinearMatMul, QLinearConv) then
requantize as onnxruntime does: the i32 sum (plus QLinearConv's i32 bias) in f32
times the multiplier `a_scale * b_scale / y_scale` (per output row, column or
channel), rounded half to even, plus the output zero point, saturated.
"""

from __future__ import annotations

from onnx import TensorProto
from xdsl.dialects.builtin import (
    AnyFloat,
    BFloat16Type,
    Float16Type,
    Float32Type,
    Float64Type,
    IntegerType,
    Signedness,
    f32,
    f64,
    i32,
)
from xdsl.ir import Attribute, SSAValue

from infer.dialects.dtypes import BY_MLIR, UnsupportedElementType, from_onnx
from infer.dialects.infer import constant_value
from infer.dialects.infer import elementwise as ew
from infer.dialects.infer.elementwise import CastOp
from infer.dialects.infer.quantization import DequantizeLinearOp, QuantizeLinearOp, is_quantized_int
from infer.dialects.infer.reduction import ReduceMaxOp, ReduceMinOp
from infer.dialects.infer.tensor import ReshapeOp, UnsqueezeOp
from infer.lowering.onnx_to_infer.core import Conversion, converter
from infer.lowering.onnx_to_infer.ops.matmul import numpy_matmul
from infer.lowering.onnx_to_infer.ops.nn import onnx_conv
from infer.lowering.onnx_to_infer.ops.reduction import shape_checked


def type_name(element: Attribute) -> str:
    entry = BY_MLIR.get(element)
    return entry.onnx_name if entry is not None else str(element)


def check_quantized(c: Conversion, element: Attribute, what: str, allowed: tuple[int, ...] = (8, 16)) -> None:
    """A diagnostic naming the type when `element` is not an integer quantized type infer supports."""
    if is_quantized_int(element) and element.bitwidth in allowed:  # type: ignore[attr-defined]
        return
    names = ", ".join({8: "int8, uint8", 16: "int16, uint16", 32: "int32"}[bits] for bits in allowed)
    c.error(f"{what} of type {type_name(element)} is not supported", hint=f"supported types: {names}")


def cast_value(c: Conversion, value: SSAValue, element: Attribute) -> SSAValue:
    if c.element(value) == element:
        return value
    array = constant_value(value)
    if array is not None and BY_MLIR[element].numpy is not None:
        return c.constant(array, element)
    return c.emit(CastOp(value, element))


def quant_param(c: Conversion, value: SSAValue, rank: int, axis: int, blocked: bool) -> SSAValue:
    """A scale or zero point given the input's rank: per tensor ([1] * rank), per axis
    (the 1-D parameter along `axis`), or blocked (already of the input's rank)."""
    dims = c.shape(value)
    if blocked:
        if len(dims) != rank:
            c.error(f"blocked quantization needs a scale and zero point of rank {rank}, got shape {list(dims)}")
        return value
    if len(dims) > 1:
        c.error(
            f"scale and zero point must be a scalar or 1-D, got shape {list(dims)}",
            hint="blocked quantization (a parameter of the input's rank) needs block_size > 0 (version 21)",
        )
    per_tensor = len(dims) == 0 or dims[0] == 1
    shape = [1] * rank
    if not per_tensor:
        if rank == 0:
            c.error("a 1-D scale needs an input of rank >= 1")
        shape[axis] = dims[0] if dims[0] is not None else -1
    array = constant_value(value)
    if array is not None:
        return c.constant(array.reshape(shape))
    if len(dims) == 1 and per_tensor:
        return c.emit(ReshapeOp(value, result_type=c.tensor(c.element(value), shape))) if rank != 1 else value
    return c.emit(UnsqueezeOp(value, [i for i in range(rank) if per_tensor or i != axis]))


def quant_axis(c: Conversion, rank: int, needed: bool) -> int:
    """The `axis` attribute in [0, rank); checked only where per-axis or blocked parameters need it."""
    axis = c.attr("axis", 1) if c.version >= 13 else 1
    if not needed:
        return axis % rank if rank else 0
    if not -rank <= axis < rank:
        c.error(f"axis {axis} is out of range for an input of rank {rank}")
    return axis % rank


def per_tensor(c: Conversion, value: SSAValue) -> bool:
    dims = c.shape(value)
    return len(dims) == 0 or (len(dims) == 1 and dims[0] == 1)


def block_size_of(c: Conversion) -> int:
    block_size = c.attr("block_size", 0) if c.version >= 21 else 0
    if block_size < 0:
        c.unsupported_attr("block_size", block_size, "a positive block size, or 0 (not blocked)")
    return block_size


SCALE_TYPES = (Float16Type, BFloat16Type, Float32Type, Float64Type)
"""The float types a scale can have here (float8e8m0 scales are out of scope)."""


def check_scale(c: Conversion, element: Attribute, allow_int32: bool = False) -> None:
    if isinstance(element, SCALE_TYPES) or (allow_int32 and element == i32):
        return
    c.error(f"scale of type {type_name(element)} is not supported", hint="use float, float16 or bfloat16")


def _division_type(c: Conversion, x: Attribute, scale: Attribute) -> Attribute:
    """The float type of `x / y_scale`: `precision` when given, else numpy's choice."""
    precision = c.attr("precision", 0) if c.version >= 23 else 0
    if precision:
        try:
            element = from_onnx(precision)
        except UnsupportedElementType:
            c.unsupported_attr("precision", precision, "float, float16, bfloat16 or double")
        if not isinstance(element, AnyFloat):
            c.unsupported_attr("precision", type_name(element), "float, float16, bfloat16 or double")
        return element
    if not isinstance(x, AnyFloat) or not isinstance(scale, AnyFloat):
        return f64
    if x == scale:
        return x
    if isinstance(x, Float64Type) or isinstance(scale, Float64Type):
        return f64
    if {type(x), type(scale)} == {Float16Type, BFloat16Type}:
        return f32
    return x if x.bitwidth > scale.bitwidth else scale


@converter("QuantizeLinear")
@shape_checked
def quantize_linear(c: Conversion) -> SSAValue:
    x, scale, zero_point = c.input(0), c.input(1), c.optional_input(2)
    rank = c.rank(x)
    if zero_point is not None:
        output = c.element(zero_point)
    else:
        output_dtype = c.attr("output_dtype", 0) if c.version >= 21 else 0
        try:
            output = from_onnx(output_dtype) if output_dtype else IntegerType(8, Signedness.UNSIGNED)
        except UnsupportedElementType:
            c.unsupported_attr("output_dtype", output_dtype, "int8, uint8, int16 or uint16")
    check_quantized(c, output, "quantization to a tensor")
    check_scale(c, c.element(scale), allow_int32=True)
    block_size = block_size_of(c)
    axis = quant_axis(c, rank, block_size > 0 or not per_tensor(c, c.input(1)))
    element = _division_type(c, c.element(x), c.element(scale))
    scale = quant_param(c, cast_value(c, scale, element), rank, axis, block_size > 0)
    if zero_point is not None:
        zero_point = quant_param(c, zero_point, rank, axis, block_size > 0)
    x = cast_value(c, x, element)
    return c.emit(QuantizeLinearOp(x, scale, zero_point, output, axis=axis, block_size=block_size or None))


@converter("DequantizeLinear")
@shape_checked
def dequantize_linear(c: Conversion) -> SSAValue:
    x, scale, zero_point = c.input(0), c.input(1), c.optional_input(2)
    rank = c.rank(x)
    check_quantized(c, c.element(x), "dequantization of a tensor", (8, 16, 32))
    output = c.element(scale)
    output_dtype = c.attr("output_dtype", 0) if c.version >= 23 else 0
    if output_dtype:
        if output_dtype not in (TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.BFLOAT16):
            c.unsupported_attr("output_dtype", output_dtype, "float, float16 or bfloat16")
        output = from_onnx(output_dtype)
    check_scale(c, c.element(scale))
    block_size = block_size_of(c)
    axis = quant_axis(c, rank, block_size > 0 or not per_tensor(c, c.input(1)))
    scale = quant_param(c, scale, rank, axis, block_size > 0)
    if zero_point is not None:
        zero_point = quant_param(c, zero_point, rank, axis, block_size > 0)
    return c.emit(DequantizeLinearOp(x, scale, zero_point, output, axis=axis, block_size=block_size or None))


@converter("DynamicQuantizeLinear")
@shape_checked
def dynamic_quantize_linear(c: Conversion) -> list[SSAValue]:
    """`scale = (max(x, 0) - min(x, 0)) / 255`, `zero_point = round(clip(-min(x, 0) / scale, 0, 255))`."""
    x = c.input(0)
    rank = c.rank(x)
    if c.element(x) != f32:
        c.error(f"input of type {type_name(c.element(x))} is not supported", hint="DynamicQuantizeLinear takes float")
    axes = list(range(rank))
    zero, levels = c.scalar_like(0.0, x), c.scalar_like(255.0, x)
    # A scalar is its own maximum and minimum.
    high = c.emit(ew.MaxOp(c.emit(ReduceMaxOp(x, axes, keepdims=True)) if rank else x, zero))
    low = c.emit(ew.MinOp(c.emit(ReduceMinOp(x, axes, keepdims=True)) if rank else x, zero))
    spread = c.emit(ew.SubOp(high, low))
    spread = c.emit(ew.SelectOp(c.emit(ew.EqualOp(spread, zero)), levels, spread))
    scale = c.emit(ew.DivOp(spread, levels))
    shift = c.emit(ew.ClipOp(c.emit(ew.NegOp(c.emit(ew.DivOp(low, scale)))), 0.0, 255.0))
    zero_point = c.emit(CastOp(c.emit(ew.RoundOp(shift)), IntegerType(8, Signedness.UNSIGNED)))
    y = c.emit(QuantizeLinearOp(x, scale, zero_point, IntegerType(8, Signedness.UNSIGNED)))

    def scalar(value: SSAValue) -> SSAValue:
        return c.emit(ReshapeOp(value, result_type=c.tensor(c.element(value), []))) if rank else value

    return [y, scalar(scale), scalar(zero_point)]


# -- integer products ------------------------------------------------------------------------------


def _unsqueezed(c: Conversion, value: SSAValue, shape: list[int | None]) -> SSAValue:
    """A scalar or 1-D `value` given the shape `shape` (its entries in one place, 1 elsewhere)."""
    array = constant_value(value)
    if array is not None:
        return c.constant(array.reshape([-1 if d is None else d for d in shape]))
    rank = len(shape)
    if c.rank(value) == 0:
        return c.emit(UnsqueezeOp(value, list(range(rank))))
    keep = next((i for i, d in enumerate(shape) if d != 1), rank - 1)
    return c.emit(UnsqueezeOp(value, [i for i in range(rank) if i != keep]))


def matrix_param(c: Conversion, value: SSAValue, operand: SSAValue, what: str, row: bool) -> SSAValue:
    """A per-tensor, per-row (of `a`) or per-column (of `b`) parameter given the operand's rank."""
    dims, rank = c.shape(value), c.rank(operand)
    if len(dims) == 0 or all(d == 1 for d in dims):
        return _unsqueezed(c, value, [1] * rank) if len(dims) <= 1 else c.to_rank(value, rank)
    if len(dims) == 1:
        if rank < 2:
            c.error(f"{what} of shape {list(dims)} needs a matrix operand, got rank {rank}")
        shape: list[int | None] = [1] * rank
        shape[-2 if row else -1] = dims[0]
        return _unsqueezed(c, value, shape)
    if len(dims) > rank:
        c.error(f"{what} of shape {list(dims)} has a higher rank than its operand ({rank})")
    return c.to_rank(value, rank)


def centered(c: Conversion, value: SSAValue, zero_point: SSAValue | None) -> SSAValue:
    """`value - zero_point` in i32 (exact for 8-bit operands)."""
    value = cast_value(c, value, i32)
    if zero_point is None:
        return value
    return c.emit(ew.SubOp(*c.broadcast(value, cast_value(c, zero_point, i32))))


def check_operands(c: Conversion, pairs: list[tuple[SSAValue | None, str]]) -> None:
    for value, what in pairs:
        if value is not None:
            check_quantized(c, c.element(value), what, (8,))


def requantize(
    c: Conversion, total: SSAValue, multiplier: SSAValue, zero_point: SSAValue | None, output: Attribute
) -> SSAValue:
    """`saturate(round_half_even(f32(total) * multiplier) + zero_point)` in `output`."""
    y = c.emit(ew.MulOp(*c.broadcast(cast_value(c, total, f32), multiplier)))
    y = c.emit(ew.RoundOp(y))
    if zero_point is not None:
        y = c.emit(ew.AddOp(*c.broadcast(y, cast_value(c, zero_point, f32))))
    return c.emit(CastOp(y, output))


def multiplier(c: Conversion, a_scale: SSAValue, b_scale: SSAValue, y_scale: SSAValue) -> SSAValue:
    """`a_scale * b_scale / y_scale` in f32, broadcast."""
    a_scale, b_scale, y_scale = (cast_value(c, s, f32) for s in (a_scale, b_scale, y_scale))
    product = c.emit(ew.MulOp(*c.broadcast(a_scale, b_scale)))
    return c.emit(ew.DivOp(*c.broadcast(product, y_scale)))


def _check_float_scales(c: Conversion, *scales: SSAValue) -> None:
    for scale in scales:
        check_scale(c, c.element(scale))


@converter("MatMulInteger")
@shape_checked
def matmul_integer(c: Conversion) -> SSAValue:
    a, b = c.input(0), c.input(1)
    a_zero, b_zero = c.optional_input(2), c.optional_input(3)
    check_operands(c, [(a, "A"), (b, "B"), (a_zero, "a_zero_point"), (b_zero, "b_zero_point")])
    if a_zero is not None:
        a_zero = matrix_param(c, a_zero, a, "a_zero_point", row=True)
    if b_zero is not None:
        b_zero = matrix_param(c, b_zero, b, "b_zero_point", row=False)
    return numpy_matmul(c, centered(c, a, a_zero), centered(c, b, b_zero))


@converter("QLinearMatMul")
@shape_checked
def qlinear_matmul(c: Conversion) -> SSAValue:
    a, a_scale, a_zero, b, b_scale, b_zero, y_scale = (c.input(i) for i in range(7))
    y_zero = c.optional_input(7)
    check_operands(c, [(a, "a"), (b, "b"), (a_zero, "a_zero_point"), (b_zero, "b_zero_point"), (y_zero, "y")])
    _check_float_scales(c, a_scale, b_scale, y_scale)
    a_zero = matrix_param(c, a_zero, a, "a_zero_point", row=True)
    b_zero = matrix_param(c, b_zero, b, "b_zero_point", row=False)
    total = numpy_matmul(c, centered(c, a, a_zero), centered(c, b, b_zero))
    rank = c.rank(total)
    a_scale = c.to_rank(matrix_param(c, a_scale, a, "a_scale", row=True), max(rank, c.rank(a)))
    b_scale = c.to_rank(matrix_param(c, b_scale, b, "b_scale", row=False), max(rank, c.rank(b)))
    scale = multiplier(c, a_scale, b_scale, y_scale)
    if c.rank(scale) > rank:  # 1-D operands: their dims are gone from the product
        c.error("per-row or per-column parameters need matrix operands")
    output = c.element(y_zero) if y_zero is not None else c.element(a)
    return requantize(c, total, scale, y_zero, output)


def _channel_param(c: Conversion, value: SSAValue, w: SSAValue, what: str) -> SSAValue:
    """A per-tensor or per-output-channel ([M]) parameter of a convolution as [M, 1, ...] (weight side)."""
    dims, rank = c.shape(value), c.rank(w)
    if len(dims) > 1:
        c.error(f"{what} must be a scalar or 1-D, got shape {list(dims)}")
    shape: list[int | None] = [1] * rank
    if len(dims) == 1 and dims[0] != 1:
        shape[0] = dims[0]
    return _unsqueezed(c, value, shape) if rank else value


def _per_output_channel(c: Conversion, value: SSAValue, rank: int) -> SSAValue:
    """A [M, 1, ...] weight-side parameter moved to the result's channel dim: [1, M, 1, ...]."""
    dims = c.shape(value)
    shape: list[int | None] = [1] * rank
    shape[1] = dims[0]
    array = constant_value(value)
    if array is not None:
        return c.constant(array.reshape([-1 if d is None else d for d in shape]))
    return c.emit(ReshapeOp(value, result_type=c.tensor(c.element(value), shape)))


def _conv_input_zero(c: Conversion, value: SSAValue | None, x: SSAValue) -> SSAValue | None:
    if value is None:
        return None
    if any(d != 1 for d in c.shape(value)):
        c.error(f"x_zero_point must be a scalar (per tensor), got shape {list(c.shape(value))}")
    return _unsqueezed(c, value, [1] * c.rank(x)) if c.rank(value) <= 1 else c.to_rank(value, c.rank(x))


@converter("ConvInteger")
@shape_checked
def conv_integer(c: Conversion) -> SSAValue:
    """Padding is in `x - x_zero_point` (zeros), as onnxruntime pads with the zero point."""
    x, w = c.input(0), c.input(1)
    x_zero, w_zero = c.optional_input(2), c.optional_input(3)
    check_operands(c, [(x, "x"), (w, "w"), (x_zero, "x_zero_point"), (w_zero, "w_zero_point")])
    x_zero = _conv_input_zero(c, x_zero, x)
    if w_zero is not None:
        w_zero = _channel_param(c, w_zero, w, "w_zero_point")
    return onnx_conv(c, centered(c, x, x_zero), centered(c, w, w_zero), None)


@converter("QLinearConv")
@shape_checked
def qlinear_conv(c: Conversion) -> SSAValue:
    x, x_scale, x_zero, w, w_scale, w_zero, y_scale, y_zero = (c.input(i) for i in range(8))
    bias = c.optional_input(8)
    check_operands(c, [(x, "x"), (w, "w"), (x_zero, "x_zero_point"), (w_zero, "w_zero_point"), (y_zero, "y")])
    _check_float_scales(c, x_scale, w_scale, y_scale)
    if bias is not None and c.element(bias) != i32:
        c.error(f"bias of type {type_name(c.element(bias))} is not supported", hint="QLinearConv's bias is int32")
    rank = c.rank(x)
    total = onnx_conv(
        c,
        centered(c, x, _conv_input_zero(c, x_zero, x)),
        centered(c, w, _channel_param(c, w_zero, w, "w_zero_point")),
        bias,
    )
    w_scale = _per_output_channel(c, _channel_param(c, w_scale, w, "w_scale"), rank)
    for value, what in ((x_scale, "x_scale"), (y_scale, "y_scale")):
        if any(d != 1 for d in c.shape(value)):
            c.error(f"{what} must be a scalar (per tensor), got shape {list(c.shape(value))}")
    scale = multiplier(c, c.to_rank(_flat(c, x_scale), rank), w_scale, c.to_rank(_flat(c, y_scale), rank))
    return requantize(c, total, scale, _flat(c, y_zero), c.element(y_zero))


def _flat(c: Conversion, value: SSAValue) -> SSAValue:
    """A one-element parameter as a rank-1 [1] tensor (any rank becomes broadcastable)."""
    if c.rank(value) == 1:
        return value
    array = constant_value(value)
    if array is not None:
        return c.constant(array.reshape([1]))
    if c.rank(value) == 0:
        return c.emit(UnsqueezeOp(value, [0]))
    return c.emit(ReshapeOp(value, result_type=c.tensor(c.element(value), [1])))
