"""Neural-network ops: convolution, transposed convolution, pooling (max, average, p-norm),
local response normalization.

Convolutions may carry an epilogue: an `activation` (with its
`activation_params`) applied to the result after the bias, as one op (see
`epilogue.py`); `infer.conv` may also add a `residual` tensor of its result's
type before the activation.

Spatial ops work on any number of spatial dims. Their data layout is explicit:
`layout = "nchw"` (channels first, the default) or `"nhwc"` (channels last),
whatever the spatial rank. Padding is explicit, `pads = [begin_0, begin_1,
..., end_0, end_1, ...]`: no frontend padding convention (auto_pad, SAME)
survives into `infer`. A window of `kernel` taps with dilation `d` spans
`d * (kernel - 1) + 1` input positions; output position `o` of a spatial dim
reads input positions `o * stride - pad_begin + t * dilation`, `t` in
`[0, kernel)`.

    %y = infer.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>}
           : (tensor<?x3x?x?xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>) -> tensor<?x64x?x?xf32>
    %r = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
           activation = "clip", activation_params = array<f64: 0.0, 6.0>}
           : (tensor<?x3x?x?xf32>, tensor<64x3x1x1xf32>) -> tensor<?x64x?x?xf32>
    %s = infer.conv %x, %w, %b residual %r {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
           pads = array<i64: 1, 1, 1, 1>, activation = "relu"}
           : (tensor<?x64x?x?xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>) -> tensor<?x64x?x?xf32>
    %t = infer.conv_transpose %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
           pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>}
           : (tensor<1x64x8x8xf32>, tensor<64x32x3x3xf32>) -> tensor<1x32x16x16xf32>
    %m = infer.max_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
           pads = array<i64: 1, 1, 1, 1>} : (tensor<?x64x112x112xf32>) -> tensor<?x64x56x56xf32>
    %a = infer.avg_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
           pads = array<i64: 0, 0, 0, 0>, count_include_pad, layout = "nhwc"}
           : (tensor<1x8x8x16xf32>) -> tensor<1x4x4x16xf32>
    %p = infer.lp_pool %x {p = 2.000000e+00 : f64, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>,
           dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
    %v, %i = infer.max_pool_with_indices %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>,
           dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
           : (tensor<?x64x?x?xf32>) -> (tensor<?x64x?x?xf32>, tensor<?x64x?x?xi64>)
    %u = infer.max_unpool %v, %i {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>}
           : (tensor<1x64x4x4xf32>, tensor<1x64x4x4xi64>) -> tensor<1x64x8x8xf32>
    %l = infer.lrn %x {size = 5 : i64, alpha = 1.000000e-04 : f64, beta = 7.500000e-01 : f64, bias = 1.000000e+00 : f64}
           : (tensor<?x96x55x55xf32>) -> tensor<?x96x55x55xf32>
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

import numpy as np
from xdsl.builder import Builder
from xdsl.dialects.builtin import DenseArrayBase, FloatAttr, IntegerAttr, StringAttr, TensorType, UnitAttr, f64, i64
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    AttrSizedOperandSegments,
    ParsePropInAttrDict,
    VarConstraint,
    base,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure

from infer.dialects.dtypes import to_numpy
from infer.dialects.infer.base import (
    CompositeOp,
    Dim,
    InferOp,
    Shape,
    ShapeError,
    dims_of,
    element_of,
    float_of,
    i64_array,
    int_of,
    ints_of,
    is_float,
    is_int,
    string_of,
    tensor_type,
)
from infer.dialects.infer.constant import ConstantOp
from infer.dialects.infer.elementwise import AddOp, DivOp, MulOp, PowOp
from infer.dialects.infer.epilogue import (
    Epilogue,
    check_epilogue,
    epilogue_of,
    epilogue_properties,
    segments,
    split_operands,
)
from infer.dialects.infer.tensor import SqueezeOp, UnsqueezeOp

LAYOUTS = ("nchw", "nhwc")


def channel_axis(layout: str, rank: int) -> int:
    """Index of the channel dim of a rank-`rank` tensor in `layout`."""
    return 1 if layout == "nchw" else rank - 1


def spatial_axes(layout: str, rank: int) -> list[int]:
    return list(range(2, rank)) if layout == "nchw" else list(range(1, rank - 1))


def window_output_dim(
    size: Dim, kernel: int, stride: int, dilation: int, pad_begin: int, pad_end: int, ceil_mode: bool = False
) -> Dim:
    """Output length of a sliding window: floor (or ceil) of
    `(size + pads - dilation * (kernel - 1) - 1) / stride + 1`. With ceil mode,
    a last window that would start in the end padding is dropped."""
    if size is None:
        return None
    span = size + pad_begin + pad_end - dilation * (kernel - 1) - 1
    if span < 0:
        raise ShapeError(
            f"window of extent {dilation * (kernel - 1) + 1} does not fit input of size {size} "
            f"with pads {pad_begin}, {pad_end}"
        )
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + pad_begin:
        out -= 1
    return out


def transposed_output_dim(
    size: Dim, kernel: int, stride: int, dilation: int, pad_begin: int, pad_end: int, output_padding: int
) -> Dim:
    """Output length of a transposed convolution:
    `stride * (size - 1) + output_padding + dilation * (kernel - 1) + 1 - pads`."""
    if size is None:
        return None
    out = stride * (size - 1) + output_padding + dilation * (kernel - 1) + 1 - pad_begin - pad_end
    if out < 1:
        raise ShapeError(f"transposed convolution of an input of size {size} has an output of size {out}")
    return out


def _window_props(
    properties: Mapping[str, Attribute], spatial: int, kernel: Sequence[int], *, negative_pads: bool = False
) -> tuple[list[int], list[int], list[int]]:
    strides = list(ints_of(properties.get("strides"))) or [1] * spatial
    dilations = list(ints_of(properties.get("dilations"))) or [1] * spatial
    pads = list(ints_of(properties.get("pads"))) or [0] * (2 * spatial)
    if len(strides) != spatial or len(dilations) != spatial or len(pads) != 2 * spatial:
        raise ShapeError(
            f"strides, dilations and pads must have {spatial}, {spatial} and {2 * spatial} entries, "
            f"got {len(strides)}, {len(dilations)} and {len(pads)}"
        )
    if any(s < 1 for s in strides) or any(d < 1 for d in dilations):
        raise ShapeError("strides and dilations must be positive")
    if not negative_pads and any(p < 0 for p in pads):
        raise ShapeError(f"pads must be non-negative, got {pads}")
    if len(kernel) != spatial:
        raise ShapeError(f"kernel has {len(kernel)} spatial dims, input has {spatial}")
    if any(k < 1 for k in kernel):
        raise ShapeError(f"kernel sizes must be positive, got {list(kernel)}")
    return strides, dilations, pads


def _layout(properties: Mapping[str, Attribute]) -> str:
    layout = string_of(properties.get("layout"), "nchw")
    if layout not in LAYOUTS:
        raise ShapeError(f"layout must be one of {LAYOUTS}, got '{layout}'")
    return layout


def _static_weight(name: str, operand_types: Sequence[Attribute]) -> tuple[Shape, Shape]:
    x, w = dims_of(operand_types[0]), dims_of(operand_types[1])
    if element_of(operand_types[0]) != element_of(operand_types[1]):
        raise ShapeError(f"{name} input and weight must have one element type")
    if len(x) < 3 or len(w) != len(x):
        raise ShapeError(f"{name} needs input and weight of equal rank >= 3, got {len(x)} and {len(w)}")
    if any(d is None for d in w):
        raise ShapeError(f"{name} weight must have a static shape")
    return x, w


def _check_bias(operand_types: Sequence[Attribute], channels: int) -> None:
    if len(operand_types) == 3:
        _check_bias_type(operand_types[2], operand_types[0], channels)


def _check_bias_type(bias: Attribute, input: Attribute, channels: int) -> None:
    b = dims_of(bias)
    if b != (channels,):
        raise ShapeError(f"bias must have shape [{channels}], got {list(b)}")
    if element_of(bias) != element_of(input):
        raise ShapeError("bias must have the input's element type")


def check_residual(residual: Attribute | None, result: TensorType, what: str) -> TensorType:
    """Checks a `residual` operand's type against the result type the rule computed
    (the same element type and rank; each dim equal, or dynamic on one side) and
    returns the result type: the computed one, refined by the residual's static
    dims (the op's result and its residual have one type)."""
    if residual is None:
        return result
    r, y = dims_of(residual), dims_of(result)
    if element_of(residual) != result.element_type or len(r) != len(y):
        raise ShapeError(f"{what} residual must have the result's type {result}, got {residual}")
    if any(a is not None and b is not None and a != b for a, b in zip(r, y, strict=True)):
        raise ShapeError(f"{what} residual must have the result's type {result}, got {residual}")
    return tensor_type(result.element_type, [b if b is not None else a for a, b in zip(r, y, strict=True)])


def _with_spatial(x: Shape, layout: str, channels: Dim, spatial: Sequence[Dim]) -> list[Dim]:
    return [x[0], channels, *spatial] if layout == "nchw" else [x[0], *spatial, channels]


@irdl_op_definition
class ConvOp(InferOp):
    """N-d convolution (cross-correlation) with groups, strides, dilations and
    explicit non-negative pads (zeros); `bias` is added per output channel.

    The weight is `[out_channels, in_channels / groups, kernel...]` whatever the
    layout; output channel `o` of group `o // (out_channels / groups)` reads that
    group's input channels. An optional `residual` (a tensor of the result's
    type) is added to the biased sum, rounded to the result type, and an
    optional epilogue `activation` (with its `activation_params`) is applied
    last: `act(conv + bias + residual)` (see `epilogue.py`).
    """

    name = "infer.conv"
    T: ClassVar = VarConstraint("T", base(TensorType))
    input = operand_def(TensorType)
    weight = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    residual = opt_operand_def(T)
    result = result_def(T)
    strides = prop_def(DenseArrayBase)
    dilations = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    groups = prop_def(IntegerAttr, default_value=IntegerAttr(1, i64))
    layout = prop_def(StringAttr, default_value=StringAttr("nchw"))
    activation = opt_prop_def(StringAttr)
    activation_params = opt_prop_def(DenseArrayBase)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(), AttrSizedOperandSegments(as_property=True))  # type: ignore[assignment]
    # The residual has the result's type: the functional type lists the others.
    assembly_format = (
        "$input `,` $weight (`,` $bias^)? (`residual` $residual^)? attr-dict `:` "
        "`(` type($input) `,` type($weight) (`,` type($bias)^)? `)` `->` type($result)"
    )

    def __init__(
        self,
        input: SSAValue,
        weight: SSAValue,
        bias: SSAValue | None = None,
        *,
        strides: Sequence[int],
        dilations: Sequence[int],
        pads: Sequence[int],
        groups: int = 1,
        layout: str = "nchw",
        epilogue: Epilogue | None = None,
        residual: SSAValue | None = None,
    ) -> None:
        self._build(
            [input, weight, bias, residual],
            {
                "strides": i64_array(strides),
                "dilations": i64_array(dilations),
                "pads": i64_array(pads),
                "groups": IntegerAttr(groups, i64),
                "layout": StringAttr(layout),
                **epilogue_properties(epilogue),
                **segments(input, weight, bias, residual),
            },
        )

    @property
    def epilogue(self) -> Epilogue | None:
        """The activation applied after the bias (and the residual), if any."""
        return epilogue_of(self)

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        if "operandSegmentSizes" not in properties and len(operand_types) == 3 and len(dims_of(operand_types[2])) != 1:
            # No segment sizes (a rule run on bare types): a third operand that is not a [C] bias is a residual.
            properties = {**properties, **segments(*operand_types[:2], None, operand_types[2])}
        optional = split_operands(operand_types, properties, 2, ("bias", "residual"))
        bias, residual = optional["bias"], optional["residual"]
        x, w = _static_weight("infer.conv", operand_types[:2])
        layout = _layout(properties)
        groups = int_of(properties.get("groups"), 1)
        spatial = spatial_axes(layout, len(x))
        kernel: list[int] = list(w[2:])  # type: ignore[arg-type]
        strides, dilations, pads = _window_props(properties, len(spatial), kernel)
        channels = x[channel_axis(layout, len(x))]
        out_channels, in_per_group = w[0], w[1]
        assert out_channels is not None and in_per_group is not None
        if groups < 1 or out_channels % groups:
            raise ShapeError(f"groups ({groups}) must divide the output channels ({out_channels})")
        if channels is not None and channels != in_per_group * groups:
            raise ShapeError(f"input has {channels} channels, weight expects {in_per_group} x {groups} groups")
        if bias is not None:
            _check_bias_type(bias, operand_types[0], out_channels)
        n = len(spatial)
        out_spatial = [
            window_output_dim(x[a], kernel[i], strides[i], dilations[i], pads[i], pads[n + i])
            for i, a in enumerate(spatial)
        ]
        check_epilogue(properties, element_of(operand_types[0]))
        result = tensor_type(element_of(operand_types[0]), _with_spatial(x, layout, out_channels, out_spatial))
        return [check_residual(residual, result, "infer.conv")]


