"""Neural-network ops: convolution, pooling, matrix products, normalizations.

Spatial ops work on any number of spatial dims. Their data layout is explicit:
`layout = "nchw"` (channels first, the default) or `"nhwc"` (channels last),
whatever the spatial rank; filters are `[out, in / groups, spatial...]`.
Padding is explicit, `pads = [begin_0, begin_1, ..., end_0, end_1, ...]`:
no frontend padding convention (auto_pad, SAME) survives into `infer`.

    %y = infer.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>}
           : (tensor<?x3x?x?xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>) -> tensor<?x64x?x?xf32>
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from xdsl.dialects.builtin import DenseArrayBase, IntegerAttr, StringAttr, TensorType, i64
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import irdl_op_definition, operand_def, opt_operand_def, prop_def, result_def, traits_def
from xdsl.traits import Pure

from infer.dialects.infer.base import (
    Dim,
    InferOp,
    ShapeError,
    dims_of,
    element_of,
    i64_array,
    int_of,
    ints_of,
    string_of,
    tensor_type,
)

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


def _window_props(
    properties: Mapping[str, Attribute], spatial: int, kernel: Sequence[int]
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
    if len(kernel) != spatial:
        raise ShapeError(f"kernel has {len(kernel)} spatial dims, input has {spatial}")
    return strides, dilations, pads


def _layout(properties: Mapping[str, Attribute]) -> str:
    layout = string_of(properties.get("layout"), "nchw")
    if layout not in LAYOUTS:
        raise ShapeError(f"layout must be one of {LAYOUTS}, got '{layout}'")
    return layout


@irdl_op_definition
class ConvOp(InferOp):
    """N-d convolution (cross-correlation) with groups, strides, dilations and
    explicit pads; `bias` is added per output channel."""

    name = "infer.conv"
    input = operand_def(TensorType)
    weight = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    result = result_def(TensorType)
    strides = prop_def(DenseArrayBase)
    dilations = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    groups = prop_def(IntegerAttr, default_value=IntegerAttr(1, i64))
    layout = prop_def(StringAttr, default_value=StringAttr("nchw"))
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
        groups: int = 1,
        layout: str = "nchw",
    ) -> None:
        self._build(
            [input, weight, bias],
            {
                "strides": i64_array(strides),
                "dilations": i64_array(dilations),
                "pads": i64_array(pads),
                "groups": IntegerAttr(groups, i64),
                "layout": StringAttr(layout),
            },
        )

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        x, w = dims_of(operand_types[0]), dims_of(operand_types[1])
        if element_of(operand_types[0]) != element_of(operand_types[1]):
            raise ShapeError("infer.conv input and weight must have one element type")
        if len(x) < 3 or len(w) != len(x):
            raise ShapeError(f"infer.conv needs input and weight of equal rank >= 3, got {len(x)} and {len(w)}")
        layout = _layout(properties)
        groups = int_of(properties.get("groups"), 1)
        spatial = spatial_axes(layout, len(x))
        kernel = w[2:]
        if any(k is None for k in kernel) or w[0] is None or w[1] is None:
            raise ShapeError("infer.conv weight must have a static shape")
        strides, dilations, pads = _window_props(properties, len(spatial), kernel)  # type: ignore[arg-type]
        channels = x[channel_axis(layout, len(x))]
        out_channels = w[0]
        if groups < 1 or out_channels % groups:
            raise ShapeError(f"groups ({groups}) must divide the output channels ({out_channels})")
        if channels is not None and channels != w[1] * groups:
            raise ShapeError(f"input has {channels} channels, weight expects {w[1]} x {groups} groups")
        if len(operand_types) == 3:
            b = dims_of(operand_types[2])
            if b != (out_channels,):
                raise ShapeError(f"bias must have shape [{out_channels}], got {list(b)}")
        n = len(spatial)
        out_spatial = [
            window_output_dim(x[a], kernel[i], strides[i], dilations[i], pads[i], pads[n + i])  # type: ignore[arg-type]
            for i, a in enumerate(spatial)
        ]
        dims = [x[0], out_channels, *out_spatial] if layout == "nchw" else [x[0], *out_spatial, out_channels]
        return [tensor_type(element_of(operand_types[0]), dims)]


NN_OPS: list[type[InferOp]] = [ConvOp]
