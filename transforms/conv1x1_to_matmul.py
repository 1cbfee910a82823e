"""`conv1x1-to-matmul`: pointwise convolutions as matrix products.

A convolution with a 1x1 kernel, stride 1, no padding and one group mixes
channels at each position independently: it is a matrix product of the
`[O, C]` weight with the `[C, positions]` input. Matrix-product kernels are
the most tuned kernels there are; this pass hands them the pointwise convs
(half the convs of DenseNet, Inception, ResNet bottlenecks), bias included.

    nchw:  [N, C, H, W] -> reshape [N, C, H*W] -> matmul([1, O, C], .) -> [N, O, H*W]
           (+ bias [1, O, 1]) -> reshape [N, O, H, W]
    nhwc:  [N, H, W, C] -> flatten [N*H*W, C] -> matmul(., [C, O]) -> [N*H*W, O]
           (+ bias [1, O]) -> reshape [N, H, W, O]

Dilations do not matter for a 1x1 kernel. Dynamic dims are kept exact: a
reshape whose result has at most one dynamic dim states its shape in its
type; one with more takes a shape computed at run time from the input's dims
(`infer.shape_of`, `infer.concat`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from infer.dialects.infer.base import Dim, dims_of, element_of, int_of, ints_of, string_of, tensor_type
from infer.dialects.infer.constant import ConstantOp, constant_value
from infer.dialects.infer.elementwise import AddOp
from infer.dialects.infer.matmul import MatmulOp
from infer.dialects.infer.nn import ConvOp
from infer.dialects.infer.tensor import ConcatOp, FlattenOp, ReshapeOp, ShapeOfOp, TransposeOp, UnsqueezeOp


def is_pointwise(op: ConvOp) -> bool:
    """A conv that is a matrix product: 1x1 kernel, stride 1, no padding, one group, no epilogue nor residual."""
    if "activation" in op.properties or op.residual is not None or int_of(op.groups, 1) != 1:
        return False
    kernel = dims_of(op.weight.type)[2:]
    return (
        all(k == 1 for k in kernel)
        and all(s == 1 for s in ints_of(op.strides))
        and all(p == 0 for p in ints_of(op.pads))
    )


Piece = tuple[int, int] | list[int]
"""Part of a run-time shape: dims `(start, end)` of a value, or constant sizes."""


class _Emitter:
    """Collects the ops that replace one conv."""

    def __init__(self) -> None:
        self.ops: list[Operation] = []
        self.dims: dict[tuple[SSAValue, int, int], SSAValue] = {}

    def __call__(self, op: Operation) -> SSAValue:
        self.ops.append(op)
        return op.results[0]

    def constant(self, value: SSAValue, shape: Sequence[int], transpose: bool = False) -> SSAValue | None:
        """A constant `value` reshaped to `shape` (2-D transposed first if `transpose`), else None.
        A splat stays a splat."""
        array = constant_value(value)
        owner = value.owner
        if array is None or not isinstance(owner, ConstantOp):
            return None
        if owner.is_splat and int(np.prod(shape)) > 1:
            return self(ConstantOp.splat(array.reshape(-1)[0], TensorType(element_of(value.type), shape)))
        if transpose:
            array = array.reshape(shape[::-1]).T
        return self(ConstantOp(np.ascontiguousarray(array).reshape(shape)))

    def dims_of(self, value: SSAValue, start: int, end: int) -> SSAValue:
        """Dims `start` to `end` of `value` at run time (one `infer.shape_of` per range)."""
        key = (value, start, end)
        if key not in self.dims:
            self.dims[key] = self(ShapeOfOp(value, start, end))
        return self.dims[key]

    def reshape(self, value: SSAValue, result_type: Attribute, like: SSAValue, shape: Sequence[Piece]) -> SSAValue:
        """`value` reshaped to `result_type`. With more than one dynamic dim, to a shape
        computed at run time: the concatenation of `shape`'s pieces, each a range
        `(start, end)` of the dims of `like`, or a list of constant sizes."""
        if sum(d is None for d in dims_of(result_type)) <= 1:
            return self(ReshapeOp(value, None, result_type))
        pieces = [
            self.dims_of(like, *p) if isinstance(p, tuple) else self(ConstantOp(np.asarray(p, np.int64))) for p in shape
        ]
        return self(ReshapeOp(value, self(ConcatOp(pieces, 0)), result_type))


def pointwise_nchw(op: ConvOp, e: _Emitter) -> SSAValue:
    x, w = op.input, op.weight
    dims = dims_of(x.type)
    out_channels, channels = dims_of(w.type)[:2]
    assert out_channels is not None and channels is not None
    element = element_of(x.type)
    rows = x
    if len(dims) > 3:
        spatial = dims[2:]
        positions: Dim = None if None in spatial else int(np.prod(spatial))  # type: ignore[arg-type]
        rows_type = tensor_type(element, [dims[0], channels, positions])
        rows = e.reshape(x, rows_type, x, [(0, 1), [channels, -1]])
    weight = e.constant(w, [1, out_channels, channels])
    if weight is None:
        weight = e(ReshapeOp.to(w, [1, out_channels, channels]))
    y = e(MatmulOp(weight, rows))
    if op.bias is not None:
        bias = e.constant(op.bias, [1, out_channels, 1])
        y = e(AddOp(y, bias if bias is not None else e(UnsqueezeOp(op.bias, [0, 2]))))
    if len(dims) > 3:
        y = e.reshape(y, op.result.type, x, [(0, 1), [out_channels], (2, len(dims))])
    return y


def pointwise_nhwc(op: ConvOp, e: _Emitter) -> SSAValue:
    x, w = op.input, op.weight
    rank = len(dims_of(x.type))
    out_channels, channels = dims_of(w.type)[:2]
    assert out_channels is not None and channels is not None
    rows = e(FlattenOp(x, rank - 1))
    weight = e.constant(w, [channels, out_channels], transpose=True)
    if weight is None:
        weight = e(TransposeOp(e(ReshapeOp.to(w, [out_channels, channels])), [1, 0]))
    y = e(MatmulOp(rows, weight))
    if op.bias is not None:
        bias = e.constant(op.bias, [1, out_channels])
        y = e(AddOp(y, bias if bias is not None else e(UnsqueezeOp(op.bias, [0]))))
    return e.reshape(y, op.result.type, x, [(0, rank - 1), [out_channels]])


class Conv1x1ToMatmul(RewritePattern):
    """A pointwise `infer.conv` -> reshapes around an `infer.matmul` (and a bias `infer.add`)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ConvOp, rewriter: PatternRewriter) -> None:
        if not is_pointwise(op):
            return
        e = _Emitter()
        if string_of(op.layout, "nchw") == "nchw":
            value = pointwise_nchw(op, e)
        else:
            value = pointwise_nhwc(op, e)
        if value.type != op.result.type:
            for new_op in reversed(e.ops):
                new_op.erase()
            return
        for new_op in e.ops:
            new_op.location = op.location
        parameters = [v for v in (op.weight, op.bias) if v is not None]
        rewriter.replace(op, e.ops, [value])
        for parameter in parameters:
            owner = parameter.owner
            if isinstance(owner, ConstantOp) and not owner.result.uses:
                rewriter.erase(owner)


@dataclass(frozen=True)
class Conv1x1ToMatmulPass(ModulePass):
    """Rewrites pointwise convolutions as matrix products.

    An `infer.conv` with a 1x1 kernel, stride 1, no padding and one group
    (any dilation), without an `activation` epilogue, becomes an
    `infer.matmul` on reshaped operands, plus an `infer.add` of its bias: in
    `nchw`, `[1, O, C] x [N, C, H*W]`; in `nhwc`, `[N*H*W, C] x [C, O]`. A
    constant weight or bias is reshaped (and transposed) at compile time, a
    splat staying a splat; other ones by ops. Any spatial rank, dynamic dims
    included: reshapes with more than one dynamic dim take their shape from
    the input's dims at run time. The new ops keep the conv's location.
    """

    name = "conv1x1-to-matmul"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(GreedyRewritePatternApplier([Conv1x1ToMatmul()], dce_enabled=False)).rewrite_module(op)