@irdl_op_definition
class ConvTransposeOp(InferOp):
    """N-d transposed convolution (the gradient of `infer.conv` with respect to its
    input), with groups, strides, dilations, pads and output padding; `bias` is
    added per output channel.

    The weight is `[in_channels, out_channels / groups, kernel...]` whatever the
    layout. Input
    position `i` and tap `t` of a spatial dim contribute to output position
    `i * stride + t * dilation - pad_begin`; contributions outside
    `[0, out)` are dropped, where `out = stride * (size - 1) + output_padding +
    dilation * (kernel - 1) + 1 - pad_begin - pad_end`. Pads may be negative:
    output positions that no input reaches are zero (plus the bias). An
    optional epilogue `activation` is applied after the bias, as for `infer.conv`.
    """

    name = "infer.conv_transpose"
    input = operand_def(TensorType)
    weight = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    result = result_def(TensorType)
    strides = prop_def(DenseArrayBase)
    dilations = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    output_padding = prop_def(DenseArrayBase)
    groups = prop_def(IntegerAttr, default_value=IntegerAttr(1, i64))
    layout = prop_def(StringAttr, default_value=StringAttr("nchw"))
    activation = opt_prop_def(StringAttr)
    activation_params = opt_prop_def(DenseArrayBase)
    traits = traits_def(Pure())
    assembly_format = "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        input: SSAValue,
        weight: SSAValue,
        bias: SSAValue | None = None,
        *,
        strides: Sequence[int],
        dilations: Sequence[int],
        pads: Sequence[int],
        output_padding: Sequence[int],
        groups: int = 1,
        layout: str = "nchw",
        epilogue: Epilogue | None = None,
    ) -> None:
        self._build(
            [input, weight, bias],
            {
                "strides": i64_array(strides),
                "dilations": i64_array(dilations),
                "pads": i64_array(pads),
                "output_padding": i64_array(output_padding),
                "groups": IntegerAttr(groups, i64),
                "layout": StringAttr(layout),
                **epilogue_properties(epilogue),
            },
        )

    @property
    def epilogue(self) -> Epilogue | None:
        """The activation applied after the bias, if any."""
        return epilogue_of(self)

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        x, w = _static_weight("infer.conv_transpose", operand_types)
        layout = _layout(properties)
        groups = int_of(properties.get("groups"), 1)
        spatial = spatial_axes(layout, len(x))
        n = len(spatial)
        kernel: list[int] = list(w[2:])  # type: ignore[arg-type]
        strides, dilations, pads = _window_props(properties, n, kernel, negative_pads=True)
        output_padding = list(ints_of(properties.get("output_padding"))) or [0] * n
        if len(output_padding) != n or any(p < 0 for p in output_padding):
            raise ShapeError(f"output_padding must have {n} non-negative entries, got {output_padding}")
        channels = x[channel_axis(layout, len(x))]
        in_channels, out_per_group = w[0], w[1]
        assert in_channels is not None and out_per_group is not None
        if groups < 1 or in_channels % groups:
            raise ShapeError(f"groups ({groups}) must divide the weight's input channels ({in_channels})")
        if channels is not None and channels != in_channels:
            raise ShapeError(f"input has {channels} channels, weight expects {in_channels}")
        out_channels = out_per_group * groups
        _check_bias(operand_types, out_channels)
        out_spatial = [
            transposed_output_dim(x[a], kernel[i], strides[i], dilations[i], pads[i], pads[n + i], output_padding[i])
            for i, a in enumerate(spatial)
        ]
        check_epilogue(properties, element_of(operand_types[0]))
        return [tensor_type(element_of(operand_types[0]), _with_spatial(x, layout, out_channels, out_spatial))]


