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
    f32,
    f64,
    i1,
    i64,
)
from xdsl.ir import Attribute, SSAValue

from infer.dialects.dtypes import to_numpy
from infer.dialects.infer.base import element_of, float_of, int_of, ints_of, string_of
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
    ResizeOp,
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
from infer.lowering.infer_to_linalg.scalar import FLOAT, Scalar, kind
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


def memref_of(element: Attribute, sizes: Sequence[Size]) -> MemRefType:
    """The identity-layout memref type of `sizes` (dynamic where not static)."""
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
    flat_type = memref_of(element, [count])
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
    # Narrow floats compute in f32 (as the interpreter does) and each element rounds back.
    start, limit, delta = (s.widen(load(l, v, [])) for v in l.operands)
    t = start.type
    element_type = element_of(op.results[0].type)
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
        return s.cast(s.add(start, s.mul(i, delta)), element_type)

    return _copy(l, result, element)


# -- resize -----------------------------------------------------------------------------------------


class _Resize:
    """What `infer.resize` needs per dim, in float32 where the reference computes in float32
    (`runtime/reference/tensor.py`): output sizes, scales, source coordinates."""

    def __init__(self, l: Lowering, op: ResizeOp, sizes: list[Size]) -> None:
        self.l = l
        self.op = op
        self.sizes = sizes
        self.rank = len(sizes)
        self.mode = string_of(op.mode, "nearest")
        self.coordinate_mode = string_of(op.coordinate_mode, "half_pixel")
        self.scales = [float(v) for v in op.scales.get_values()] if op.scales is not None else None
        self.out_sizes = list(ints_of(op.sizes)) if op.sizes is not None else None
        self.roi = [float(v) for v in op.roi.get_values()] if op.roi is not None else None
        self.outputs = [self._output_size(i) for i in range(self.rank)]

    def as_f32(self, size: Size) -> SSAValue:
        s = self.l.scalar
        if size.static is not None:
            return s.const(float(np.float32(size.static)), f32)
        return s.cast(s.cast(size.value, i64), f32)

    def _output_size(self, i: int) -> Size:
        d = self.sizes[i]
        if self.out_sizes is not None:
            return d if self.out_sizes[i] == -1 else self.l.static(self.out_sizes[i])
        assert self.scales is not None
        scale = np.float32(self.scales[i])
        if d.static is not None:
            return self.l.static(int(scale * np.float32(d.static)))
        s = self.l.scalar
        product_ = s.mul(s.const(float(scale), f32), self.as_f32(d))
        return index_value(self.l, s.index(s.cast(product_, i64)))

    def identity(self, i: int) -> bool:
        """Whether dim `i` is copied as it is (known at compile time), as the reference skips it."""
        if self.coordinate_mode == "tf_crop_and_resize":
            return False
        out, d = self.outputs[i], self.sizes[i]
        if out.static == 0:
            return True
        if self.scales is not None:
            return bool(np.float32(self.scales[i]) == 1) and out == d
        if self.out_sizes is not None and self.out_sizes[i] == -1:
            return True
        return out.static is not None and out == d

    def scale(self, i: int) -> SSAValue:
        """The scale of dim `i` as float32: given, else `out / in` (in 1 when 0)."""
        s = self.l.scalar
        if self.scales is not None:
            return s.const(float(np.float32(self.scales[i])), f32)
        out, d = self.outputs[i], self.sizes[i]
        if out.static is not None and d.static is not None:
            return s.const(float(np.float32(out.static) / np.float32(d.static or 1)), f32)
        return s.div(self.as_f32(out), self.as_f32(d.max(1)))

    def coordinate(self, i: int, o: Size) -> SSAValue:
        """The input coordinate (float32) of output position `o` along dim `i`."""
        s = self.l.scalar
        out, size = self.outputs[i], self.sizes[i]
        x = s.cast(s.cast(o.value, i64), f32)
        half = s.const(0.5, f32)
        mode = self.coordinate_mode
        if mode in ("half_pixel", "half_pixel_symmetric", "pytorch_half_pixel"):
            coordinate = s.sub(s.div(s.add(x, half), self.scale(i)), half)
            if mode == "half_pixel_symmetric":
                adjustment = s.div(self.as_f32(out), s.mul(self.scale(i), self.as_f32(size)))
                offset = s.mul(s.div(self.as_f32(size), s.const(2.0, f32)), s.sub(s.one(f32), adjustment))
                coordinate = s.sub(s.add(offset, s.div(s.add(x, half), self.scale(i))), half)
            if mode == "pytorch_half_pixel":
                return self._unless_one(out, coordinate, s.zero(f32), when="gt")
            return coordinate
        if mode == "align_corners":
            spread = s.div(s.mul(x, self.as_f32(size - 1)), self.as_f32(out - 1))
            return self._unless_one(out, spread, s.zero(f32), when="ne")
        if mode == "asymmetric":
            return s.div(x, self.scale(i))
        assert self.roi is not None
        begin, end = np.float32(self.roi[i]), np.float32(self.roi[self.rank + i])
        extent = self.as_f32(size - 1)
        centre = s.mul(s.const(float(np.float32(0.5) * (begin + end)), f32), extent)
        start = s.mul(s.const(float(begin), f32), extent)
        step = s.div(s.mul(s.mul(x, s.const(float(end - begin), f32)), extent), self.as_f32(out - 1))
        return self._unless_one(out, s.add(start, step), centre, when="ne")

    def _unless_one(self, out: Size, value: SSAValue, at_one: SSAValue, when: str) -> SSAValue:
        """`value` when `out <when> 1` (`gt` or `ne`), else `at_one`."""
        condition = compare(self.l, when, out, 1)
        if isinstance(condition, bool):
            return value if condition else at_one
        return self.l.scalar.select(condition, value, at_one)


