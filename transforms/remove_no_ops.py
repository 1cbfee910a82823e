"""`remove-no-ops`: replaces ops that compute their input unchanged by that input.

An op is removed only where it provably returns its input bit for bit for
every input it accepts, dynamic dims included, and where its result has
exactly the input's type (so no user sees a type change):

- `infer.identity`; `infer.cast` to the same type;
- reshapes to the same shape: `infer.reshape` whose result type is the input
  type (without a shape operand; with a constant shape equal to the input's
  static dims and -1 at its one dynamic dim; or with `infer.shape_of` of the
  input itself), `infer.flatten` of a matrix into the same matrix,
  `infer.squeeze` / `infer.unsqueeze` of no axes;
- `infer.transpose` by a permutation that keeps the dims not known to be 1 in
  order (the identity, or one that moves only dims of size 1);
- `infer.slice` / `infer.dynamic_slice` (with constant bounds) that take
  every element in order: per dim, `0:INT64_MAX:1` (any size, so dynamic dims
  too), or bounds that cover a static dim (a dim of size 1 or 0 in any
  direction);
- `infer.pad` by zeros (any mode); `infer.concat` of one input; `infer.split`
  into one piece; `infer.tile` by ones;
- `infer.broadcast_to` to a shape that keeps every dim (each entry 1, or the
  input's dim: static, or taken from the input by `infer.shape_of`);
- `infer.gather` along an axis at the constant indices `0, 1, ..., n - 1`;
- `infer.resize` where every dim keeps its size at scale 1 (not
  `tf_crop_and_resize`); the reference semantics then copies the input, in
  float64 for linear and cubic modes, so those are removed only for floats and
  integers of at most 32 bits (exact in float64);
- `infer.clip` without bounds, or with bounds no value lies beyond (infinite
  for floats, the type's extremes for integers);
- `infer.max_pool` / `infer.avg_pool` with 1-wide windows, stride 1, no pads;
- `infer.reduce_max` / `infer.reduce_min` / `infer.reduce_prod` with
  `keepdims` over dims of static size 1. (`reduce_sum` and `reduce_mean` are
  not no-ops: they turn `-0.0` into `+0.0`.)

The input keeps its own location; the removed op's node name no longer
names a value. Ops left without uses by a removal (a constant shape operand)
are erased with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import DenseArrayBase, FloatAttr, IntegerAttr, IntegerType, ModuleOp
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from infer.dialects.dtypes import UnsupportedElementType, to_numpy
from infer.dialects.infer.base import Dim, dims_of, element_of, int_of, ints_of, is_float, string_of
from infer.dialects.infer.constant import constant_value
from infer.dialects.infer.elementwise import CastOp, ClipOp, IdentityOp
from infer.dialects.infer.nn import AvgPoolOp, MaxPoolOp
from infer.dialects.infer.reduction import ReduceMaxOp, ReduceMinOp, ReduceProdOp
from infer.dialects.infer.tensor import (
    BroadcastToOp,
    ConcatOp,
    DynamicSliceOp,
    FlattenOp,
    GatherOp,
    PadOp,
    ReshapeOp,
    ResizeOp,
    ShapeOfOp,
    SliceOp,
    SplitOp,
    SqueezeOp,
    TileOp,
    TransposeOp,
    UnsqueezeOp,
    slice_bounds,
)

INT64_MAX = int(np.iinfo(np.int64).max)


def forward(rewriter: PatternRewriter, op: Operation, value: SSAValue) -> None:
    """Replaces `op`'s one result by `value`, if they have the same type."""
    if len(op.results) == 1 and op.results[0].type == value.type:
        rewriter.replace(op, [], [value])


Entry = tuple[SSAValue, int] | int
"""An entry of a shape operand: dim i of a value (known at run time), or a number."""


def shape_entries(shape: SSAValue) -> list[Entry] | None:
    """The entries of a 1-D shape operand built from constants, `infer.shape_of` and
    `infer.concat` (as the converter and exporters build shapes), else None. A dim
    of a value that is static in its type is that number."""
    owner = shape.owner
    array = constant_value(shape)
    if array is not None:
        return [int(v) for v in array.reshape(-1)]
    if isinstance(owner, ShapeOfOp):
        dims = dims_of(owner.input.type)
        entries_of_dims: list[Entry] = []
        for i in range(int_of(owner.start), int_of(owner.end)):
            dim = dims[i]
            entries_of_dims.append((owner.input, i) if dim is None else dim)
        return entries_of_dims
    if isinstance(owner, ConcatOp) and len(dims_of(shape.type)) == 1:
        entries: list[Entry] = []
        for piece in owner.inputs:
            part = shape_entries(piece)
            if part is None:
                return None
            entries += part
        return entries
    return None


def is_dim(entry: Entry, x: SSAValue, i: int) -> bool:
    """True if `entry` is dim i of `x` at run time, whatever its size."""
    dim = dims_of(x.type)[i]
    return entry == (x, i) or (dim is not None and entry == dim)