class PoolOp(InferOp):
    """Base of the sliding-window reductions over the spatial dims, channel by channel.

    The output length of a spatial dim is `floor((size + pad_begin + pad_end -
    dilation * (kernel - 1) - 1) / stride) + 1`; with `ceil_mode`, the division
    rounds up, but a last window that would start in the end padding (at or
    after `size + pad_begin` in padded coordinates) is dropped. A last window
    may then reach past the end padding.
    """

    input = operand_def(TensorType)
    result = result_def(TensorType)
    kernel = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    dilations = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    ceil_mode = opt_prop_def(UnitAttr)
    layout = prop_def(StringAttr, default_value=StringAttr("nchw"))
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    @classmethod
    def check_element(cls, t: Attribute) -> None:
        if not is_float(element_of(t)):
            raise ShapeError(f"{cls.name} needs a floating-point tensor, got {t}")

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        x = dims_of(operand_types[0])
        cls.check_element(operand_types[0])
        if len(x) < 3:
            raise ShapeError(f"{cls.name} needs an input of rank >= 3, got rank {len(x)}")
        layout = _layout(properties)
        spatial = spatial_axes(layout, len(x))
        kernel = list(ints_of(properties.get("kernel")))
        strides, dilations, pads = _window_props(properties, len(spatial), kernel)
        ceil_mode = properties.get("ceil_mode") is not None
        n = len(spatial)
        dims = list(x)
        for i, a in enumerate(spatial):
            dims[a] = window_output_dim(x[a], kernel[i], strides[i], dilations[i], pads[i], pads[n + i], ceil_mode)
        return [tensor_type(element_of(operand_types[0]), dims)]