def _clip_float(s: Scalar, value: SSAValue, high: SSAValue) -> SSAValue:
    """`np.clip(value, 0, high)`."""
    return s.min(s.max(value, s.zero(value.type)), high)


def _nearest(s: Scalar, c: SSAValue, nearest_mode: str, last: SSAValue) -> SSAValue:
    """The reference's `_nearest_indices` of one float32 coordinate, as i64."""
    floor = s.math(math.FloorOp, c)
    if nearest_mode == "floor":
        index = floor
    elif nearest_mode == "ceil":
        index = s.math(math.CeilOp, c)
    else:
        zero, half = s.zero(f32), s.const(0.5, f32)
        sign = s.select(s.cmp("gt", c, zero), s.one(f32), s.select(s.cmp("lt", c, zero), s.const(-1.0, f32), zero))
        away = s.mul(sign, s.math(math.FloorOp, s.add(s.abs(c), half)))
        if nearest_mode == "round_prefer_floor":
            index = s.select(s.cmp("eq", c, s.add(floor, half)), floor, away)
        else:
            index = away
    return s.cast(_clip_float(s, index, last), i64)


def _cubic_weights(s: Scalar, fraction: SSAValue, a: float) -> list[SSAValue]:
    """Keys' kernel at the 4 taps around a point `fraction` past its floor (float64)."""
    one = s.one(f64)
    weights = []
    for d in (s.add(fraction, one), fraction, s.sub(one, fraction), s.sub(s.const(2.0, f64), fraction)):
        near = s.add(s.mul(s.mul(s.sub(s.mul(s.const(a + 2, f64), d), s.const(a + 3, f64)), d), d), one)
        far = s.sub(
            s.mul(s.add(s.mul(s.sub(s.mul(s.const(a, f64), d), s.const(5 * a, f64)), d), s.const(8 * a, f64)), d),
            s.const(4 * a, f64),
        )
        weights.append(s.select(s.cmp("le", d, one), near, far))
    return weights


