"""Converters for the indexing family: CumSum, CumProd, Trilu, OneHot, GatherND,
ScatterND, ScatterElements, Scatter, TopK, EyeLike, DepthToSpace, SpaceToDepth.

CumSum, CumProd, GatherND, the scatters and TopK become ops of
`infer.dialects.infer.indexing`. The others are compositions of existing ops:

- Trilu and EyeLike keep or set the entries whose column minus row compares
  with `k`: a constant mask when the matrix dims are static, else one built at
  run time from `infer.range` over the dims.
- OneHot compares the indices (negative ones counted from the end, cast to
  i64) with `range(depth)` along the new axis and selects between the two
  values; an index outside `[-depth, depth)` gives a row of off values.
- DepthToSpace and SpaceToDepth are reshape, transpose, reshape.

Inputs that ONNX gives as tensors but `infer` needs at conversion time are
read when constant; CumSum's axis, Trilu's k, OneHot's depth and values and
TopK's k may also be computed at run time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import i64
from xdsl.ir import SSAValue

from infer.dialects.dtypes import from_onnx, to_numpy
from infer.dialects.infer import constant_value
from infer.dialects.infer.base import Dim
from infer.dialects.infer.elementwise import (
    AddOp,
    CastOp,
    DivOp,
    EqualOp,
    GreaterEqualOp,
    LessEqualOp,
    LessOp,
    MulOp,
    SelectOp,
    SubOp,
)
from infer.dialects.infer.indexing import (
    REDUCTIONS,
    CumProdOp,
    CumSumOp,
    GatherNDOp,
    ScatterElementsOp,
    ScatterNDOp,
    TopKOp,
)
from infer.dialects.infer.tensor import (
    ConcatOp,
    RangeOp,
    ReshapeOp,
    ShapeOfOp,
    SliceOp,
    TransposeOp,
    UnsqueezeOp,
)
from infer.lowering.onnx_to_infer.core import Conversion, converter
from infer.lowering.onnx_to_infer.ops.reduction import shape_checked
from infer.lowering.onnx_to_infer.ops.tensor import axis_of, i64_constant


def _scalar_int(c: Conversion, index: int, what: str) -> int | None:
    """A constant one-element integer input as an int; None when computed at run time."""
    array = c.const(index)
    if array is None:
        return None
    if array.size != 1:
        c.error(f"input '{what}' must hold one value, got shape {list(array.shape)}")
    return int(array.reshape(-1)[0])


def _run_time_scalar(c: Conversion, value: SSAValue, what: str) -> SSAValue:
    """A run-time one-element input as an i64 scalar (rank 0)."""
    dims = c.shape(value)
    if dims not in ((), (1,)):
        c.error(f"input '{what}' must be a scalar or have shape [1], got {list(dims)}")
    if c.element(value) != i64:
        value = c.emit(CastOp(value, i64))
    return value if dims == () else c.emit(ReshapeOp.to(value, []))


# -- CumSum, CumProd --------------------------------------------------------------------------------


def _cumulative(c: Conversion, op_class: type[CumSumOp] | type[CumProdOp]) -> SSAValue:
    x = c.input(0)
    rank = c.rank(x)
    if rank == 0:
        c.error("input must have rank >= 1")
    options = {"exclusive": bool(c.attr("exclusive", 0)), "reverse": bool(c.attr("reverse", 0))}
    axis = _scalar_int(c, 1, "axis")
    if axis is not None:
        return c.emit(op_class(x, axis_of(c, axis, rank), **options))
    value = c.input(1)
    if c.shape(value) not in ((), (1,)):
        c.error(f"input 'axis' must be a scalar or have shape [1], got {list(c.shape(value))}")
    return c.emit(op_class(x, value, **options))


@converter("CumSum", since=11)
@shape_checked
def cumsum(c: Conversion) -> SSAValue:
    return _cumulative(c, CumSumOp)


@converter("CumProd", since=26)
@shape_checked
def cumprod(c: Conversion) -> SSAValue:
    return _cumulative(c, CumProdOp)


# -- Trilu, EyeLike: masks by diagonal -----------------------------------------------------------------


def _positions(c: Conversion, x: SSAValue, axis: int) -> SSAValue:
    """`0, 1, ..., dim - 1` for dim `axis` of `x` (1-D i64): a constant when the dim is static."""
    dim = c.shape(x)[axis]
    if dim is not None:
        return i64_constant(c, list(range(dim)))
    size = c.emit(ReshapeOp.to(c.emit(ShapeOfOp(x, axis, axis + 1)), []))
    zero, one = (c.constant(np.array(v, np.int64)) for v in (0, 1))
    return c.emit(RangeOp(zero, size, one))


def _diagonal_mask(c: Conversion, x: SSAValue, k: int | SSAValue, predicate: str) -> SSAValue:
    """An i1 tensor of shape `[1, ..., 1, rows, cols]` (x's rank) holding `(column - row) <predicate> k`
    for the last two dims of `x`: a constant when they are static and k is known."""
    rank = c.rank(x)
    rows, cols = c.shape(x)[-2:]
    compare = {"ge": np.greater_equal, "le": np.less_equal, "eq": np.equal}[predicate]
    if rows is not None and cols is not None and isinstance(k, int):
        offsets = np.arange(cols)[None, :] - np.arange(rows)[:, None]
        return c.constant(compare(offsets, k).reshape([1] * (rank - 2) + [rows, cols]))
    row = c.emit(UnsqueezeOp(_positions(c, x, rank - 2), [1]))
    col = c.emit(UnsqueezeOp(_positions(c, x, rank - 1), [0]))
    diff = c.emit(SubOp(col, row))
    bound = c.constant(np.full((1, 1), k, np.int64)) if isinstance(k, int) else c.emit(ReshapeOp.to(k, [1, 1]))
    op_class = {"ge": GreaterEqualOp, "le": LessEqualOp, "eq": EqualOp}[predicate]
    mask = c.emit(op_class(diff, bound))
    return mask if rank == 2 else c.emit(UnsqueezeOp(mask, list(range(rank - 2))))


@converter("Trilu", since=14)
@shape_checked
def trilu(c: Conversion) -> SSAValue:
    x = c.input(0)
    if c.rank(x) < 2:
        c.error(f"input must have rank >= 2, got rank {c.rank(x)}")
    k: int | SSAValue = 0
    if c.has_input(1):
        known = _scalar_int(c, 1, "k")
        k = known if known is not None else _run_time_scalar(c, c.input(1), "k")
    # upper keeps column - row >= k, lower keeps column - row <= k.
    mask = _diagonal_mask(c, x, k, "ge" if c.attr("upper", 1) else "le")
    return c.emit(SelectOp(mask, x, c.scalar_like(0, x)))


# -- OneHot -------------------------------------------------------------------------------------------


@converter("OneHot", since=9)
@shape_checked
def one_hot(c: Conversion) -> SSAValue:
    indices, values = c.input(0), c.input(2)
    rank = c.rank(indices)
    axis = c.attr("axis", -1)
    if not -rank - 1 <= axis <= rank:
        c.error(f"axis {axis} is out of range for indices of rank {rank} (the result has rank {rank + 1})")
    axis %= rank + 1
    if c.shape(values) not in ((2,), (None,)):
        c.error(f"input 'values' must have shape [2] ([off, on]), got {list(c.shape(values))}")
    index = indices if c.element(indices) == i64 else c.emit(CastOp(indices, i64))
    depth_array = c.const(1)
    depth: int | SSAValue
    if depth_array is not None:
        if depth_array.size != 1:
            c.error(f"input 'depth' must hold one value, got shape {list(depth_array.shape)}")
        depth = int(depth_array.reshape(-1)[0])
        if depth < 1:
            c.error(f"depth {depth} must be at least 1")
        along = [depth if i == axis else 1 for i in range(rank + 1)]
        positions = c.constant(np.arange(depth, dtype=np.int64).reshape(along))
        size = c.constant(np.full([1] * rank, depth, np.int64))
    else:
        depth = _run_time_scalar(c, c.input(1), "depth")
        zero, one = (c.constant(np.array(v, np.int64)) for v in (0, 1))
        positions = c.emit(RangeOp(zero, depth, one))
        positions = c.emit(UnsqueezeOp(positions, [i for i in range(rank + 1) if i != axis]))
        size = c.emit(ReshapeOp.to(depth, [1] * rank))
    # Negative indices count from the end; any index outside [0, depth) then matches nothing.
    negative = c.emit(LessOp(index, c.constant(np.zeros([1] * rank, np.int64))))
    index = c.emit(SelectOp(negative, c.emit(AddOp(index, size)), index))
    hot = c.emit(EqualOp(c.emit(UnsqueezeOp(index, [axis])), positions))
    off, on = _pair(c, values, rank + 1)
    return c.emit(SelectOp(hot, on, off))


def _pair(c: Conversion, values: SSAValue, rank: int) -> tuple[SSAValue, SSAValue]:
    """The two entries of a `[2]` tensor, each as a tensor of shape `[1] * rank`."""
    array = constant_value(values)
    if array is not None:
        return c.constant(array[:1].reshape([1] * rank)), c.constant(array[1:].reshape([1] * rank))
    pieces = [c.emit(SliceOp(values, [i], [i + 1], [1])) for i in (0, 1)]
    return c.emit(ReshapeOp.to(pieces[0], [1] * rank)), c.emit(ReshapeOp.to(pieces[1], [1] * rank))


# -- EyeLike ------------------------------------------------------------------------------------------


@converter("EyeLike", since=9)
@shape_checked
def eye_like(c: Conversion) -> SSAValue:
    x = c.input(0)
    if c.rank(x) != 2:
        c.error(f"input must have rank 2, got rank {c.rank(x)}")
    element = from_onnx(c.attr("dtype")) if c.has_attr("dtype") else c.element(x)
    mask = _diagonal_mask(c, x, int(c.attr("k", 0)), "eq")
    array = constant_value(mask)
    if array is not None:
        return c.constant(array.astype(to_numpy(element)))
    return c.emit(CastOp(mask, element))


# -- GatherND, ScatterND, ScatterElements, Scatter -----------------------------------------------------


def _index_tuples(c: Conversion, data: SSAValue, indices: SSAValue, batch_dims: int = 0) -> None:
    """Checks the index tuple length (the last dim of `indices`) against the data."""
    if c.rank(indices) < 1 or c.shape(indices)[-1] is None:
        c.error("indices must have rank >= 1 and a static last dim (the length of the index tuples)")
    depth = c.shape(indices)[-1]
    if not 1 <= depth <= c.rank(data) - batch_dims:  # type: ignore[operator]
        c.error(f"index tuples of length {depth} do not fit data of rank {c.rank(data)} with {batch_dims} batch dims")


@converter("GatherND", since=11)
@shape_checked
def gather_nd(c: Conversion) -> SSAValue:
    data, indices = c.input(0), c.input(1)
    batch_dims = int(c.attr("batch_dims", 0))
    if not 0 <= batch_dims < min(c.rank(data), c.rank(indices)):
        c.error(f"batch_dims {batch_dims} must be below the ranks of data and indices")
    _index_tuples(c, data, indices, batch_dims)
    return c.emit(GatherNDOp(data, indices, batch_dims))


def _reduction(c: Conversion) -> str:
    reduction = c.attr("reduction", "none")
    if isinstance(reduction, bytes):
        reduction = reduction.decode()
    if reduction not in REDUCTIONS:
        c.unsupported_attr("reduction", reduction, ", ".join(REDUCTIONS))
    return str(reduction)


@converter("ScatterND", since=11)
@shape_checked
def scatter_nd(c: Conversion) -> SSAValue:
    data, indices, updates = c.input(0), c.input(1), c.input(2)
    _index_tuples(c, data, indices)
    return c.emit(ScatterNDOp(data, indices, updates, _reduction(c)))


@converter("ScatterElements", since=11)
@converter("Scatter", since=9)
@shape_checked
def scatter_elements(c: Conversion) -> SSAValue:
    data, indices, updates = c.input(0), c.input(1), c.input(2)
    if not c.rank(data) == c.rank(indices) == c.rank(updates):
        c.error(f"data, indices and updates must have one rank, got {[c.rank(v) for v in (data, indices, updates)]}")
    axis = axis_of(c, int(c.attr("axis", 0)), c.rank(data))
    return c.emit(ScatterElementsOp(data, indices, updates, axis, _reduction(c)))


# -- TopK ---------------------------------------------------------------------------------------------------


@converter("TopK")
@shape_checked
def top_k(c: Conversion) -> list[SSAValue]:
    x = c.input(0)
    rank = c.rank(x)
    if rank == 0:
        c.error("input must have rank >= 1")
    axis = axis_of(c, int(c.attr("axis", -1)), rank)
    count: int | None
    if c.version < 10:
        count = int(c.attr("k"))
        k = i64_constant(c, [count])
    else:
        count = _scalar_int(c, 1, "K")
        k = i64_constant(c, [count]) if count is not None else c.input(1)
        if count is None and c.element(k) != i64:
            k = c.emit(CastOp(k, i64))
    dim = c.shape(x)[axis]
    if count is not None and (count < 0 or (dim is not None and count > dim)):
        c.error(f"k = {count} is outside [0, {dim}] (the size of axis {axis})")
    # sorted = 0 leaves the order to the implementation: infer always sorts.
    op = TopKOp(x, k, axis, largest=bool(c.attr("largest", 1)), count=count)
    c.emit_op(op)
    return [op.values, op.indices]


# -- DepthToSpace, SpaceToDepth ----------------------------------------------------------------------------

DimExpr = int | tuple[int, int, int]
"""A dim of a reshape target: a size, or `(k, mul, div)` for dim k of the input times `mul` over `div`."""


def _reshape_like(c: Conversion, value: SSAValue, source: SSAValue, entries: Sequence[DimExpr]) -> SSAValue:
    """`value` reshaped to `entries`, each a size or computed from a dim of `source`: without
    a shape operand when at most one dim is unknown, else with one built at run time."""
    dims = c.shape(source)
    known: list[Dim] = []
    for entry in entries:
        if isinstance(entry, int):
            known.append(entry)
            continue
        k, mul, div = entry
        known.append(None if dims[k] is None else dims[k] * mul // div)  # type: ignore[operator]
    if sum(d is None for d in known) <= 1:
        return c.emit(ReshapeOp.to(value, known))
    pieces: list[SSAValue] = []
    for entry, dim in zip(entries, known, strict=True):
        if dim is not None:
            pieces.append(i64_constant(c, [dim]))
            continue
        assert not isinstance(entry, int)
        k, mul, div = entry
        piece = c.emit(ShapeOfOp(source, k, k + 1))
        if mul != 1:
            piece = c.emit(MulOp(piece, i64_constant(c, [mul])))
        if div != 1:
            piece = c.emit(DivOp(piece, i64_constant(c, [div])))
        pieces.append(piece)
    shape = c.emit(ConcatOp(pieces, 0))
    return c.emit(ReshapeOp(value, shape, c.tensor(c.element(value), known)))


def _block_mode(c: Conversion, default: str = "DCR") -> tuple[int, str]:
    blocksize = int(c.attr("blocksize"))
    if blocksize < 1:
        c.error(f"blocksize {blocksize} must be at least 1")
    mode = c.attr("mode", default) if c.has_attr("mode") else default
    if isinstance(mode, bytes):
        mode = mode.decode()
    if mode not in ("DCR", "CRD"):
        c.unsupported_attr("mode", mode, "DCR, CRD")
    return blocksize, str(mode)


def _image(c: Conversion) -> SSAValue:
    x = c.input(0)
    if c.rank(x) != 4:
        c.error(f"input must have rank 4 ([N, C, H, W]), got rank {c.rank(x)}")
    return x


@converter("DepthToSpace")
@shape_checked
def depth_to_space(c: Conversion) -> SSAValue:
    x = _image(c)
    b, mode = _block_mode(c)
    channels = c.shape(x)[1]
    if channels is not None and channels % (b * b):
        c.error(f"the channels ({channels}) must be a multiple of blocksize^2 ({b * b})")
    depth: DimExpr = (1, 1, b * b)
    split: list[DimExpr]
    if mode == "DCR":
        split, perm = [(0, 1, 1), b, b, depth, (2, 1, 1), (3, 1, 1)], [0, 3, 4, 1, 5, 2]
    else:
        split, perm = [(0, 1, 1), depth, b, b, (2, 1, 1), (3, 1, 1)], [0, 1, 4, 2, 5, 3]
    blocks = c.emit(TransposeOp(_reshape_like(c, x, x, split), perm))
    return _reshape_like(c, blocks, x, [(0, 1, 1), depth, (2, b, 1), (3, b, 1)])


@converter("SpaceToDepth")
@shape_checked
def space_to_depth(c: Conversion) -> SSAValue:
    x = _image(c)
    b, mode = _block_mode(c)
    for axis in (2, 3):
        size = c.shape(x)[axis]
        if size is not None and size % b:
            c.error(f"dim {axis} ({size}) must be a multiple of blocksize ({b})")
    split: list[DimExpr] = [(0, 1, 1), (1, 1, 1), (2, 1, b), b, (3, 1, b), b]
    perm = [0, 3, 5, 1, 2, 4] if mode == "DCR" else [0, 1, 3, 5, 2, 4]
    blocks = c.emit(TransposeOp(_reshape_like(c, x, x, split), perm))
    return _reshape_like(c, blocks, x, [(0, 1, 1), (1, b * b, 1), (2, 1, b), (3, 1, b)])