@irdl_op_definition
class MaxPoolOp(PoolOp):
    """Max over each window; pads never win (they act as -inf, or the least
    integer), and a window that holds only padding gives that value."""

    name = "infer.max_pool"

    def __init__(
        self,
        input: SSAValue,
        *,
        kernel: Sequence[int],
        strides: Sequence[int],
        dilations: Sequence[int],
        pads: Sequence[int],
        ceil_mode: bool = False,
        layout: str = "nchw",
    ) -> None:
        self._build(
            [input],
            {
                "kernel": i64_array(kernel),
                "strides": i64_array(strides),
                "dilations": i64_array(dilations),
                "pads": i64_array(pads),
                "ceil_mode": UnitAttr() if ceil_mode else None,
                "layout": StringAttr(layout),
            },
        )

    @classmethod
    def check_element(cls, t: Attribute) -> None:
        element = element_of(t)
        if not (is_float(element) or is_int(element)):
            raise ShapeError(f"{cls.name} needs an integer or floating-point tensor, got {t}")


@irdl_op_definition
class AvgPoolOp(PoolOp):
    """Mean over each window: the sum of the window's input elements (pads are
    zeros) divided by a count of taps.

    Without `count_include_pad`, the count is the number of the window's taps
    inside the input. With it, the count is the number of taps inside the
    padded input, `[-pad_begin, size + pad_end)` per spatial dim: the part of a
    ceil-mode window beyond the end padding is never counted. This is
    onnxruntime's rule (and PyTorch's); the count is a product over the
    spatial dims of the per-dim counts.
    """

    name = "infer.avg_pool"
    count_include_pad = opt_prop_def(UnitAttr)

    def __init__(
        self,
        input: SSAValue,
        *,
        kernel: Sequence[int],
        strides: Sequence[int],
        dilations: Sequence[int],
        pads: Sequence[int],
        ceil_mode: bool = False,
        count_include_pad: bool = False,
        layout: str = "nchw",
    ) -> None:
        self._build(
            [input],
            {
                "kernel": i64_array(kernel),
                "strides": i64_array(strides),
                "dilations": i64_array(dilations),
                "pads": i64_array(pads),
                "ceil_mode": UnitAttr() if ceil_mode else None,
                "count_include_pad": UnitAttr() if count_include_pad else None,
                "layout": StringAttr(layout),
            },
        )


