"""Data movement: reshapes as views of the same buffer, everything else as copy loops.

Reshapes (`infer.reshape`, `squeeze`, `unsqueeze`, `flatten`) copy nothing:
an identity-layout buffer read row-major is the same bytes in any shape of
the same element count, so the result is a view of the operand made with
`memref.collapse_shape` (fewer dims), `memref.expand_shape` (more dims), or
both through one dim when the dims do not group (docs/c_target.md lists
them as the alias ops of the loop level). Views are read-only like every
operand: no lowering writes into its operands.

    %f = infer.flatten %x {axis = 1 : i64} : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
    // becomes
    %f = memref.collapse_shape %x [[0], [1, 2, 3]] : memref<?x64x7x7xf32> into memref<?x3136xf32>

`infer.transpose` is a `linalg.generic` whose input map permutes the loops.
The others are scf loop nests over the result (see `loops.py`) that compute
where each element comes from: offsets of concatenated pieces, clamped slice
bounds (folded at compile time where the dims are static, computed at run
time where they are not), indices read from a tensor, pad modes, tiles.

Where the reference raises an error at run time (an index out of range, a
squeezed dim that is not 1, a reshape that does not keep the element count),
the loop level has no error path: indices are clamped into range so that
nothing is read out of bounds, and sizes are taken as given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from xdsl.dialects import math, memref
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    ArrayAttr,
    DenseArrayBase,
    IntegerAttr,
    MemRefType,
    f64,
    i64,
)
from xdsl.ir import Attribute, SSAValue

from infer.dialects.dtypes import to_numpy
from infer.dialects.infer.base import float_of, int_of, ints_of, string_of
from infer.dialects.infer.tensor import (
    BroadcastToOp,
    ConcatOp,
    DynamicSliceOp,
    FlattenOp,
    GatherElementsOp,
    GatherOp,
    PadOp,
    RangeOp,
    ReshapeOp,
    ShapeOfOp,
    SliceOp,
    SplitOp,
    SqueezeOp,
    TileOp,
    TransposeOp,
    UnsqueezeOp,
)
from infer.lowering.infer_to_linalg.core import Lowering, Size, lowering, product, shape_of
from infer.lowering.infer_to_linalg.loops import (
    compare,
    index_value,
    load,
    load_index,
    loop_nest,
    remainder,
    select,
    store,
)
from infer.lowering.infer_to_linalg.scalar import FLOAT, kind
from infer.lowering.infer_to_linalg.structured import PARALLEL, fill_value, generic, loop_map

# -- views --------------------------------------------------------------------------------------


def _symbolic(sizes: Sequence[Size]) -> tuple[int, list[int]]:
    """A product of sizes as (static factor, identities of the dynamic factors, sorted)."""
    static, dynamic = 1, []
    for s in sizes:
        if s.static is not None:
            static *= s.static
        else:
            dynamic.append(hash(s))
    return static, sorted(dynamic)


def reassociation(longer: Sequence[Size], shorter: Sequence[Size]) -> list[list[int]] | None:
    """Groups of consecutive dims of `longer` whose products are the dims of `shorter`
    (dims of size 1 join a neighbouring group), or None if there are none."""
    groups: list[list[int]] = []
    k = 0
    for target in shorter:
        group: list[int] = []
        goal = _symbolic([target])
        while k < len(longer):
            group.append(k)
            k += 1
            if _symbolic([longer[i] for i in group]) == goal:
                break
        else:
            return None
        groups.append(group)
    rest = list(range(k, len(longer)))
    if any(longer[i] != 1 for i in rest):
        return None
    if rest:
        if not groups:
            return [] if not shorter else None
        groups[-1].extend(rest)
    return groups


def _reassociation_attr(groups: Sequence[Sequence[int]]) -> ArrayAttr:
    return ArrayAttr([ArrayAttr([IntegerAttr(i, i64) for i in group]) for group in groups])


def _type(element: Attribute, sizes: Sequence[Size]) -> MemRefType:
    return MemRefType(element, [DYNAMIC_INDEX if s.static is None else s.static for s in sizes])


def _collapse(l: Lowering, x: SSAValue, groups: Sequence[Sequence[int]], t: MemRefType) -> SSAValue:
    op = memref.CollapseShapeOp.build(
        operands=[x], result_types=[t], properties={"reassociation": _reassociation_attr(groups)}
    )
    return l.emit(op).results[0]


def _expand(
    l: Lowering, x: SSAValue, groups: Sequence[Sequence[int]], t: MemRefType, sizes: Sequence[Size]
) -> SSAValue:
    shape = t.get_shape()
    dynamic = [s.value for s, d in zip(sizes, shape, strict=True) if d == DYNAMIC_INDEX]
    op = memref.ExpandShapeOp.build(
        operands=[x, dynamic],
        result_types=[t],
        properties={
            "reassociation": _reassociation_attr(groups),
            "static_output_shape": DenseArrayBase.from_list(i64, list(shape)),
        },
    )
    return l.emit(op).results[0]


def view(l: Lowering, x: SSAValue, sizes: Sequence[Size], t: MemRefType) -> SSAValue:
    """`x`'s elements, in row-major order, as a buffer of type `t` with dims `sizes`: the
    same memory (collapse_shape / expand_shape, or both through one dim)."""
    source = l.sizes(x)
    # The declared type's static dims win.
    sizes = [l.static(d) if d != DYNAMIC_INDEX else s for d, s in zip(t.get_shape(), sizes, strict=True)]
    if x.type == t and all(a == b for a, b in zip(source, sizes, strict=True)):
        return x
    if len(sizes) < len(source):
        groups = reassociation(source, sizes)
        if groups is not None:
            return _collapse(l, x, groups, t)
    elif len(sizes) > len(source):
        groups = reassociation(sizes, source)
        if groups is not None:
            return _expand(l, x, groups, t, sizes)
    element = t.element_type
    count = product(source, l.static(1))
    flat_type = _type(element, [count])
    if len(source) == 0:
        flat = _expand(l, x, [], flat_type, [count])
    elif len(source) == 1 and x.type == flat_type:
        flat = x
    else:
        flat = _collapse(l, x, [list(range(len(source)))], flat_type)
    if len(sizes) == 0:
        return _collapse(l, flat, [], t)
    if len(sizes) == 1:
        if flat.type == t:
            return flat
        return l.emit(memref.CastOp.get(flat, t)).results[0]
    return _expand(l, flat, [list(range(len(sizes)))], t, sizes)


@lowering(SqueezeOp, UnsqueezeOp)
def squeeze(l: Lowering) -> SSAValue:
    return view(l, l.operand(0), l.result_sizes(), l.result_type())


@lowering(FlattenOp)
def flatten(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, FlattenOp)
    x = l.operand(0)
    sizes = l.sizes(x)
    axis = int_of(op.axis)
    one = l.static(1)
    return view(l, x, [product(sizes[:axis], one), product(sizes[axis:], one)], l.result_type())


@lowering(ReshapeOp)
def reshape(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, ReshapeOp)
    x = l.operand(0)
    t = l.result_type()
    count = product(l.sizes(x), l.static(1))
    declared = shape_of(t)
    if op.shape is None:
        # At most one dynamic dim: the element count over the others.
        known = product([l.static(d) for d in declared if d is not None], l.static(1))
        missing = count // known.max(1) if not known.is_static or known.static else l.static(0)
        return view(l, x, [l.static(d) if d is not None else missing for d in declared], t)
    shape = l.operand(1)
    entries = [l.static(d) if d is not None else load_index(l, shape, [i]) for i, d in enumerate(declared)]
    # One entry may be -1: the element count over the others.
    inferred = [compare(l, "eq", e, -1) for e in entries]
    known = product([select(l, c, 1, e) for c, e in zip(inferred, entries, strict=True)], l.static(1))
    missing = count // known.max(1)
    return view(l, x, [select(l, c, missing, e) for c, e in zip(inferred, entries, strict=True)], t)


# -- permutations and pieces ------------------------------------------------------------------------


@lowering(TransposeOp)
def transpose(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, TransposeOp)
    x = l.operand(0)
    perm = list(ints_of(op.perm))
    rank = len(perm)
    result = l.alloc_result()
    # Result dim i runs along loop i and is input dim perm[i].
    loops = [perm.index(j) for j in range(rank)]
    generic(
        l,
        [(x, loop_map(rank, loops))],
        [(result, loop_map(rank, list(range(rank))))],
        [PARALLEL] * rank,
        lambda s, args: [args[0]],
    )
    return result


def _copy(l: Lowering, result: SSAValue, element: Callable[[list[Size]], SSAValue]) -> SSAValue:
    """Writes `element(index)` at every index of `result`."""
    loop_nest(l, l.sizes(result), lambda index: store(l, element(index), result, index))
    return result


def _shifted(index: Sequence[Size], axis: int, offset: Size | int) -> list[Size]:
    return [i + offset if k == axis else i for k, i in enumerate(index)]


@lowering(ConcatOp)
def concat(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, ConcatOp)
    axis = int_of(op.axis)
    pieces = l.operands
    piece_sizes = [l.sizes(p) for p in pieces]
    result_sizes = l.result_sizes() if all(d is not None for d in shape_of(l.result_type())) else None
    if result_sizes is None:
        # Other dims from the first piece; the axis is the sum.
        result_sizes = list(piece_sizes[0])
        result_sizes[axis] = sum((s[axis] for s in piece_sizes[1:]), piece_sizes[0][axis])
    result = l.alloc_result(0, result_sizes)
    offset: Size = l.static(0)
    for piece, sizes in zip(pieces, piece_sizes, strict=True):

        def copy(index: list[Size], piece: SSAValue = piece, offset: Size = offset) -> None:
            store(l, load(l, piece, index), result, _shifted(index, axis, offset))

        loop_nest(l, sizes, copy)
        offset = offset + sizes[axis]
    return result


@lowering(SplitOp)
def split(l: Lowering) -> list[SSAValue]:
    op = l.op
    assert isinstance(op, SplitOp)
    x = l.operand(0)
    axis = int_of(op.axis)
    sizes = l.sizes(x)
    if op.sizes is not None:
        lengths = [l.static(n) for n in ints_of(op.sizes)]
    else:
        count = int_of(op.num_outputs)
        chunk = sizes[axis].ceildiv(count)
        lengths = [(sizes[axis] - chunk * i).min(chunk).max(0) for i in range(count)]
    results: list[SSAValue] = []
    offset: Size = l.static(0)
    for i, length in enumerate(lengths):
        piece_sizes = list(sizes)
        piece_sizes[axis] = length
        piece = l.alloc_result(i, piece_sizes)

        def element(index: list[Size], offset: Size = offset) -> SSAValue:
            return load(l, x, _shifted(index, axis, offset))

        results.append(_copy(l, piece, element))
        offset = offset + length
    return results


# -- slices -------------------------------------------------------------------------------------------


def _from_end(l: Lowering, value: Size, dim: Size) -> Size:
    """A negative start or end counts from the end."""
    negative = compare(l, "lt", value, 0)
    if isinstance(negative, bool):
        return value + dim if negative else value
    return select(l, negative, value + dim, value)


def slice_bounds(l: Lowering, dim: Size, start: Size, end: Size, step: int) -> tuple[Size, Size]:
    """The first index and the length of `start:end:step` of a dim (see
    `infer.dialects.infer.tensor.slice_bounds`), folded where everything is static."""
    start, end = _from_end(l, start, dim), _from_end(l, end, dim)
    if step > 0:
        start, end = start.max(0).min(dim), end.max(0).min(dim)
        return start, (end - start).ceildiv(step).max(0)
    start, end = start.max(-1).min(dim - 1), end.max(-1).min(dim - 1)
    return start, (start - end).ceildiv(-step).max(0)


def _slice(l: Lowering, starts: Sequence[Size], ends: Sequence[Size], steps: Sequence[int]) -> SSAValue:
    x = l.operand(0)
    bounds = [slice_bounds(l, d, a, b, k) for d, a, b, k in zip(l.sizes(x), starts, ends, steps, strict=True)]
    result = l.alloc_result(0, [length for _, length in bounds])
    return _copy(
        l,
        result,
        lambda index: load(l, x, [first + i * k for i, (first, _), k in zip(index, bounds, steps, strict=True)]),
    )


@lowering(SliceOp)
def slice_(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, SliceOp)
    starts = [l.static(v) for v in ints_of(op.starts)]
    ends = [l.static(v) for v in ints_of(op.ends)]
    return _slice(l, starts, ends, list(ints_of(op.steps)))


@lowering(DynamicSliceOp)
def dynamic_slice(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, DynamicSliceOp)
    steps = list(ints_of(op.steps))
    starts = [load_index(l, l.operand(1), [i]) for i in range(len(steps))]
    ends = [load_index(l, l.operand(2), [i]) for i in range(len(steps))]
    return _slice(l, starts, ends, steps)


# -- gathers --------------------------------------------------------------------------------------------


def _position(l: Lowering, indices: SSAValue, at: Sequence[Size], dim: Size) -> Size:
    """An index read from `indices`, negative ones counted from the end, clamped into
    `[0, dim)` (the reference rejects what is out of range)."""
    i = _from_end(l, load_index(l, indices, at), dim)
    return i.min(dim - 1).max(0)


@lowering(GatherOp)
def gather(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, GatherOp)
    data, indices = l.operand(0), l.operand(1)
    axis = int_of(op.axis)
    dim = l.size(data, axis)
    index_rank = len(shape_of(indices.type))
    result = l.alloc_result()

    def element(index: list[Size]) -> SSAValue:
        position = _position(l, indices, index[axis : axis + index_rank], dim)
        return load(l, data, [*index[:axis], position, *index[axis + index_rank :]])

    return _copy(l, result, element)


@lowering(GatherElementsOp)
def gather_elements(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, GatherElementsOp)
    data, indices = l.operand(0), l.operand(1)
    axis = int_of(op.axis)
    dim = l.size(data, axis)
    result = l.alloc_result()

    def element(index: list[Size]) -> SSAValue:
        position = _position(l, indices, index, dim)
        return load(l, data, [position if k == axis else i for k, i in enumerate(index)])

    return _copy(l, result, element)


# -- pad ------------------------------------------------------------------------------------------------


def _pad_value(value: float, element: Attribute) -> float | int | bool:
    """The pad value converted to the element type as the reference does (numpy's astype)."""
    with np.errstate(all="ignore"):
        converted = np.asarray(value).astype(to_numpy(element))
    return converted.item()


@lowering(PadOp)
def pad(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, PadOp)
    x = l.operand(0)
    sizes = l.sizes(x)
    rank = len(sizes)
    pads = list(ints_of(op.pads))
    begins, ends = pads[:rank], pads[rank:]
    mode = string_of(op.mode, "constant")
    result = l.alloc_result(0, [d + b + e for d, b, e in zip(sizes, begins, ends, strict=True)])
    # Negative pads crop first: the kept part of each dim is [low, high).
    lows = [l.static(max(-b, 0)) for b in begins]
    highs = [d - max(-e, 0) for d, e in zip(sizes, ends, strict=True)]
    if mode == "constant":
        element = l.result_type().element_type
        fill_value(l, result, _pad_value(float_of(op.value), element))
        kept = [(h - lo).max(0) for lo, h in zip(lows, highs, strict=True)]

        def copy(index: list[Size]) -> None:
            source = [i + lo for i, lo in zip(index, lows, strict=True)]
            target = [i + max(b, 0) for i, b in zip(index, begins, strict=True)]
            store(l, load(l, x, source), result, target)

        loop_nest(l, kept, copy)
        return result

    lengths = [h - lo for lo, h in zip(lows, highs, strict=True)]
    # reflect: period 2 (n - 1), mirrored without repeating the edge (computed before the loops).
    periods = [((n - 1) * 2).max(1) for n in lengths] if mode == "reflect" else []
    lasts = [n - 1 for n in lengths]

    def source(k: int, i: Size) -> Size:
        # Position in the kept part (negative before it, past its length after it).
        j = i - max(begins[k], 0)
        if mode == "edge":
            j = j.max(0).min(lasts[k])
        elif mode == "wrap":
            j = remainder(l, j, lengths[k])
        else:
            r = remainder(l, j, periods[k])
            j = select(l, compare(l, "lt", r, lengths[k]), r, periods[k] - r).min(lasts[k])
        return j + lows[k]

    return _copy(l, result, lambda index: load(l, x, [source(k, i) for k, i in enumerate(index)]))


# -- shapes ---------------------------------------------------------------------------------------------


@lowering(ShapeOfOp)
def shape_of_(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, ShapeOfOp)
    x = l.operand(0)
    start, end = int_of(op.start), int_of(op.end)
    result = l.alloc_result()
    s = l.scalar
    for i in range(start, end):
        d = l.size(x, i)
        value = s.const(d.static, i64) if d.static is not None else s.cast(d.value, i64)
        store(l, value, result, [i - start])
    return result


@lowering(BroadcastToOp)
def broadcast_to(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, BroadcastToOp)
    x, shape = l.operand(0), l.operand(1)
    sizes = l.sizes(x)
    declared = shape_of(l.result_type())
    targets = []
    for i, (d, r) in enumerate(zip(sizes, declared, strict=True)):
        if r is not None:
            targets.append(l.static(r))
            continue
        wanted = load_index(l, shape, [i])
        # A shape entry of 1 keeps the input dim; the input dim 1 takes the entry.
        targets.append(select(l, compare(l, "eq", wanted, 1), d, wanted))
    result = l.alloc_result(0, targets)
    # A dim of size 1 is read at 0 (a dynamic one is tested at run time).
    stretched = [compare(l, "eq", d, 1) for d in sizes]
    return _copy(
        l, result, lambda index: load(l, x, [select(l, c, 0, i) for c, i in zip(stretched, index, strict=True)])
    )


@lowering(TileOp)
def tile(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, TileOp)
    x = l.operand(0)
    sizes = l.sizes(x)
    repeats = ints_of(op.repeats)
    result = l.alloc_result(0, [d * r for d, r in zip(sizes, repeats, strict=True)])

    def element(index: list[Size]) -> SSAValue:
        # Loop indices and dims are never negative: the plain remainder.
        source = [
            i if r == 1 else remainder(l, i, d, truncated=True) for i, d, r in zip(index, sizes, repeats, strict=True)
        ]
        return load(l, x, source)

    return _copy(l, result, element)


@lowering(RangeOp)
def range_(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, RangeOp)
    s = l.scalar
    start, limit, delta = (load(l, v, []) for v in l.operands)
    t = start.type
    if kind(t) == FLOAT:
        # ceil((limit - start) / delta) in double, as the reference computes it.
        span = s.sub(s.cast(limit, f64), s.cast(start, f64))
        steps = s.math(math.CeilOp, s.div(span, s.cast(delta, f64)))
        count = index_value(l, s.index(s.cast(steps, i64)))
    else:
        span = s.sub(s.cast(limit, i64), s.cast(start, i64))
        step = s.cast(delta, i64)
        safe = s.select(s.cmp("eq", step, s.zero(i64)), s.one(i64), step)
        count = index_value(l, s.index(span)).ceildiv(index_value(l, s.index(safe)))
    # A delta of 0 gives nothing (the reference rejects it).
    count = select(l, s.cmp("eq", delta, s.zero(t)), 0, count.max(0))
    result = l.alloc_result(0, [count])

    def element(index: list[Size]) -> SSAValue:
        i = s.cast(s.cast(index[0].value, i64), t)
        return s.add(start, s.mul(i, delta))

    return _copy(l, result, element)
