"""The indexing family as scf loop nests (see `loops.py`).

- `infer.cumsum` / `infer.cumprod`: a loop along the axis carrying the running
  total, inside a nest over the other dims. An axis read at run time selects one
  of the rank's loop nests with `scf.if` (an axis out of range is clamped).
- `infer.gather_nd`: a copy loop over the result whose source index reads the
  index tuple.
- `infer.scatter_nd` / `infer.scatter_elements`: a copy of the data, then a loop
  over the updates in row-major order, each written (or combined) in place.
- `infer.top_k`: per row along the axis, k selection passes; pass j keeps the best
  entry ranked after the one pass j - 1 found, in the order (value, then index).

Indices are read as the reference reads them (negative ones count from the end)
and clamped into range: the loop level has no error path, so an index the
reference rejects reads or writes the nearest entry instead of outside the buffer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xdsl.dialects.builtin import i64
from xdsl.ir import SSAValue

from infer.dialects.infer.base import int_of, string_of
from infer.dialects.infer.indexing import (
    CumProdOp,
    CumSumOp,
    CumulativeOp,
    GatherNDOp,
    ScatterElementsOp,
    ScatterNDOp,
    TopKOp,
)
from infer.lowering.infer_to_linalg.core import Lowering, Size, lowering, shape_of
from infer.lowering.infer_to_linalg.loops import (
    both,
    compare,
    for_loop,
    load,
    load_index,
    loop_nest,
    select,
    store,
    when,
)
from infer.lowering.infer_to_linalg.scalar import FLOAT, Scalar, kind


def _clamped(l: Lowering, i: Size, dim: Size) -> Size:
    """An index read at run time: negative counts from the end, then clamped into `[0, dim)`."""
    negative = compare(l, "lt", i, 0)
    i = select(l, negative, i + dim, i) if not isinstance(negative, bool) else (i + dim if negative else i)
    return i.min(dim - 1).max(0)


def _scalar_index(l: Lowering, operand: int) -> Size:
    """The one integer of a scalar or `[1]` operand, as an index."""
    buffer = l.operand(operand)
    return load_index(l, buffer, [0] * len(shape_of(buffer.type)))


def _copy(l: Lowering, source: SSAValue, target: SSAValue, sizes: Sequence[Size]) -> None:
    loop_nest(l, sizes, lambda index: store(l, load(l, source, index), target, index))


# -- running sums and products ----------------------------------------------------------------------


@lowering(CumSumOp, CumProdOp)
def cumulative(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, CumulativeOp)
    x = l.operand(0)
    sizes = l.sizes(x)
    rank = len(sizes)
    result = l.alloc_result()
    element = l.result_type().element_type
    product = isinstance(op, CumProdOp)
    exclusive, reverse = op.exclusive is not None, op.reverse is not None

    def along(axis: int) -> None:
        n = sizes[axis]

        def row(index: list[Size]) -> None:
            s = l.scalar
            start = s.one(element) if product else s.zero(element)

            def step(i: Size, carried: list[SSAValue]) -> list[SSAValue]:
                position = (n - 1) - i if reverse else i
                at = [*index[:axis], position, *index[axis:]]
                total = carried[0]
                s = l.scalar
                new = s.mul(total, load(l, x, at)) if product else s.add(total, load(l, x, at))
                store(l, total if exclusive else new, result, at)
                return [new]

            for_loop(l, 0, n, step, [start])

        loop_nest(l, [d for k, d in enumerate(sizes) if k != axis], row)

    if op.axis_value is None:
        along(int_of(op.axis))
        return result
    axis = _clamped(l, _scalar_index(l, 1), l.static(rank))
    for k in range(rank):
        condition = compare(l, "eq", axis, k)
        assert not isinstance(condition, bool)
        when(l, condition, lambda k=k: along(k))  # type: ignore[misc]
    return result


# -- gathers and scatters by index tuples ----------------------------------------------------------------


def _all_positive(l: Lowering, sizes: Sequence[Size]) -> SSAValue | bool:
    """Whether every size is above 0 (an index clamped into an empty dim would still be out of bounds)."""
    condition: SSAValue | bool = True
    for size in sizes:
        positive = compare(l, "gt", size, 0)
        condition = both(l, condition, positive)
    return condition


def _guarded(l: Lowering, condition: SSAValue | bool, build: Callable[[], None]) -> None:
    if condition is True:
        build()
    elif condition is not False:
        when(l, condition, build)


@lowering(GatherNDOp)
def gather_nd(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, GatherNDOp)
    data, indices = l.operand(0), l.operand(1)
    b = int_of(op.batch_dims)
    data_sizes = l.sizes(data)
    index_rank = len(shape_of(indices.type))
    depth = shape_of(indices.type)[-1]
    assert depth is not None
    middle = index_rank - 1 - b
    result = l.alloc_result()
    index_sizes = l.sizes(indices)
    # Batch dims that differ at run time (the reference rejects them) loop over the common part only.
    loops = [*[d.min(i) for d, i in zip(data_sizes[:b], index_sizes[:b], strict=True)], *l.sizes(result)[b:]]

    def element(index: list[Size]) -> None:
        at = index[: b + middle]
        tuple_ = [_clamped(l, load_index(l, indices, [*at, k]), data_sizes[b + k]) for k in range(depth)]
        value = load(l, data, [*index[:b], *tuple_, *index[b + middle :]])
        store(l, value, result, index)

    indexed = data_sizes[b : b + depth]
    _guarded(l, _all_positive(l, indexed), lambda: loop_nest(l, loops, element))
    return result


def _combine(s: Scalar, reduction: str, old: SSAValue, new: SSAValue) -> SSAValue:
    match reduction:
        case "add":
            return s.add(old, new)
        case "mul":
            return s.mul(old, new)
        case "max":
            return s.max(old, new)
        case "min":
            return s.min(old, new)
    return new


def _scatter_one(l: Lowering, result: SSAValue, target: list[Size], update: SSAValue, reduction: str) -> None:
    if reduction != "none":
        update = _combine(l.scalar, reduction, load(l, result, target), update)
    store(l, update, result, target)


@lowering(ScatterNDOp)
def scatter_nd(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, ScatterNDOp)
    data, indices, updates = l.operands
    reduction = string_of(op.reduction, "none")
    data_sizes = l.sizes(data)
    update_sizes = l.sizes(updates)
    index_rank = len(shape_of(indices.type))
    depth = shape_of(indices.type)[-1]
    assert depth is not None
    result = l.alloc_result()
    _copy(l, data, result, data_sizes)

    def scatter(index: list[Size]) -> None:
        at = index[: index_rank - 1]
        tuple_ = [_clamped(l, load_index(l, indices, [*at, k]), data_sizes[k]) for k in range(depth)]
        _scatter_one(l, result, [*tuple_, *index[index_rank - 1 :]], load(l, updates, index), reduction)

    # In row-major order of the updates: with "none" the last of duplicated tuples wins.
    _guarded(l, _all_positive(l, data_sizes[:depth]), lambda: loop_nest(l, update_sizes, scatter))
    return result


@lowering(ScatterElementsOp)
def scatter_elements(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, ScatterElementsOp)
    data, indices, updates = l.operands
    axis, reduction = int_of(op.axis), string_of(op.reduction, "none")
    data_sizes = l.sizes(data)
    index_sizes = l.sizes(indices)
    result = l.alloc_result()
    _copy(l, data, result, data_sizes)

    def target_dim(k: int, i: Size) -> Size:
        n, d = index_sizes[k], data_sizes[k]
        if n.static is not None and d.static is not None and n.static <= d.static:
            return i
        return i.min(d - 1)  # indices larger than the data: the reference rejects them

    def scatter(index: list[Size]) -> None:
        position = _clamped(l, load_index(l, indices, index), data_sizes[axis])
        target = [position if k == axis else target_dim(k, i) for k, i in enumerate(index)]
        _scatter_one(l, result, target, load(l, updates, index), reduction)

    _guarded(l, _all_positive(l, data_sizes), lambda: loop_nest(l, index_sizes, scatter))
    return result


# -- top-k ----------------------------------------------------------------------------------------------------


def _ranks_before(s: Scalar, largest: bool, a: SSAValue, ia: SSAValue, b: SSAValue, ib: SSAValue) -> SSAValue:
    """Whether entry (a, index ia) comes before (b, ib) in top-k order: by value (descending
    for `largest`), NaN above every number, equal values by index."""
    if kind(a.type) == FLOAT:
        nan_a, nan_b = s.is_nan(a), s.is_nan(b)
        high, low = (a, b) if largest else (b, a)
        nan_high, nan_low = (nan_a, nan_b) if largest else (nan_b, nan_a)
        strictly = s.or_(s.and_(nan_high, s.not_(nan_low)), s.cmp("gt", high, low))
        equal = s.or_(s.cmp("eq", a, b), s.and_(nan_a, nan_b))
    else:
        strictly = s.cmp("gt", a, b) if largest else s.cmp("lt", a, b)
        equal = s.cmp("eq", a, b)
    return s.or_(strictly, s.and_(equal, s.cmp("lt", ia, ib)))


@lowering(TopKOp)
def top_k(l: Lowering) -> list[SSAValue]:
    op = l.op
    assert isinstance(op, TopKOp)
    x = l.operand(0)
    axis, largest = int_of(op.axis), op.largest is not None
    sizes = l.sizes(x)
    n = sizes[axis]
    known = shape_of(op.values.type)[axis]
    # A k beyond the axis is an error in the reference; here it takes the whole axis.
    count = l.static(known) if known is not None else _scalar_index(l, 1).min(n).max(0)
    result_sizes = [count if d == axis else size for d, size in enumerate(sizes)]
    values, indices = l.alloc_result(0, result_sizes), l.alloc_result(1, result_sizes)
    element = l.result_type(0).element_type
    none = l.static(-1).value

    def row(outer: list[Size]) -> None:
        def at(i: Size) -> list[Size]:
            return [*outer[:axis], i, *outer[axis:]]

        def pick(j: Size, previous: list[SSAValue]) -> list[SSAValue]:
            last_value, last_index = previous

            def candidate(i: Size, best: list[SSAValue]) -> list[SSAValue]:
                s = l.scalar
                value = load(l, x, at(i))
                # Pass j keeps the best entry ranked after the one pass j - 1 found.
                first_pass = s.cmp("lt", last_index, l.static(0).value)
                later = s.or_(first_pass, _ranks_before(s, largest, last_value, last_index, value, i.value))
                none_yet = s.cmp("lt", best[1], l.static(0).value)
                better = s.or_(none_yet, _ranks_before(s, largest, value, i.value, best[0], best[1]))
                take = s.and_(later, better)
                return [s.select(take, value, best[0]), s.select(take, i.value, best[1])]

            best_value, best_index = for_loop(l, 0, n, candidate, [last_value, none])
            store(l, best_value, values, at(j))
            store(l, l.scalar.cast(best_index, i64), indices, at(j))
            return [best_value, best_index]

        for_loop(l, 0, count, pick, [l.scalar.zero(element), none])

    loop_nest(l, [d for k, d in enumerate(sizes) if k != axis], row)
    return [values, indices]
