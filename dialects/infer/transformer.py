"""Composite ops of transformer models: RMS and group normalization, rotary embeddings.

`infer.rms_norm` divides by the root mean square over the trailing dims
`[axis, rank)` (plus `epsilon` under the root), then multiplies by `scale`,
which has the input's rank (explicit broadcasting; each dim 1 or the input's).
`infer.group_norm` splits the channels (dim 1 of `[N, C, ...]`, `C` static) into
`num_groups` groups of consecutive channels and standardizes each group of each
sample over its channels and spatial dims (biased variance), then applies
per-channel `scale` and `bias` of shape `[C]`. Both compute their statistics in
f32 for f16/bf16 inputs, and apply `scale` (and `bias`) in the input's type.

    %r = infer.rms_norm %x, %scale {axis = 2 : i64, epsilon = 1.000000e-05 : f64}
           : (tensor<?x?x768xf32>, tensor<1x1x768xf32>) -> tensor<?x?x768xf32>
    %g = infer.group_norm %x, %scale, %bias {num_groups = 8 : i64, epsilon = 1.000000e-05 : f64}
           : (tensor<?x64x?x?xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x?x?xf32>

`infer.rotary_embedding` rotates the first `rotary_dim` entries of the last
(static) dim of `x` in pairs: the two halves of those entries (`(i, i + R/2)`),
or with `interleaved` the neighbours `(2i, 2i + 1)`, each pair `(a, b)` becoming
`(a * cos - b * sin, a * sin + b * cos)`; the other entries pass unchanged.
`cos` and `sin` have `x`'s rank, last dim `rotary_dim / 2`, and their other dims
broadcast to `x`'s (each 1 or equal).

    %r = infer.rotary_embedding %x, %cos, %sin {rotary_dim = 64 : i64}
           : (tensor<?x8x?x64xf32>, tensor<?x1x?x32xf32>, tensor<?x1x?x32xf32>) -> tensor<?x8x?x64xf32>
    %i = infer.rotary_embedding %x, %cos, %sin {rotary_dim = 32 : i64, interleaved}
           : (tensor<?x8x?x64xf32>, tensor<?x1x?x16xf32>, tensor<?x1x?x16xf32>) -> tensor<?x8x?x64xf32>
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from xdsl.builder import Builder
from xdsl.dialects.builtin import (
    BFloat16Type,
    Float16Type,
    FloatAttr,
    IntegerAttr,
    TensorType,
    UnitAttr,
    f32,
    f64,
    i64,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import irdl_op_definition, operand_def, opt_prop_def, prop_def, result_def, traits_def
from xdsl.traits import Pure

from infer.dialects.dtypes import to_numpy
from infer.dialects.infer.base import (
    CompositeOp,
    Dim,
    InferOp,
    ShapeError,
    dims_of,
    element_of,
    float_of,
    int_of,
    is_float,
    tensor_type,
)
from infer.dialects.infer.constant import ConstantOp
from infer.dialects.infer.elementwise import AddOp, CastOp, MulOp, ReciprocalOp, SqrtOp, SubOp
from infer.dialects.infer.reduction import ReduceMeanOp
from infer.dialects.infer.tensor import ConcatOp, ReshapeOp, ShapeOfOp, SliceOp, UnsqueezeOp

STASHED = (Float16Type, BFloat16Type)
"""Element types whose normalization statistics are computed in f32."""


def _float_operands(name: str, operand_types: Sequence[Attribute]) -> Attribute:
    element = element_of(operand_types[0])
    if not is_float(element):
        raise ShapeError(f"{name} needs a floating-point input, got {operand_types[0]}")
    if any(element_of(t) != element for t in operand_types):
        raise ShapeError(f"{name} operands must have one element type, got {list(map(str, operand_types))}")
    return element


def _constant(builder: Builder, value: float, element: Attribute, rank: int) -> SSAValue:
    """A constant of shape [1] * rank holding `value`."""
    return builder.insert(ConstantOp(np.full([1] * rank, value, to_numpy(element)))).result


def _inverse_rms(builder: Builder, square_mean: SSAValue, epsilon: float) -> SSAValue:
    """`1 / sqrt(square_mean + epsilon)`."""
    rank = len(dims_of(square_mean.type))
    eps = _constant(builder, epsilon, element_of(square_mean.type), rank)
    root = builder.insert(SqrtOp(builder.insert(AddOp(square_mean, eps)).result)).result
    return builder.insert(ReciprocalOp(root)).result


def _widened(builder: Builder, x: SSAValue) -> SSAValue:
    """`x` in f32 when its type is stashed (f16, bf16), else itself."""
    return builder.insert(CastOp(x, f32)).result if isinstance(element_of(x.type), STASHED) else x


@irdl_op_definition
class RmsNormOp(CompositeOp):
    """RMS normalization: `x / sqrt(mean(x * x) + epsilon)` over the dims `[axis, rank)`
    (in f32 for f16/bf16 inputs), then `* scale`, broadcast to the input."""

    name = "infer.rms_norm"
    input = operand_def(TensorType)
    scale = operand_def(TensorType)
    result = result_def(TensorType)
    axis = prop_def(IntegerAttr)
    epsilon = prop_def(FloatAttr)
    traits = traits_def(Pure())
    assembly_format = "$input `,` $scale attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, scale: SSAValue, *, axis: int, epsilon: float) -> None:
        self._build([input, scale], {"axis": IntegerAttr(axis, i64), "epsilon": FloatAttr(epsilon, f64)})

    @property
    def normalized_axes(self) -> list[int]:
        return list(range(int_of(self.axis), len(dims_of(self.input.type))))

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        _float_operands(cls.name, operand_types)
        x, s = dims_of(operand_types[0]), dims_of(operand_types[1])
        axis = int_of(properties["axis"])
        if not 0 <= axis < len(x):
            raise ShapeError(f"{cls.name} axis {axis} must be in [0, {len(x)}) (normalized by the lowering)")
        if len(s) != len(x):
            raise ShapeError(f"{cls.name} scale must have the input's rank {len(x)}, got {list(s)}")
        for d, p in zip(x, s, strict=True):
            if p not in (1, None) and d is not None and p != d:
                raise ShapeError(f"{cls.name} scale of shape {list(s)} does not broadcast to {list(x)}")
        return [operand_types[0]]

    def decompose(self, builder: Builder) -> list[SSAValue]:
        element = element_of(self.input.type)
        x = _widened(builder, self.input)
        square = builder.insert(MulOp(x, x)).result
        mean = builder.insert(ReduceMeanOp(square, self.normalized_axes, keepdims=True)).result
        y = builder.insert(MulOp(x, _inverse_rms(builder, mean, float_of(self.epsilon)))).result
        if element_of(y.type) != element:
            y = builder.insert(CastOp(y, element)).result
        return [builder.insert(MulOp(y, self.scale)).result]


def _reshaped(builder: Builder, x: SSAValue, dims: Sequence[Dim], pieces: Sequence[SSAValue]) -> SSAValue:
    """`x` reshaped to `dims`: without a shape operand when at most one dim is dynamic,
    else with the shape concatenated at run time from `pieces`."""
    if list(dims).count(None) <= 1:
        return builder.insert(ReshapeOp.to(x, dims)).result
    shape = pieces[0] if len(pieces) == 1 else builder.insert(ConcatOp(pieces, 0)).result
    return builder.insert(ReshapeOp(x, shape, tensor_type(element_of(x.type), dims))).result


@irdl_op_definition
class GroupNormOp(CompositeOp):
    """Group normalization: the channels of `[N, C, ...]` in `num_groups` groups, each group
    of each sample standardized (biased variance; in f32 for f16/bf16 inputs), then
    `* scale + bias` per channel."""

    name = "infer.group_norm"
    input = operand_def(TensorType)
    scale = operand_def(TensorType)
    bias = operand_def(TensorType)
    result = result_def(TensorType)
    num_groups = prop_def(IntegerAttr)
    epsilon = prop_def(FloatAttr)
    traits = traits_def(Pure())
    assembly_format = "$input `,` $scale `,` $bias attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, scale: SSAValue, bias: SSAValue, *, num_groups: int, epsilon: float) -> None:
        self._build(
            [input, scale, bias], {"num_groups": IntegerAttr(num_groups, i64), "epsilon": FloatAttr(epsilon, f64)}
        )

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        _float_operands(cls.name, operand_types)
        x = dims_of(operand_types[0])
        groups = int_of(properties["num_groups"])
        if len(x) < 2:
            raise ShapeError(f"{cls.name} needs an input of rank >= 2 ([N, C, ...]), got rank {len(x)}")
        channels = x[1]
        if channels is None:
            raise ShapeError(f"{cls.name} needs a static channel dim, got {operand_types[0]}")
        if groups <= 0 or channels % groups:
            raise ShapeError(f"{cls.name} num_groups {groups} must be positive and divide the {channels} channels")
        for t in operand_types[1:]:
            if dims_of(t) not in ((channels,), (None,)):
                raise ShapeError(f"{cls.name} scale and bias must have shape [{channels}], got {list(dims_of(t))}")
        return [operand_types[0]]

    def decompose(self, builder: Builder) -> list[SSAValue]:
        x_in: SSAValue = self.input
        dims = dims_of(x_in.type)
        rank, channels, groups = len(dims), dims[1], int_of(self.num_groups)
        assert channels is not None
        # [N, C, S...] -> [N, G, C / G, S...], statistics over the dims after G.
        grouped = [dims[0], groups, channels // groups, *dims[2:]]
        pieces = [builder.insert(ShapeOfOp(x_in, 0, 1)).result]
        pieces.append(builder.insert(ConstantOp(np.array([groups, channels // groups], np.int64))).result)
        if rank > 2:
            pieces.append(builder.insert(ShapeOfOp(x_in, 2, rank)).result)
        x = _reshaped(builder, _widened(builder, x_in), grouped, pieces)
        axes = list(range(2, rank + 1))
        mean = builder.insert(ReduceMeanOp(x, axes, keepdims=True)).result
        centered = builder.insert(SubOp(x, mean)).result
        var = builder.insert(ReduceMeanOp(builder.insert(MulOp(centered, centered)).result, axes, keepdims=True))
        y: SSAValue = builder.insert(MulOp(centered, _inverse_rms(builder, var.result, float_of(self.epsilon)))).result
        y = _reshaped(builder, y, dims, [builder.insert(ShapeOfOp(x_in)).result])
        if element_of(y.type) != element_of(x_in.type):
            y = builder.insert(CastOp(y, element_of(x_in.type))).result
        others = [a for a in range(rank) if a != 1]
        scale = builder.insert(UnsqueezeOp(self.scale, others)).result
        bias = builder.insert(UnsqueezeOp(self.bias, others)).result
        return [builder.insert(AddOp(builder.insert(MulOp(y, scale)).result, bias)).result]


INT64_MAX = int(np.iinfo(np.int64).max)


def _last_slice(builder: Builder, x: SSAValue, start: int, end: int, step: int = 1) -> SSAValue:
    """`x[..., start:end:step]`."""
    rank = len(dims_of(x.type))
    starts, ends, steps = [0] * rank, [INT64_MAX] * rank, [1] * rank
    starts[-1], ends[-1], steps[-1] = start, end, step
    return builder.insert(SliceOp(x, starts, ends, steps)).result


@irdl_op_definition
class RotaryEmbeddingOp(CompositeOp):
    """Rotates the first `rotary_dim` entries of the last dim of `x` in pairs (halves, or
    neighbours with `interleaved`) by the angles whose cosines and sines are `cos`, `sin`."""

    name = "infer.rotary_embedding"
    input = operand_def(TensorType)
    cos = operand_def(TensorType)
    sin = operand_def(TensorType)
    result = result_def(TensorType)
    rotary_dim = prop_def(IntegerAttr)
    interleaved = opt_prop_def(UnitAttr)
    traits = traits_def(Pure())
    assembly_format = "$input `,` $cos `,` $sin attr-dict `:` functional-type(operands, results)"

    def __init__(
        self, input: SSAValue, cos: SSAValue, sin: SSAValue, *, rotary_dim: int, interleaved: bool = False
    ) -> None:
        self._build(
            [input, cos, sin],
            {"rotary_dim": IntegerAttr(rotary_dim, i64), "interleaved": UnitAttr() if interleaved else None},
        )

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        _float_operands(cls.name, operand_types)
        x = dims_of(operand_types[0])
        rotary = int_of(properties["rotary_dim"])
        if not x or x[-1] is None:
            raise ShapeError(f"{cls.name} needs an input whose last dim is static, got {operand_types[0]}")
        if rotary <= 0 or rotary % 2 or rotary > x[-1]:
            raise ShapeError(f"{cls.name} rotary_dim {rotary} must be even, positive and at most {x[-1]}")
        for t in operand_types[1:]:
            p = dims_of(t)
            if len(p) != len(x) or p[-1] not in (rotary // 2, None):
                raise ShapeError(
                    f"{cls.name} cos and sin must have rank {len(x)} and last dim {rotary // 2}, got {list(p)}"
                )
            for d, q in zip(x[:-1], p[:-1], strict=True):
                if q not in (1, None) and d is not None and q != d:
                    raise ShapeError(f"{cls.name} cos and sin of shape {list(p)} do not broadcast to {list(x)}")
        return [operand_types[0]]

    def decompose(self, builder: Builder) -> list[SSAValue]:
        x = self.input
        dims = dims_of(x.type)
        rank, size, rotary = len(dims), dims[-1], int_of(self.rotary_dim)
        assert size is not None
        half = rotary // 2
        interleaved = self.interleaved is not None
        if interleaved:
            first, second = _last_slice(builder, x, 0, rotary, 2), _last_slice(builder, x, 1, rotary, 2)
        else:
            first, second = _last_slice(builder, x, 0, half), _last_slice(builder, x, half, rotary)

        def mul(a: SSAValue, b: SSAValue) -> SSAValue:
            return builder.insert(MulOp(a, b)).result

        real = builder.insert(SubOp(mul(first, self.cos), mul(second, self.sin))).result
        imag = builder.insert(AddOp(mul(first, self.sin), mul(second, self.cos))).result
        if interleaved:
            pairs = [builder.insert(UnsqueezeOp(v, [rank])).result for v in (real, imag)]
            joined = builder.insert(ConcatOp(pairs, rank)).result
            rotated_dims = [*dims_of(real.type)[:-1], rotary]
            pieces = [builder.insert(ShapeOfOp(real, 0, rank - 1)).result]
            pieces.append(builder.insert(ConstantOp(np.array([rotary], np.int64))).result)
            parts = [_reshaped(builder, joined, rotated_dims, pieces)]
        else:
            parts = [real, imag]
        if rotary < size:
            parts.append(_last_slice(builder, x, rotary, size))
        return [builder.insert(ConcatOp(parts, rank - 1)).result]


TRANSFORMER_OPS: list[type[InferOp]] = [RmsNormOp, GroupNormOp, RotaryEmbeddingOp]