def whole_dim(size: Dim, start: int, end: int, step: int) -> bool:
    """True if `start:end:step` takes every element of a dim of `size`, in order."""
    if size is None:
        return step == 1 and (start == 0 or start <= -INT64_MAX) and end >= INT64_MAX
    first, _, length = slice_bounds(size, start, end, step)
    return length == size and (size <= 1 or (step == 1 and first == 0))


def whole_slice(dims: Sequence[Dim], starts: Sequence[int], ends: Sequence[int], steps: Sequence[int]) -> bool:
    return len(dims) == len(starts) == len(ends) == len(steps) and all(
        whole_dim(d, int(s), int(e), int(t)) for d, s, e, t in zip(dims, starts, ends, steps, strict=True)
    )


class RemoveIdentity(RewritePattern):
    """`infer.identity` and `infer.cast` to the same type."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: IdentityOp | CastOp, rewriter: PatternRewriter) -> None:
        forward(rewriter, op, op.input)


class RemoveReshape(RewritePattern):
    """`infer.reshape` to the input's own shape."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ReshapeOp, rewriter: PatternRewriter) -> None:
        if op.result.type != op.input.type:
            return
        if op.shape is not None:
            entries = shape_entries(op.shape)
            if entries is None or not self.same_shape(op.input, entries):
                return
        forward(rewriter, op, op.input)

    @staticmethod
    def same_shape(x: SSAValue, entries: Sequence[Entry]) -> bool:
        """True if a shape operand gives back `x`'s dims: each entry is that dim, or one
        entry is -1, inferred from the count when the other dims are static and non-zero
        (a zero would make the inference fail at run time)."""
        dims = dims_of(x.type)
        if len(entries) != len(dims):
            return False
        inferred = [i for i, e in enumerate(entries) if e == -1]
        if inferred:
            others = [d for i, d in enumerate(dims) if i != inferred[0]]
            if len(inferred) > 1 or None in others or 0 in others:
                return False
        return all(i in inferred or is_dim(e, x, i) for i, e in enumerate(entries))


class RemoveFlatten(RewritePattern):
    """`infer.flatten` of a matrix into the same matrix."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: FlattenOp, rewriter: PatternRewriter) -> None:
        # Same type means a rank-2 input, flattened at axis 1, or at 0 / 2 next to a dim of size 1.
        forward(rewriter, op, op.input)


class RemoveSqueezeUnsqueeze(RewritePattern):
    """`infer.squeeze` / `infer.unsqueeze` of no axes."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: SqueezeOp | UnsqueezeOp, rewriter: PatternRewriter) -> None:
        if not ints_of(op.axes):
            forward(rewriter, op, op.input)


class RemoveTranspose(RewritePattern):
    """`infer.transpose` that keeps every dim not known to be 1 in its order."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: TransposeOp, rewriter: PatternRewriter) -> None:
        dims = dims_of(op.input.type)
        moved = [p for p in ints_of(op.perm) if dims[p] != 1]
        if moved == sorted(moved):
            forward(rewriter, op, op.input)


class RemoveSlice(RewritePattern):
    """`infer.slice` (or `infer.dynamic_slice` with constant bounds) of every element."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: SliceOp | DynamicSliceOp, rewriter: PatternRewriter) -> None:
        if isinstance(op, SliceOp):
            starts, ends = list(ints_of(op.starts)), list(ints_of(op.ends))
        else:
            start_values, end_values = constant_value(op.starts), constant_value(op.ends)
            if start_values is None or end_values is None:
                return
            starts, ends = [int(v) for v in start_values.reshape(-1)], [int(v) for v in end_values.reshape(-1)]
        if whole_slice(dims_of(op.input.type), starts, ends, ints_of(op.steps)):
            forward(rewriter, op, op.input)


class RemovePad(RewritePattern):
    """`infer.pad` by zeros."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: PadOp, rewriter: PatternRewriter) -> None:
        if not any(ints_of(op.pads)):
            forward(rewriter, op, op.input)


class RemoveConcatSplit(RewritePattern):
    """`infer.concat` of one input, `infer.split` into one piece."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ConcatOp | SplitOp, rewriter: PatternRewriter) -> None:
        if isinstance(op, ConcatOp) and len(op.inputs) == 1:
            forward(rewriter, op, op.inputs[0])
        elif isinstance(op, SplitOp) and len(op.outputs) == 1:
            forward(rewriter, op, op.input)


