"""Reductions: `linalg.generic` with reduction iterators into a buffer filled with the identity.

    %s = infer.reduce_sum %x {axes = array<i64: 1>, keepdims} : (tensor<?x8xf32>) -> tensor<?x1xf32>
    // becomes
    %s = memref.alloc(%n) : memref<?x1xf32>
    linalg.fill ins(%zero : f32) outs(%s : memref<?x1xf32>)
    linalg.generic {indexing_maps = [(d0, d1) -> (d0, d1), (d0, d1) -> (d0, 0)],
                    iterator_types = ["parallel", "reduction"]} ins(%x ...) outs(%s ...) { addf }

The loops run over every input dim; the output's map reads a reduced dim at
index 0 with `keepdims`, and leaves it out without. As in the reference,
floats narrower than f32 are summed (and multiplied, and averaged) in an f32
scratch buffer rounded into the result at the end; integer sums wrap around;
an integer mean divides the sum (64-bit) by the count, truncating; the mean
of nothing is NaN (0 / 0) for floats.

`arg_max` / `arg_min` carry the extremum and its index through a
two-output generic (the index from `linalg.index`); the first index wins,
or the last with `select_last_index`, and NaN counts as the extremum (as
numpy's argmax). `hardmax` finds the flat index of the first maximum over its
axes the same way, then writes 1 there and 0 elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xdsl.dialects import arith
from xdsl.dialects.builtin import IntegerType, Signedness, i64
from xdsl.dialects.linalg.ops import IndexOp
from xdsl.ir import Attribute, SSAValue

from infer.dialects.infer.base import int_of
from infer.dialects.infer.reduction import (
    ArgMaxOp,
    ArgMinOp,
    ArgReduceOp,
    HardmaxOp,
    ReduceMaxOp,
    ReduceMeanOp,
    ReduceMinOp,
    ReduceOp,
    ReduceProdOp,
    ReduceSumOp,
)
from infer.lowering.infer_to_linalg.core import Lowering, Size, lowering, product, shape_of
from infer.lowering.infer_to_linalg.ops.matmul import accumulator_type
from infer.lowering.infer_to_linalg.scalar import FLOAT, SIGNED, Scalar, kind
from infer.lowering.infer_to_linalg.structured import (
    PARALLEL,
    REDUCTION,
    fill,
    generic,
    loop_map,
    map_elements,
)


def reduced_positions(rank: int, axes: Sequence[int], keepdims: bool) -> list[int | None]:
    """The output map of a reduction over all `rank` input dims: a reduced dim reads index
    0 with `keepdims` and is absent without."""
    if keepdims:
        return [None if i in axes else i for i in range(rank)]
    return [i for i in range(rank) if i not in axes]


def iterators(rank: int, axes: Sequence[int]) -> list[str]:
    return [REDUCTION if i in axes else PARALLEL for i in range(rank)]


UI64 = IntegerType(64, Signedness.UNSIGNED)

Combine = Callable[[Scalar, SSAValue, SSAValue], SSAValue]
"""`combine(s, accumulated, element)`."""


def reduce_into(
    l: Lowering,
    x: SSAValue,
    axes: Sequence[int],
    keepdims: bool,
    accumulator: SSAValue,
    init: Callable[[Scalar, Attribute], SSAValue],
    combine: Combine,
) -> None:
    """Fills `accumulator` with `init` and reduces `x` over `axes` into it (elements
    converted to the accumulator's type first)."""
    rank = len(shape_of(x.type))
    t = accumulator.type.element_type  # type: ignore[attr-defined]
    fill(l, accumulator, init(l.scalar, t))

    def body(s: Scalar, args: list[SSAValue]) -> list[SSAValue]:
        element, accumulated = args
        return [combine(s, accumulated, s.cast(element, t))]

    generic(
        l,
        [(x, loop_map(rank, list(range(rank))))],
        [(accumulator, loop_map(rank, reduced_positions(rank, axes, keepdims)))],
        iterators(rank, axes),
        body,
    )


_REDUCTIONS: dict[type, tuple[Callable[[Scalar, Attribute], SSAValue], Combine, bool]] = {
    # op: (identity, combine, accumulated in f32 for narrow floats)
    ReduceSumOp: (lambda s, t: s.zero(t), lambda s, a, x: s.add(a, x), True),
    ReduceMeanOp: (lambda s, t: s.zero(t), lambda s, a, x: s.add(a, x), True),
    ReduceProdOp: (lambda s, t: s.one(t), lambda s, a, x: s.mul(a, x), True),
    ReduceMaxOp: (lambda s, t: s.lowest(t), lambda s, a, x: s.max(a, x), False),
    ReduceMinOp: (lambda s, t: s.highest(t), lambda s, a, x: s.min(a, x), False),
}


@lowering(*_REDUCTIONS)
def reduce(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, ReduceOp)
    x = l.operand(0)
    axes, keepdims = op.axes_list, op.keepdims is not None
    init, combine, widen = _REDUCTIONS[type(op)]
    result = l.alloc_result()
    element = l.result_type().element_type
    accumulator_element = accumulator_type(element) if widen else element
    # A wider accumulator is a scratch buffer; otherwise the result accumulates (and
    # a mean is divided in place).
    accumulator = result if accumulator_element == element else l.scratch(accumulator_element, l.sizes(result))
    reduce_into(l, x, axes, keepdims, accumulator, init, combine)
    if isinstance(op, ReduceMeanOp):
        count = product([l.size(x, a) for a in axes], l.static(1))
        map_elements(l, [accumulator], _mean(l, count, accumulator_element, element), result)
    elif accumulator is not result:
        map_elements(l, [accumulator], lambda s, v: s.cast(v[0], element), result)
    return result


def _mean(
    l: Lowering, count: Size, accumulated: Attribute, element: Attribute
) -> Callable[[Scalar, list[SSAValue]], SSAValue]:
    """The rule dividing a sum by `count` (an index computed before the loops)."""
    s = l.scalar
    count_value = s.insert(arith.IndexCastOp(count.value, i64))
    if kind(accumulated) == FLOAT:
        divisor = s.cast(count_value, accumulated)

        def float_mean(s: Scalar, v: list[SSAValue]) -> SSAValue:
            return s.cast(s.div(v[0], divisor), element)

        return float_mean

    # Integers: the sum divided by the count in 64 bits, truncating (by zero: 0).
    wide = i64 if kind(accumulated) == SIGNED else UI64
    wide_count = s.cast(count_value, wide) if wide != i64 else count_value

    def integer_mean(s: Scalar, v: list[SSAValue]) -> SSAValue:
        return s.cast(s.div(s.cast(v[0], wide), wide_count), element)

    return integer_mean


# -- arg max / arg min --------------------------------------------------------------------------


def better_extremum(s: Scalar, x: SSAValue, best: SSAValue, maximum: bool, last: bool) -> SSAValue:
    """Whether `x` replaces `best` as the extremum seen so far (NaN is the extremum)."""
    strict = "gt" if maximum else "lt"
    loose = "ge" if maximum else "le"
    if kind(x.type) != FLOAT:
        return s.cmp(loose if last else strict, x, best)
    if last:
        # The last extremum; the last NaN once a NaN was seen.
        return s.or_(s.and_(s.cmp(loose, x, best), s.not_(s.is_nan(best))), s.is_nan(x))
    return s.or_(s.cmp(strict, x, best), s.and_(s.is_nan(x), s.not_(s.is_nan(best))))


@lowering(ArgMaxOp, ArgMinOp)
def arg_extremum(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, ArgReduceOp)
    x = l.operand(0)
    axis, keepdims = int_of(op.axis), op.keepdims is not None
    maximum = isinstance(op, ArgMaxOp)
    last = op.select_last_index is not None
    rank = len(shape_of(x.type))
    index = l.alloc_result()
    sizes = l.sizes(index)
    element = x.type.element_type  # type: ignore[attr-defined]
    best = l.scratch(element, sizes)
    s = l.scalar
    fill(l, best, s.lowest(element) if maximum else s.highest(element))
    fill(l, index, s.zero(i64))
    output_map = loop_map(rank, reduced_positions(rank, [axis], keepdims))

    def body(s: Scalar, args: list[SSAValue]) -> list[SSAValue]:
        value, best_value, best_index = args
        position = s.cast(s.insert(IndexOp(axis)), i64)
        better = better_extremum(s, value, best_value, maximum, last)
        return [s.select(better, value, best_value), s.select(better, position, best_index)]

    generic(
        l,
        [(x, loop_map(rank, list(range(rank))))],
        [(best, output_map), (index, output_map)],
        iterators(rank, [axis]),
        body,
    )
    return index


@lowering(HardmaxOp)
def hardmax(l: Lowering) -> SSAValue:
    """1 at the first maximum (row-major over the axes) of each slice, 0 elsewhere."""
    op = l.op
    assert isinstance(op, HardmaxOp)
    x = l.operand(0)
    axes = op.axes_list
    rank = len(shape_of(x.type))
    sizes = l.sizes(x)
    slice_sizes = [l.static(1) if i in axes else sizes[i] for i in range(rank)]
    element = x.type.element_type  # type: ignore[attr-defined]
    best = l.scratch(element, slice_sizes)
    first = l.scratch(i64, slice_sizes)
    fill(l, best, l.scalar.lowest(element))
    fill(l, first, l.scalar.zero(i64))
    # Row-major strides of the axes, computed before the loops.
    strides: dict[int, SSAValue] = {}
    stride = l.static(1)
    for a in reversed(axes):
        strides[a] = stride.value
        stride = stride * sizes[a]

    def flat_index(s: Scalar) -> SSAValue:
        total = s.insert(arith.ConstantOp.from_int_and_width(0, i64))
        for a in axes:
            term = s.insert(arith.MuliOp(s.insert(IndexOp(a)), strides[a]))
            total = s.add(total, s.cast(term, i64))
        return total

    def find(s: Scalar, args: list[SSAValue]) -> list[SSAValue]:
        value, best_value, best_index = args
        better = better_extremum(s, value, best_value, maximum=True, last=False)
        return [s.select(better, value, best_value), s.select(better, flat_index(s), best_index)]

    slice_map = loop_map(rank, [None if i in axes else i for i in range(rank)])
    identity = loop_map(rank, list(range(rank)))
    generic(l, [(x, identity)], [(best, slice_map), (first, slice_map)], iterators(rank, axes), find)

    result = l.alloc_result()

    def mark(s: Scalar, args: list[SSAValue]) -> list[SSAValue]:
        target, _ = args
        t = result.type.element_type  # type: ignore[attr-defined]
        return [s.select(s.cmp("eq", flat_index(s), target), s.one(t), s.zero(t))]

    generic(l, [(first, slice_map)], [(result, identity)], [PARALLEL] * rank, mark)
    return result