@lowering(ResizeOp)
def resize(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, ResizeOp)
    x = l.operand(0)
    sizes = l.sizes(x)
    r = _Resize(l, op, sizes)
    result = l.alloc_result(0, r.outputs)
    element = l.result_type().element_type
    axes = [i for i in range(r.rank) if not r.identity(i)]
    taps = {"nearest": 1, "linear": 2, "cubic": 4}[r.mode]
    crop = r.coordinate_mode == "tf_crop_and_resize"
    a = float_of(op.cubic_coeff_a, -0.75)
    exclude = op.exclude_outside is not None

    # Per resized dim, tables over its output positions: the taps' indices (clamped into
    # the input), their weights (float64), and whether the coordinate is outside.
    indices: dict[int, SSAValue] = {}
    weights: dict[int, SSAValue] = {}
    outside: dict[int, SSAValue] = {}
    for i in axes:
        out, size = r.outputs[i], sizes[i]
        indices[i] = l.scratch(i64, [out, l.static(taps)])
        if r.mode != "nearest":
            weights[i] = l.scratch(f64, [out, l.static(taps)])
        if crop:
            outside[i] = l.scratch(i1, [out])
        last = size - 1

        def table(index: list[Size], i: int = i, size: Size = size, last: Size = last) -> None:
            s = l.scalar
            (o,) = index
            c = r.coordinate(i, o)
            if crop:
                below = s.cmp("lt", c, s.zero(f32))
                store(l, s.or_(below, s.cmp("gt", c, r.as_f32(last))), outside[i], [o])
            if r.mode == "nearest":
                store(
                    l,
                    _nearest(s, c, string_of(op.nearest_mode, "round_prefer_floor"), r.as_f32(last)),
                    indices[i],
                    [o, 0],
                )
                return
            wide = s.cast(c, f64)
            last64 = s.cast(s.cast(last.value, i64), f64)
            if r.mode == "linear":
                clipped = _clip_float(s, wide, last64)
                low = s.min(s.math(math.FloorOp, clipped), last64)
                low_index = s.cast(low, i64)
                last_index = s.cast(last.value, i64)
                high_index = s.min(s.add(low_index, s.one(i64)), last_index)
                w = s.sub(clipped, low)
                for k, (position, weight) in enumerate(((low_index, s.sub(s.one(f64), w)), (high_index, w))):
                    store(l, position, indices[i], [o, k])
                    store(l, weight, weights[i], [o, k])
                return
            base = s.math(math.FloorOp, wide)
            cubic = _cubic_weights(s, s.sub(wide, base), a)
            base_index = s.cast(base, i64)
            positions = [s.add(base_index, s.const(k - 1, i64)) for k in range(4)]
            last_index = s.cast(last.value, i64)
            if exclude:
                zero = s.zero(f64)
                inside = [s.and_(s.cmp("ge", p, s.zero(i64)), s.cmp("le", p, last_index)) for p in positions]
                cubic = [s.select(ok, w, zero) for ok, w in zip(inside, cubic, strict=True)]
                total = s.add(s.add(s.add(cubic[0], cubic[1]), cubic[2]), cubic[3])
                divisor = s.select(s.cmp("eq", total, zero), s.one(f64), total)
                cubic = [s.div(w, divisor) for w in cubic]
            for k, (p, w) in enumerate(zip(positions, cubic, strict=True)):
                store(l, s.min(s.max(p, s.zero(i64)), last_index), indices[i], [o, k])
                store(l, w, weights[i], [o, k])

        loop_nest(l, [out], table)

    extrapolation = _pad_value(float_of(op.extrapolation_value), element)

    def finish(value: SSAValue, index: list[Size]) -> SSAValue:
        """The element rounded to the result type, the extrapolation value outside."""
        s = l.scalar
        value = s.cast(value, element)
        if not crop or not axes:
            return value
        flags = [load(l, outside[i], [index[i]]) for i in axes]
        any_outside = flags[0]
        for flag in flags[1:]:
            any_outside = s.or_(any_outside, flag)
        return s.select(any_outside, s.const(extrapolation, element), value)

    if r.mode == "nearest" or not axes:

        def gather_point(index: list[Size]) -> SSAValue:
            source = [load_index(l, indices[i], [o, 0]) if i in indices else o for i, o in enumerate(index)]
            return finish(load(l, x, source), index)

        return _copy(l, result, gather_point)

    # Linear and cubic: one dim after the other in float64, as the reference, the last
    # pass writing the result.
    current = x
    shape = list(sizes)
    for n, i in enumerate(axes):
        shape[i] = r.outputs[i]
        target = result if n == len(axes) - 1 else l.scratch(f64, shape)

        def blend(
            index: list[Size], i: int = i, source: SSAValue = current, final: bool = target is result
        ) -> SSAValue:
            s = l.scalar
            total: SSAValue | None = None
            for k in range(taps):
                position = load_index(l, indices[i], [index[i], k])
                value = s.cast(load(l, source, [position if j == i else o for j, o in enumerate(index)]), f64)
                term = s.mul(value, load(l, weights[i], [index[i], k]))
                total = term if total is None else s.add(total, term)
            assert total is not None
            return finish(total, index) if final else total

        _copy(l, target, blend)
        current = target
    return result