class RemoveTile(RewritePattern):
    """`infer.tile` by ones."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: TileOp, rewriter: PatternRewriter) -> None:
        if all(r == 1 for r in ints_of(op.repeats)):
            forward(rewriter, op, op.input)


class RemoveBroadcastTo(RewritePattern):
    """`infer.broadcast_to` a shape that keeps every dim."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: BroadcastToOp, rewriter: PatternRewriter) -> None:
        entries = shape_entries(op.shape)
        if entries is None or len(entries) != len(dims_of(op.input.type)):
            return
        # An entry of 1 keeps the input dim, and so does the dim itself (any other
        # entry stretches a dim of 1, or fails at run time).
        if all(e == 1 or is_dim(e, op.input, i) for i, e in enumerate(entries)):
            forward(rewriter, op, op.input)


class RemoveGather(RewritePattern):
    """`infer.gather` of `0, 1, ..., n - 1` along a dim of size n."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: GatherOp, rewriter: PatternRewriter) -> None:
        indices = constant_value(op.indices)
        size = dims_of(op.data.type)[int_of(op.axis)]
        if indices is None or size is None or indices.shape != (size,):
            return
        if np.array_equal(indices, np.arange(size)):
            forward(rewriter, op, op.data)


class RemoveResize(RewritePattern):
    """`infer.resize` that keeps every dim at scale 1, where the copy is exact."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ResizeOp, rewriter: PatternRewriter) -> None:
        if string_of(op.coordinate_mode, "half_pixel") == "tf_crop_and_resize":
            return
        element = element_of(op.input.type)
        mode = string_of(op.mode, "nearest")
        # Linear and cubic modes copy through float64: exact for floats and narrow integers.
        if mode != "nearest" and not (
            is_float(element) or (isinstance(element, IntegerType) and element.width.data <= 32)
        ):
            return
        dims = dims_of(op.input.type)
        # Sizes give the result dims (-1 keeps one); scales, when given, are the scales
        # of the coordinate maps even next to sizes: both must keep every dim.
        if op.sizes is not None and not all(n in (-1, d) for d, n in zip(dims, ints_of(op.sizes), strict=True)):
            return
        if isinstance(op.scales, DenseArrayBase) and not all(np.float32(s) == 1 for s in op.scales.get_values()):
            return
        forward(rewriter, op, op.input)


class RemoveClip(RewritePattern):
    """`infer.clip` without bounds any value lies beyond."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ClipOp, rewriter: PatternRewriter) -> None:
        element = element_of(op.input.type)
        if self.no_bound(op.min, element, lower=True) and self.no_bound(op.max, element, lower=False):
            forward(rewriter, op, op.input)

    @staticmethod
    def no_bound(bound: Attribute | None, element: Attribute, *, lower: bool) -> bool:
        """True if no value of `element` lies beyond `bound` (absent, infinite, or the type's extreme)."""
        if bound is None:
            return True
        if isinstance(bound, FloatAttr):
            value = float(bound.value.data)
            return value == (-np.inf if lower else np.inf)
        try:
            dtype = to_numpy(element)
        except UnsupportedElementType:
            return False
        if not isinstance(bound, IntegerAttr) or not np.issubdtype(dtype, np.integer):
            return False
        info = np.iinfo(dtype)
        value = int(bound.value.data)
        return value <= info.min if lower else value >= info.max


class RemovePool(RewritePattern):
    """`infer.max_pool` / `infer.avg_pool` of 1-wide windows, stride 1, no pads."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: MaxPoolOp | AvgPoolOp, rewriter: PatternRewriter) -> None:
        ones = all(k == 1 for k in ints_of(op.kernel)) and all(s == 1 for s in ints_of(op.strides))
        if ones and not any(ints_of(op.pads)):
            forward(rewriter, op, op.input)


class RemoveReduce(RewritePattern):
    """`infer.reduce_max` / `reduce_min` / `reduce_prod` with keepdims over dims of size 1."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ReduceMaxOp | ReduceMinOp | ReduceProdOp, rewriter: PatternRewriter) -> None:
        dims = dims_of(op.input.type)
        if op.keepdims is not None and all(dims[a] == 1 for a in op.axes_list):
            forward(rewriter, op, op.input)


PATTERNS: tuple[type[RewritePattern], ...] = (
    RemoveIdentity,
    RemoveReshape,
    RemoveFlatten,
    RemoveSqueezeUnsqueeze,
    RemoveTranspose,
    RemoveSlice,
    RemovePad,
    RemoveConcatSplit,
    RemoveTile,
    RemoveBroadcastTo,
    RemoveGather,
    RemoveResize,
    RemoveClip,
    RemovePool,
    RemoveReduce,
)


@dataclass(frozen=True)
class RemoveNoOpsPass(ModulePass):
    """Replaces ops that return their input unchanged (for every input) by that input.

    Identities, casts to the same type, reshapes, transposes, slices, pads,
    tiles, broadcasts, gathers, resizes, clips, pools and reductions that
    provably leave their input as it is, with the same result type; see the
    module docstring for the exact conditions.
    """

    name = "remove-no-ops"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        patterns = [pattern() for pattern in PATTERNS]
        PatternRewriteWalker(GreedyRewritePatternApplier(patterns), apply_recursively=True).rewrite_module(op)