@irdl_op_definition
class LpPoolOp(PoolOp):
    """p-norm over each window: `(sum of |x|^p over the window's input elements)
    ^ (1 / p)`; pads add nothing."""

    name = "infer.lp_pool"
    p = prop_def(FloatAttr)

    def __init__(
        self,
        input: SSAValue,
        *,
        p: float,
        kernel: Sequence[int],
        strides: Sequence[int],
        dilations: Sequence[int],
        pads: Sequence[int],
        ceil_mode: bool = False,
        layout: str = "nchw",
    ) -> None:
        self._build(
            [input],
            {
                "p": FloatAttr(p, f64),
                "kernel": i64_array(kernel),
                "strides": i64_array(strides),
                "dilations": i64_array(dilations),
                "pads": i64_array(pads),
                "ceil_mode": UnitAttr() if ceil_mode else None,
                "layout": StringAttr(layout),
            },
        )

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        if float_of(properties.get("p"), 2.0) <= 0:
            raise ShapeError(f"infer.lp_pool p must be positive, got {float_of(properties.get('p'))}")
        return super().shape_rule(operand_types, properties)


@irdl_op_definition
class LrnOp(CompositeOp):
    """Local response normalization across channels:
    `y = x / (bias + alpha / size * square_sum) ^ beta`, where `square_sum` at
    channel `c` sums `x^2` over the channels `[c - floor((size - 1) / 2),
    c + ceil((size - 1) / 2)]` that exist."""

    name = "infer.lrn"
    input = operand_def(TensorType)
    result = result_def(TensorType)
    size = prop_def(IntegerAttr)
    alpha = prop_def(FloatAttr)
    beta = prop_def(FloatAttr)
    bias = prop_def(FloatAttr)
    layout = prop_def(StringAttr, default_value=StringAttr("nchw"))
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(
        self, input: SSAValue, *, size: int, alpha: float, beta: float, bias: float, layout: str = "nchw"
    ) -> None:
        self._build(
            [input],
            {
                "size": IntegerAttr(size, i64),
                "alpha": FloatAttr(alpha, f64),
                "beta": FloatAttr(beta, f64),
                "bias": FloatAttr(bias, f64),
                "layout": StringAttr(layout),
            },
        )

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        t = operand_types[0]
        x = dims_of(t)
        if not is_float(element_of(t)):
            raise ShapeError(f"infer.lrn needs a floating-point tensor, got {t}")
        if len(x) < 2:
            raise ShapeError(f"infer.lrn needs an input of rank >= 2, got rank {len(x)}")
        _layout(properties)
        if int_of(properties.get("size")) < 1:
            raise ShapeError(f"infer.lrn size must be positive, got {int_of(properties.get('size'))}")
        return [t]

    def decompose(self, builder: Builder) -> list[SSAValue]:
        # The channel-window sum is an average pool with count_include_pad (whose
        # count is then always `size`) over a layout that makes the channel dim a
        # spatial one: "nhwc" sees [N, C, D...] as channels D_last, spatial C, D...
        x: SSAValue = self.input
        rank = len(dims_of(x.type))
        element = element_of(x.type)
        size = int_of(self.size)
        channels_first = string_of(self.layout, "nchw") == "nchw" or rank == 2

        def insert(op: InferOp) -> SSAValue:
            return builder.insert(op).results[0]

        def scalar(value: float) -> SSAValue:
            return insert(ConstantOp(np.full([1] * rank, value, to_numpy(element))))

        square = insert(MulOp(x, x))
        if rank == 2:
            square = insert(UnsqueezeOp(square, [2]))
        n = max(rank, 3) - 2
        window = [1] * n
        window[0 if channels_first else n - 1] = size
        before = [(k - 1) // 2 for k in window]
        after = [k // 2 for k in window]
        mean = insert(
            AvgPoolOp(
                square,
                kernel=window,
                strides=[1] * n,
                dilations=[1] * n,
                pads=before + after,
                count_include_pad=True,
                layout="nhwc" if channels_first else "nchw",
            )
        )
        if rank == 2:
            mean = insert(SqueezeOp(mean, [2]))
        base = insert(AddOp(insert(MulOp(mean, scalar(float_of(self.alpha)))), scalar(float_of(self.bias))))
        return [insert(DivOp(x, insert(PowOp(base, scalar(float_of(self.beta))))))]


@irdl_op_definition
class MaxPoolWithIndicesOp(InferOp):
    """`infer.max_pool` (channels first) that also gives, for each window, the
    index (i64) of the element its maximum came from, flattened over the whole
    input: `((n * C + c) * H + h) * W + w` in row-major order, or with
    `column_major` the spatial part in column-major order (`(n * C + c) * H * W +
    w * H + h` in 2-D). The first maximum of the window wins in tap order; NaN is
    the maximum (the first NaN wins); pads never win. A window whose taps all
    hold the lowest value gives its first tap inside the input."""

    name = "infer.max_pool_with_indices"
    input = operand_def(TensorType)
    values = result_def(TensorType)
    indices = result_def(TensorType)
    kernel = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    dilations = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    ceil_mode = opt_prop_def(UnitAttr)
    column_major = opt_prop_def(UnitAttr)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        input: SSAValue,
        *,
        kernel: Sequence[int],
        strides: Sequence[int],
        dilations: Sequence[int],
        pads: Sequence[int],
        ceil_mode: bool = False,
        column_major: bool = False,
    ) -> None:
        self._build(
            [input],
            {
                "kernel": i64_array(kernel),
                "strides": i64_array(strides),
                "dilations": i64_array(dilations),
                "pads": i64_array(pads),
                "ceil_mode": UnitAttr() if ceil_mode else None,
                "column_major": UnitAttr() if column_major else None,
            },
        )

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        (values,) = MaxPoolOp.shape_rule(operand_types, properties)
        return [values, tensor_type(i64, dims_of(values))]


@irdl_op_definition
class MaxUnpoolOp(InferOp):
    """The inverse of `infer.max_pool_with_indices` (channels first): a zero tensor
    with every value of `input` written at its flattened index from `indices`
    (same shape as `input`) in the result; a later element wins where indices
    repeat, and an index outside the result is an error (the C target skips it).
    The result's spatial dims are `output_spatial` when given, else
    `(size - 1) * stride + kernel - pad_begin - pad_end`; batch and channels
    are the input's."""

    name = "infer.max_unpool"
    input = operand_def(TensorType)
    indices = operand_def(TensorType)
    result = result_def(TensorType)
    kernel = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    output_spatial = opt_prop_def(DenseArrayBase)
    traits = traits_def(Pure())
    assembly_format = "$input `,` $indices attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        input: SSAValue,
        indices: SSAValue,
        *,
        kernel: Sequence[int],
        strides: Sequence[int],
        pads: Sequence[int],
        output_spatial: Sequence[int] | None = None,
    ) -> None:
        self._build(
            [input, indices],
            {
                "kernel": i64_array(kernel),
                "strides": i64_array(strides),
                "pads": i64_array(pads),
                "output_spatial": i64_array(output_spatial) if output_spatial is not None else None,
            },
        )

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        x, indices = operand_types
        dims = dims_of(x)
        if not is_float(element_of(x)) and not is_int(element_of(x)):
            raise ShapeError(f"{cls.name} needs an integer or floating-point tensor, got {x}")
        index_dims = dims_of(indices)
        same = len(index_dims) == len(dims) and all(
            a is None or b is None or a == b for a, b in zip(index_dims, dims, strict=True)
        )
        if element_of(indices) != i64 or not same:
            raise ShapeError(f"{cls.name} indices must be i64 of the input's shape, got {indices} for {x}")
        n = len(dims) - 2
        kernel = list(ints_of(properties.get("kernel")))
        strides = list(ints_of(properties.get("strides")))
        pads = list(ints_of(properties.get("pads")))
        if n < 1 or len(kernel) != n or len(strides) != n or len(pads) != 2 * n:
            raise ShapeError(f"{cls.name} needs kernel, strides ({n}) and pads ({2 * n}) for input {x}")
        explicit = properties.get("output_spatial")
        if explicit is not None:
            spatial: list[Dim] = list(ints_of(explicit))
            if len(spatial) != n or any(d is None or d < 0 for d in spatial):
                raise ShapeError(f"{cls.name} output_spatial needs {n} non-negative dims")
        else:
            spatial = [
                None if d is None else (d - 1) * strides[i] + kernel[i] - pads[i] - pads[n + i]
                for i, d in enumerate(dims[2:])
            ]
            if any(d is not None and d < 0 for d in spatial):
                raise ShapeError(f"{cls.name} output dims {spatial} are negative")
        return [tensor_type(element_of(x), [dims[0], dims[1], *spatial])]


NN_OPS: list[type[InferOp]] = [
    ConvOp, ConvTransposeOp, MaxPoolOp, AvgPoolOp, LpPoolOp, LrnOp, MaxPoolWithIndicesOp, MaxUnpoolOp,
]  # fmt: skip
