"""Composite normalizations: batch, instance and layer normalization.

Batch and instance normalization take per-channel parameters of shape `[C]`;
the channel dim is given by `layout` (`"nchw"`, channels first, the default;
`"nhwc"`, channels last), as for `infer.conv`. Layer normalization
standardizes over the trailing dims `[axis, rank)`; its `scale` and `bias`
have the input's rank (explicit broadcasting) and each of their dims is 1 or
the input's.

    %y = infer.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.000000e-05 : f64}
           : (tensor<?x64x?x?xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>)
           -> tensor<?x64x?x?xf32>
    %i = infer.instance_norm %x, %scale, %bias {epsilon = 1.000000e-05 : f64, layout = "nhwc"}
           : (tensor<?x?x?x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x?x?x64xf32>
    %l = infer.layer_norm %x, %scale, %bias {axis = 2 : i64, epsilon = 1.000000e-05 : f64}
           : (tensor<?x?x768xf32>, tensor<1x1x768xf32>, tensor<1x1x768xf32>) -> tensor<?x?x768xf32>
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
    StringAttr,
    TensorType,
    f32,
    f64,
    i64,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import irdl_op_definition, operand_def, opt_operand_def, prop_def, result_def, traits_def
from xdsl.traits import Pure

from infer.dialects.dtypes import to_numpy
from infer.dialects.infer.base import (
    CompositeOp,
    InferOp,
    ShapeError,
    dims_of,
    element_of,
    float_of,
    int_of,
    is_float,
    string_of,
)
from infer.dialects.infer.constant import ConstantOp
from infer.dialects.infer.elementwise import AddOp, CastOp, DivOp, MulOp, ReciprocalOp, SqrtOp, SubOp
from infer.dialects.infer.nn import LAYOUTS, channel_axis, spatial_axes
from infer.dialects.infer.reduction import ReduceMeanOp
from infer.dialects.infer.tensor import UnsqueezeOp


def _layout(name: str, properties: Mapping[str, Attribute]) -> str:
    layout = string_of(properties.get("layout"), "nchw")
    if layout not in LAYOUTS:
        raise ShapeError(f"{name} layout must be one of {LAYOUTS}, got '{layout}'")
    return layout


def _float_operands(name: str, operand_types: Sequence[Attribute]) -> Attribute:
    element = element_of(operand_types[0])
    if not is_float(element):
        raise ShapeError(f"{name} needs a floating-point input, got {operand_types[0]}")
    if any(element_of(t) != element for t in operand_types):
        raise ShapeError(f"{name} operands must have one element type, got {list(map(str, operand_types))}")
    return element


def _channel_params(name: str, operand_types: Sequence[Attribute], layout: str, min_rank: int) -> int:
    """Checks per-channel `[C]` parameters against the input; returns the channel axis."""
    x = dims_of(operand_types[0])
    if len(x) < min_rank:
        raise ShapeError(f"{name} needs an input of rank >= {min_rank}, got rank {len(x)}")
    axis = channel_axis(layout, len(x))
    channels = x[axis]
    for t in operand_types[1:]:
        p = dims_of(t)
        if len(p) != 1 or (p[0] is not None and channels is not None and p[0] != channels):
            raise ShapeError(f"{name} parameters must have shape [{channels}] (the channel dim), got {list(p)}")
    return axis


def _scalar(builder: Builder, value: float, element: Attribute, rank: int) -> SSAValue:
    """A constant of shape [1] * rank holding `value`."""
    return builder.insert(ConstantOp(np.full([1] * rank, value, to_numpy(element)))).result


def _per_channel(builder: Builder, value: SSAValue, axis: int, rank: int) -> SSAValue:
    """A `[C]` value unsqueezed so that C lands on `axis` of a rank-`rank` tensor."""
    return builder.insert(UnsqueezeOp(value, [i for i in range(rank) if i != axis])).result


@irdl_op_definition
class BatchNormOp(CompositeOp):
    """Inference batch normalization: `(x - mean) / sqrt(var + epsilon) * scale + bias` per channel."""

    name = "infer.batch_norm"
    input = operand_def(TensorType)
    scale = operand_def(TensorType)
    bias = operand_def(TensorType)
    mean = operand_def(TensorType)
    var = operand_def(TensorType)
    result = result_def(TensorType)
    epsilon = prop_def(FloatAttr)
    layout = prop_def(StringAttr, default_value=StringAttr("nchw"))
    traits = traits_def(Pure())
    assembly_format = "$input `,` $scale `,` $bias `,` $mean `,` $var attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        input: SSAValue,
        scale: SSAValue,
        bias: SSAValue,
        mean: SSAValue,
        var: SSAValue,
        *,
        epsilon: float,
        layout: str = "nchw",
    ) -> None:
        self._build(
            [input, scale, bias, mean, var],
            {"epsilon": FloatAttr(epsilon, f64), "layout": StringAttr(layout)},
        )

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        _float_operands(cls.name, operand_types)
        _channel_params(cls.name, operand_types, _layout(cls.name, properties), 2)
        return [operand_types[0]]

    def decompose(self, builder: Builder) -> list[SSAValue]:
        element = element_of(self.input.type)
        rank = len(dims_of(self.input.type))
        axis = channel_axis(string_of(self.layout, "nchw"), rank)
        # Per channel: y = x * factor + shift, factor = scale / sqrt(var + eps), shift = bias - mean * factor.
        eps = _scalar(builder, float_of(self.epsilon), element, 1)
        std = builder.insert(SqrtOp(builder.insert(AddOp(self.var, eps)).result)).result
        factor = builder.insert(DivOp(self.scale, std)).result
        shift = builder.insert(SubOp(self.bias, builder.insert(MulOp(self.mean, factor)).result)).result
        scaled = builder.insert(MulOp(self.input, _per_channel(builder, factor, axis, rank))).result
        return [builder.insert(AddOp(scaled, _per_channel(builder, shift, axis, rank))).result]


@irdl_op_definition
class InstanceNormOp(CompositeOp):
    """Instance normalization: each channel of each sample standardized over the spatial
    dims (biased variance), then `* scale + bias` per channel."""

    name = "infer.instance_norm"
    input = operand_def(TensorType)
    scale = operand_def(TensorType)
    bias = operand_def(TensorType)
    result = result_def(TensorType)
    epsilon = prop_def(FloatAttr)
    layout = prop_def(StringAttr, default_value=StringAttr("nchw"))
    traits = traits_def(Pure())
    assembly_format = "$input `,` $scale `,` $bias attr-dict `:` functional-type(operands, results)"

    def __init__(
        self, input: SSAValue, scale: SSAValue, bias: SSAValue, *, epsilon: float, layout: str = "nchw"
    ) -> None:
        self._build([input, scale, bias], {"epsilon": FloatAttr(epsilon, f64), "layout": StringAttr(layout)})

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        _float_operands(cls.name, operand_types)
        _channel_params(cls.name, operand_types, _layout(cls.name, properties), 3)
        return [operand_types[0]]

    def decompose(self, builder: Builder) -> list[SSAValue]:
        x = self.input
        element = element_of(x.type)
        rank = len(dims_of(x.type))
        layout = string_of(self.layout, "nchw")
        axis, spatial = channel_axis(layout, rank), spatial_axes(layout, rank)
        mean = builder.insert(ReduceMeanOp(x, spatial, keepdims=True)).result
        centered = builder.insert(SubOp(x, mean)).result
        square = builder.insert(MulOp(centered, centered)).result
        var = builder.insert(ReduceMeanOp(square, spatial, keepdims=True)).result
        eps = _scalar(builder, float_of(self.epsilon), element, rank)
        std = builder.insert(SqrtOp(builder.insert(AddOp(var, eps)).result)).result
        # factor = scale / std on [N, C, 1, ...]: one multiply of the large tensor.
        factor = builder.insert(DivOp(_per_channel(builder, self.scale, axis, rank), std)).result
        scaled = builder.insert(MulOp(centered, factor)).result
        return [builder.insert(AddOp(scaled, _per_channel(builder, self.bias, axis, rank))).result]


STASHED_ELEMENTS = (Float16Type, BFloat16Type)
"""Element types whose layer-normalization statistics are computed in f32 (ONNX's stash_type)."""


@irdl_op_definition
class LayerNormOp(CompositeOp):
    """Layer normalization: standardizes over the dims `[axis, rank)` (biased variance; in f32
    for f16/bf16 inputs), then `* scale + bias`, both broadcast to the input."""

    name = "infer.layer_norm"
    input = operand_def(TensorType)
    scale = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    result = result_def(TensorType)
    axis = prop_def(IntegerAttr)
    epsilon = prop_def(FloatAttr)
    traits = traits_def(Pure())
    assembly_format = "$input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)"

    def __init__(
        self, input: SSAValue, scale: SSAValue, bias: SSAValue | None = None, *, axis: int, epsilon: float
    ) -> None:
        self._build([input, scale, bias], {"axis": IntegerAttr(axis, i64), "epsilon": FloatAttr(epsilon, f64)})

    @property
    def normalized_axes(self) -> list[int]:
        return list(range(int_of(self.axis), len(dims_of(self.input.type))))

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        _float_operands(cls.name, operand_types)
        x = dims_of(operand_types[0])
        axis = int_of(properties["axis"])
        if not 0 <= axis < len(x):
            raise ShapeError(f"{cls.name} axis {axis} must be in [0, {len(x)}) (normalized by the lowering)")
        for t in operand_types[1:]:
            p = dims_of(t)
            if len(p) != len(x):
                raise ShapeError(f"{cls.name} scale and bias must have the input's rank {len(x)}, got {list(p)}")
            for d, s in zip(x, p, strict=True):
                if s not in (1, None) and d is not None and s != d:
                    raise ShapeError(f"{cls.name} scale and bias of shape {list(p)} do not broadcast to {list(x)}")
        return [operand_types[0]]

    def decompose(self, builder: Builder) -> list[SSAValue]:
        x: SSAValue = self.input
        element = element_of(x.type)
        rank = len(dims_of(x.type))
        axes = self.normalized_axes
        stashed = isinstance(element, STASHED_ELEMENTS)
        if stashed:
            x = builder.insert(CastOp(x, f32)).result
        mean = builder.insert(ReduceMeanOp(x, axes, keepdims=True)).result
        centered = builder.insert(SubOp(x, mean)).result
        square = builder.insert(MulOp(centered, centered)).result
        var = builder.insert(ReduceMeanOp(square, axes, keepdims=True)).result
        eps = _scalar(builder, float_of(self.epsilon), element_of(x.type), rank)
        inv_std = builder.insert(ReciprocalOp(builder.insert(SqrtOp(builder.insert(AddOp(var, eps)).result)).result))
        y = builder.insert(MulOp(centered, inv_std.result)).result
        if stashed:
            y = builder.insert(CastOp(y, element)).result
        y = builder.insert(MulOp(y, self.scale)).result
        if self.bias is not None:
            y = builder.insert(AddOp(y, self.bias)).result
        return [y]


NORMALIZATION_OPS: list[type[InferOp]] = [BatchNormOp, InstanceNormOp, LayerNormOp]
