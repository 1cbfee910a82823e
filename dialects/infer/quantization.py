"""Composite linear (de)quantization: floats to small integers and back.

`infer.quantize_linear` maps a float tensor to an integer one,
`y = saturate(round_half_even(x / scale) + zero_point)`; `infer.dequantize_linear`
maps it back, `y = (x - zero_point) * scale`. The `scale` and the optional
`zero_point` have the input's rank (explicit broadcasting: each of their dims is
1 or the input's), so one op says per-tensor (all dims 1), per-axis (one dim
the input's) and any other broadcast granularity. Blocked quantization sets
`block_size` B and `axis` a: along `a` the parameters have `ceil(D / B)`
entries, entry `i // B` serving input element `i`.

The result's element type is the op's own choice (as for `infer.cast`): an
integer (i8, ui8, i16, ui16, i32) for `quantize_linear`, equal to the zero
point's type when there is one; a float for `dequantize_linear`.

    %q = infer.quantize_linear %x, %s, %z
           : (tensor<?x64xf32>, tensor<1x64xf32>, tensor<1x64xui8>) -> tensor<?x64xui8>
    %r = infer.quantize_linear %x, %s {axis = 1 : i64, block_size = 32 : i64}
           : (tensor<?x64xf32>, tensor<1x2xf32>) -> tensor<?x64xi8>
    %d = infer.dequantize_linear %q, %s, %z
           : (tensor<?x64xui8>, tensor<1x64xf32>, tensor<1x64xui8>) -> tensor<?x64xf16>

`quantize_linear` divides in its input's float type (`x` and `scale` have one
element type: a conversion makes the precision explicit with casts); rounding
is half to even; adding the zero point and saturating to the result's range
are exact. `dequantize_linear` subtracts the zero point exactly in integers,
multiplies in f32 (f64 for an f64 result) and rounds to the result's type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from xdsl.builder import Builder
from xdsl.dialects.builtin import Float64Type, IntegerAttr, TensorType, f32, f64, i1, i32, i64
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import irdl_op_definition, operand_def, opt_operand_def, opt_prop_def, result_def, traits_def
from xdsl.traits import Pure

from infer.dialects.infer.base import (
    CompositeOp,
    InferOp,
    ShapeError,
    dims_of,
    element_of,
    int_of,
    is_float,
    is_int,
    tensor_type,
)
from infer.dialects.infer.constant import ConstantOp
from infer.dialects.infer.elementwise import AddOp, CastOp, DivOp, MulOp, RoundOp, SubOp
from infer.dialects.infer.tensor import GatherOp


def is_quantized_int(element: Attribute) -> bool:
    """The integer types a quantized tensor can have: 8 to 32 bits, signed or not."""
    return is_int(element) and element != i1 and element.bitwidth in (8, 16, 32)  # type: ignore[attr-defined]


def check_params(
    name: str, x: Attribute, params: Sequence[Attribute], axis: int | None, block_size: int | None
) -> None:
    """Scale and zero point against the input: same rank; each dim 1 or the input's,
    except `ceil(D / block_size)` along `axis` when blocked."""
    dims = dims_of(x)
    if block_size is not None:
        if block_size < 1:
            raise ShapeError(f"{name} block_size must be positive, got {block_size}")
        if axis is None or not 0 <= axis < len(dims):
            raise ShapeError(f"{name} blocked quantization needs an axis in [0, {len(dims)}), got {axis}")
    for t in params:
        p = dims_of(t)
        if len(p) != len(dims):
            raise ShapeError(f"{name} scale and zero point must have the input's rank {len(dims)}, got {list(p)}")
        for i, (d, s) in enumerate(zip(dims, p, strict=True)):
            if block_size is not None and i == axis:
                if d is not None and s is not None and s != -(-d // block_size):
                    raise ShapeError(
                        f"{name} blocked dim {i} of size {d} needs ceil({d} / {block_size}) parameters, got {s}"
                    )
            elif s not in (1, None) and d is not None and s != d:
                raise ShapeError(f"{name} parameters of shape {list(p)} do not broadcast to {list(dims)}")
    if len(params) == 2 and dims_of(params[0]) != dims_of(params[1]):
        raise ShapeError(f"{name} scale and zero point must have one shape, got {params[0]} and {params[1]}")


def expand_blocks(builder: Builder, value: SSAValue, x: SSAValue, axis: int, block_size: int) -> SSAValue:
    """Blocked parameters repeated `block_size` times along `axis`, cut to x's dim there."""
    size = dims_of(x.type)[axis]
    if size is None:
        raise ShapeError("blocked quantization needs a static dim along its axis to decompose")
    indices = np.arange(size, dtype=np.int64) // block_size
    index = builder.insert(ConstantOp(indices)).result
    return builder.insert(GatherOp(value, index, axis)).result


