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

from collections.abc import Sequence

from xdsl.ir import SSAValue

from infer.dialects.infer.base import int_of
from infer.dialects.infer.indexing import (
    CumProdOp,
    CumSumOp,
    CumulativeOp,
)
from infer.lowering.infer_to_linalg.core import Lowering, Size, lowering, shape_of
from infer.lowering.infer_to_linalg.loops import (
    compare,
    for_loop,
    load,
    load_index,
    loop_nest,
    select,
    store,
    when,
)


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
