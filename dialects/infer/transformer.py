"""Composite ops of transformer models: RMS and group normalization, rotary embeddings, attention.

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

`infer.attention` is scaled dot-product attention on heads-first tensors:
`q [B, Hq, S, Dk]`, `k [B, Hkv, T, Dk]`, `v [B, Hkv, T, Dv]` give `[B, Hq, S, Dv]`.
With `Hq = r * Hkv` (grouped-query attention), query head `h` uses key/value
head `h / r`. The scores `(q * sqrt(scale)) (k * sqrt(scale))^T` are soft-capped
when `softcap > 0` (`softcap * tanh(scores / softcap)`), then the additive
`bias` (rank 4, each dim 1 or the scores') and the `causal` mask are added
(`"top_left"`: query `i` sees keys `j <= i`; `"bottom_right"`: `j <= i + T - S`;
masked entries are -inf), softmax runs over the keys (in `softmax_type` when
given, else the input's type), and a query row whose bias and mask are -inf
for every key gets zero weights instead of NaN. The weights multiply `v`.

    %y = infer.attention %q, %k, %v {scale = 1.250000e-01 : f64, causal = "bottom_right"}
           : (tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32>) -> tensor<?x8x?x64xf32>
    %m = infer.attention %q, %k, %v, %bias {scale = 1.250000e-01 : f64, softcap = 5.000000e+01 : f64}
           : (tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x1x1x?xf32>)
           -> tensor<?x8x?x64xf32>
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from xdsl.builder import Builder
from xdsl.dialects.builtin import (
    AnyFloatConstr,
    BFloat16Type,
    Float16Type,
    FloatAttr,
    IntegerAttr,
    StringAttr,
    TensorType,
    UnitAttr,
    f32,
    f64,
    i64,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
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
    ShapeError,
    broadcast_dim,
    dims_of,
    element_of,
    float_of,
    int_of,
    is_float,
    string_of,
    tensor_type,
)
from infer.dialects.infer.constant import ConstantOp
from infer.dialects.infer.elementwise import (
    AddOp,
    CastOp,
    DivOp,
    EqualOp,
    LessEqualOp,
    MulOp,
    ReciprocalOp,
    SelectOp,
    SqrtOp,
    SubOp,
    TanhOp,
)
from infer.dialects.infer.matmul import MatmulOp
from infer.dialects.infer.reduction import ReduceMaxOp, ReduceMeanOp, SoftmaxOp
from infer.dialects.infer.tensor import (
    ConcatOp,
    GatherOp,
    RangeOp,
    ReshapeOp,
    ShapeOfOp,
    SliceOp,
    TransposeOp,
    UnsqueezeOp,
)

STASHED = (Float16Type, BFloat16Type)
"""Element types whose normalization statistics are computed in f32."""


def _float_operands(name: str, operand_types: Sequence[Attribute]) -> Attribute:
    element = element_of(operand_types[0])
    if not is_float(element):
        raise ShapeError(f"{name} needs a floating-point input, got {operand_types[0]}")
    if any(element_of(t) != element for t in operand_types):
        raise ShapeError(f"{name} operands must have one element type, got {list(map(str, operand_types))}")
    return element


def _refined(dims: Sequence[Dim], other: Sequence[Dim]) -> list[Dim]:
    """`dims` with the static sizes of a broadcast operand filled in where `dims` are dynamic
    (the decomposition's elementwise ops broadcast to them)."""
    return [d if o == 1 else broadcast_dim(d, o) for d, o in zip(dims, other, strict=True)]


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
        return [tensor_type(element_of(operand_types[0]), _refined(x, s))]

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
        result = list(x)
        for t in operand_types[1:]:
            result = [*_refined(result[:-1], dims_of(t)[:-1]), result[-1]]
        return [tensor_type(element_of(operand_types[0]), result)]

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


CAUSAL_MODES = ("none", "top_left", "bottom_right")

QK_CAPTURES = ("scores", "softcapped", "biased", "weights")
"""The intermediate results `attention_ops` can return beside the output (ONNX's qk_matmul_output modes 0-3)."""


def causal_offset_allowed(causal: str, queries: int, keys: int, offset: int | None = None) -> np.ndarray:
    """`[S, T]` booleans: which keys each query may see under `causal` (or, with `offset`,
    the keys `j <= i + offset`)."""
    i = np.arange(queries)[:, None]
    j = np.arange(keys)[None, :]
    if offset is None:
        offset = 0 if causal == "top_left" else keys - queries
    return j <= i + offset


def causal_bias(builder: Builder, q: SSAValue, k: SSAValue, causal: str, past: SSAValue | None = None) -> SSAValue:
    """The `[1, 1, S, T]` additive causal mask (0 or -inf) of queries `q` and keys `k`
    (`[B, H, S, D]`, `[B, H, T, D]`); with `past` (`[B, H, P, D]`), query i sees the keys
    `j <= i + P`. A constant when the lengths are static."""
    element = element_of(q.type)
    queries, keys = dims_of(q.type)[2], dims_of(k.type)[2]
    offset = None if past is None else dims_of(past.type)[2]
    if queries is not None and keys is not None and (past is None or offset is not None):
        visible = causal_offset_allowed(causal, queries, keys, offset)
        values = np.where(visible, 0.0, -np.inf).astype(to_numpy(element)).reshape(1, 1, queries, keys)
        return builder.insert(ConstantOp(values)).result

    def length(x: SSAValue) -> SSAValue:
        return builder.insert(ShapeOfOp(x, 2, 3)).result

    def scalar(x: SSAValue) -> SSAValue:
        return builder.insert(ReshapeOp.to(x, [])).result

    def index(value: int) -> SSAValue:
        return builder.insert(ConstantOp(np.array(value, np.int64))).result

    s_len, t_len = length(q), length(k)
    rows = builder.insert(RangeOp(index(0), scalar(s_len), index(1))).result
    cols = builder.insert(RangeOp(index(0), scalar(t_len), index(1))).result
    if past is not None:
        rows = builder.insert(AddOp(rows, length(past))).result
    elif causal == "bottom_right":
        rows = builder.insert(AddOp(rows, builder.insert(SubOp(t_len, s_len)).result)).result
    rows = builder.insert(UnsqueezeOp(rows, [1])).result
    cols = builder.insert(UnsqueezeOp(cols, [0])).result
    allowed = builder.insert(LessEqualOp(cols, rows)).result
    zero, minus_inf = _constant(builder, 0.0, element, 2), _constant(builder, -np.inf, element, 2)
    bias = builder.insert(SelectOp(allowed, zero, minus_inf)).result
    return builder.insert(UnsqueezeOp(bias, [0, 1])).result


def attention_ops(
    builder: Builder,
    q: SSAValue,
    k: SSAValue,
    v: SSAValue,
    bias: SSAValue | None,
    *,
    scale: float,
    causal: str = "none",
    softcap: float = 0.0,
    softmax_type: Attribute | None = None,
    capture: str | None = None,
) -> tuple[SSAValue, SSAValue | None]:
    """`infer.attention` in core ops; returns the output and, with `capture` (one of
    `QK_CAPTURES`), that intermediate result in the input's type."""
    element = element_of(q.type)
    heads, kv_heads = dims_of(q.type)[1], dims_of(k.type)[1]

    def scaled(x: SSAValue, factor: float) -> SSAValue:
        return builder.insert(MulOp(x, _constant(builder, factor, element, 4))).result

    root = float(np.sqrt(scale))
    qs, ks = scaled(q, root), scaled(k, root)
    if heads is not None and kv_heads is not None and heads != kv_heads:
        index = builder.insert(ConstantOp(np.arange(heads, dtype=np.int64) // (heads // kv_heads))).result
        ks = builder.insert(GatherOp(ks, index, 1)).result
        v = builder.insert(GatherOp(v, index, 1)).result
    kt = builder.insert(TransposeOp(ks, [0, 1, 3, 2])).result
    scores: SSAValue = builder.insert(MatmulOp(qs, kt)).result
    captured = {"scores": scores}
    if softcap > 0:
        capped = builder.insert(TanhOp(builder.insert(DivOp(scores, _constant(builder, softcap, element, 4))).result))
        scores = scaled(capped.result, softcap)
    captured["softcapped"] = scores
    total = bias
    if causal != "none":
        mask = causal_bias(builder, q, k, causal)
        total = mask if total is None else builder.insert(AddOp(total, mask)).result
    if total is not None:
        scores = builder.insert(AddOp(scores, total)).result
    captured["biased"] = scores
    if softmax_type is not None and softmax_type != element:
        scores = builder.insert(CastOp(scores, softmax_type)).result
    weights = builder.insert(SoftmaxOp(scores, [3])).result
    if total is not None:
        # Rows that see no key: zero weights rather than NaN.
        row_max = builder.insert(ReduceMaxOp(total, [3], keepdims=True)).result
        blind = builder.insert(EqualOp(row_max, _constant(builder, -np.inf, element, 4))).result
        zero = _constant(builder, 0.0, element_of(weights.type), 4)
        weights = builder.insert(SelectOp(blind, zero, weights)).result
    if element_of(weights.type) != element:
        weights = builder.insert(CastOp(weights, element)).result
    captured["weights"] = weights
    y = builder.insert(MatmulOp(weights, v)).result
    return y, None if capture is None else captured[capture]


@irdl_op_definition
class AttentionOp(CompositeOp):
    """Scaled dot-product attention on `[B, H, S, D]` tensors: soft cap, additive bias,
    causal mask, softmax over the keys (fully masked rows give zeros), grouped-query heads."""

    name = "infer.attention"
    q = operand_def(TensorType)
    k = operand_def(TensorType)
    v = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    result = result_def(TensorType)
    scale = prop_def(FloatAttr)
    causal = prop_def(StringAttr, default_value=StringAttr("none"))
    softcap = opt_prop_def(FloatAttr)
    softmax_type = opt_prop_def(AnyFloatConstr)
    traits = traits_def(Pure())
    assembly_format = "$q `,` $k `,` $v (`,` $bias^)? attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        q: SSAValue,
        k: SSAValue,
        v: SSAValue,
        bias: SSAValue | None = None,
        *,
        scale: float,
        causal: str = "none",
        softcap: float = 0.0,
        softmax_type: Attribute | None = None,
    ) -> None:
        self._build(
            [q, k, v, bias],
            {
                "scale": FloatAttr(scale, f64),
                "causal": StringAttr(causal) if causal != "none" else None,
                "softcap": FloatAttr(softcap, f64) if softcap > 0 else None,
                "softmax_type": softmax_type,
            },
        )

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        element = _float_operands(cls.name, operand_types)
        causal = string_of(properties.get("causal"), "none")
        if causal not in CAUSAL_MODES:
            raise ShapeError(f"{cls.name} causal must be one of {CAUSAL_MODES}, got '{causal}'")
        q, k, v = (dims_of(t) for t in operand_types[:3])
        if not len(q) == len(k) == len(v) == 4:
            raise ShapeError(f"{cls.name} needs q, k and v of rank 4 ([B, H, S, D]), got {[len(q), len(k), len(v)]}")
        batch = broadcast_dim(broadcast_dim(q[0], k[0], f"{cls.name} batch dims"), v[0], f"{cls.name} batch dims")
        if batch is not None and 1 in (q[0], k[0], v[0]) and batch != 1:
            raise ShapeError(f"{cls.name} q, k and v must have one batch size, got {[q[0], k[0], v[0]]}")
        heads, kv_heads = q[1], broadcast_dim(k[1], v[1], f"{cls.name} k and v heads")
        if k[1] is not None and v[1] is not None and k[1] != v[1]:
            raise ShapeError(f"{cls.name} k and v must have the same heads, got {k[1]} and {v[1]}")
        if heads is not None and kv_heads is not None and heads % kv_heads:
            raise ShapeError(f"{cls.name} query heads {heads} must be a multiple of the key/value heads {kv_heads}")
        for what, a, b in (("head size", q[3], k[3]), ("key length", k[2], v[2])):
            if a is not None and b is not None and a != b:
                raise ShapeError(f"{cls.name} q, k and v disagree on the {what}: {a} and {b}")
        scores = [batch, heads, q[2], k[2] if k[2] is not None else v[2]]
        if len(operand_types) == 4:
            bias = dims_of(operand_types[3])
            if len(bias) != 4:
                raise ShapeError(f"{cls.name} bias must have rank 4, got {list(bias)}")
            for d, b in zip(scores, bias, strict=True):
                if b not in (1, None) and d is not None and b != d:
                    raise ShapeError(f"{cls.name} bias of shape {list(bias)} does not broadcast to {scores}")
            # The bias's static dims fix the scores' (as adding it does in the decomposition).
            scores = _refined(scores, bias)
        return [tensor_type(element, [scores[0], scores[1], scores[2], v[3]])]

    def decompose(self, builder: Builder) -> list[SSAValue]:
        y, _ = attention_ops(
            builder,
            self.q,
            self.k,
            self.v,
            self.bias,
            scale=float_of(self.scale),
            causal=string_of(self.causal, "none"),
            softcap=float_of(self.softcap, 0.0),
            softmax_type=self.softmax_type,
        )
        return [y]


TRANSFORMER_OPS: list[type[InferOp]] = [RmsNormOp, GroupNormOp, RotaryEmbeddingOp, AttentionOp]