class _LinearQuantOp(CompositeOp):
    """Shared by quantize and dequantize: operands, blocking properties, the typing rule."""

    input = operand_def(TensorType)
    scale = operand_def(TensorType)
    zero_point = opt_operand_def(TensorType)
    result = result_def(TensorType)
    axis = opt_prop_def(IntegerAttr)
    block_size = opt_prop_def(IntegerAttr)
    traits = traits_def(Pure())
    assembly_format = "$input `,` $scale (`,` $zero_point^)? attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        input: SSAValue,
        scale: SSAValue,
        zero_point: SSAValue | None,
        element_type: Attribute,
        *,
        axis: int | None = None,
        block_size: int | None = None,
    ) -> None:
        blocked = block_size is not None and block_size > 0 and axis is not None
        self._build(
            [input, scale, zero_point],
            {
                "axis": IntegerAttr(axis, i64) if blocked and axis is not None else None,
                "block_size": IntegerAttr(block_size, i64) if blocked and block_size is not None else None,
            },
            [tensor_type(element_type, dims_of(input.type))],
        )

    @property
    def blocking(self) -> tuple[int, int] | None:
        """(axis, block size) for blocked quantization, else None."""
        if self.block_size is None:
            return None
        return int_of(self.axis), int_of(self.block_size)

    def _params(self, builder: Builder) -> tuple[SSAValue, SSAValue | None]:
        """Scale and zero point, blocked ones expanded to broadcast to the input."""
        scale, zero_point = self.scale, self.zero_point
        if (blocking := self.blocking) is not None:
            scale = expand_blocks(builder, scale, self.input, *blocking)
            if zero_point is not None:
                zero_point = expand_blocks(builder, zero_point, self.input, *blocking)
        return scale, zero_point

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        # The element type is the op's own choice: the rule fixes only the shape.
        raise NotImplementedError

    @classmethod
    def check_elements(cls, x: Attribute, scale: Attribute, zero_point: Attribute | None, result: Attribute) -> None:
        raise NotImplementedError

    def inferred_result_types(self) -> list[Attribute]:
        block = self.block_size
        axis = int_of(self.axis) if self.axis is not None else None
        params = [self.scale.type] + ([self.zero_point.type] if self.zero_point is not None else [])
        check_params(self.name, self.input.type, params, axis, None if block is None else int_of(block))
        result = element_of(self.result.type)
        zero_point = element_of(self.zero_point.type) if self.zero_point is not None else None
        self.check_elements(element_of(self.input.type), element_of(self.scale.type), zero_point, result)
        return [tensor_type(result, dims_of(self.input.type))]


def _wide_float(element: Attribute) -> Attribute:
    """f64 stays f64; narrower floats widen to f32 (exact for integer values up to 2^24)."""
    return f64 if isinstance(element, Float64Type) else f32


@irdl_op_definition
class QuantizeLinearOp(_LinearQuantOp):
    """`saturate(round_half_even(x / scale) + zero_point)` to the result's integer type."""

    name = "infer.quantize_linear"

    @classmethod
    def check_elements(cls, x: Attribute, scale: Attribute, zero_point: Attribute | None, result: Attribute) -> None:
        if not is_float(x) or scale != x:
            raise ShapeError(f"{cls.name} needs a float input and a scale of its type, got {x} and {scale}")
        if not is_quantized_int(result):
            raise ShapeError(f"{cls.name} result must be an integer of 8, 16 or 32 bits, got {result}")
        if zero_point is not None and zero_point != result:
            raise ShapeError(f"{cls.name} zero point must have the result's type {result}, got {zero_point}")

    def decompose(self, builder: Builder) -> list[SSAValue]:
        scale, zero_point = self._params(builder)
        element = element_of(self.input.type)
        wide = _wide_float(element)
        q = builder.insert(RoundOp(builder.insert(DivOp(self.input, scale)).result)).result
        if wide != element:
            q = builder.insert(CastOp(q, wide)).result
        if zero_point is not None:
            q = builder.insert(AddOp(q, builder.insert(CastOp(zero_point, wide)).result)).result
        # infer.cast saturates floats to the integer range.
        return [builder.insert(CastOp(q, element_of(self.result.type))).result]


def exact_difference_type(element: Attribute) -> Attribute:
    """An integer type holding every difference of two values of `element` (to 32 bits)."""
    return i64 if element.bitwidth >= 32 else i32  # type: ignore[attr-defined]


@irdl_op_definition
class DequantizeLinearOp(_LinearQuantOp):
    """`(x - zero_point) * scale`: the difference exact, the product in f32, rounded to the result's float type."""

    name = "infer.dequantize_linear"

    @classmethod
    def check_elements(cls, x: Attribute, scale: Attribute, zero_point: Attribute | None, result: Attribute) -> None:
        if not is_quantized_int(x):
            raise ShapeError(f"{cls.name} needs an integer input of 8, 16 or 32 bits, got {x}")
        if not is_float(scale) or not is_float(result):
            raise ShapeError(f"{cls.name} needs a float scale and result, got {scale} and {result}")
        if zero_point is not None and zero_point != x:
            raise ShapeError(f"{cls.name} zero point must have the input's type {x}, got {zero_point}")

    def decompose(self, builder: Builder) -> list[SSAValue]:
        scale, zero_point = self._params(builder)
        result = element_of(self.result.type)
        wide = _wide_float(result)
        difference = exact_difference_type(element_of(self.input.type))
        d = builder.insert(CastOp(self.input, difference)).result
        if zero_point is not None:
            d = builder.insert(SubOp(d, builder.insert(CastOp(zero_point, difference)).result)).result
        f = builder.insert(CastOp(d, wide)).result
        if element_of(scale.type) != wide:
            scale = builder.insert(CastOp(scale, wide)).result
        y = builder.insert(MulOp(f, scale)).result
        if result != wide:
            y = builder.insert(CastOp(y, result)).result
        return [y]


QUANTIZATION_OPS: list[type[InferOp]] = [QuantizeLinearOp, DequantizeLinearOp]
