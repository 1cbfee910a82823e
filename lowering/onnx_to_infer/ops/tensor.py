"""Converters for the ONNX ops that become ops of `infer.dialects.infer.tensor`.

ONNX conventions end here: Reshape's "0 copies the input dim", negative axes,
Slice's optional axes and steps, Pad's axes, Resize's coordinate modes of old
opsets and its scales-or-sizes inputs all become explicit properties. Inputs
that ONNX computes but `infer` needs as properties (axes, pads, starts, ...)
must be constants; when every operand of a data-movement op is a constant (as
in shape computations on static shapes), the op is evaluated at conversion
time, so that such chains end in constants.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import TensorType, i64
from xdsl.ir import Operation, SSAValue

from infer.dialects.infer import constant_value
from infer.dialects.infer.base import Dim, Shape, dims_of, int_of, ints_of
from infer.dialects.infer.elementwise import CastOp, EqualOp, SelectOp
from infer.dialects.infer.tensor import (
    COORDINATE_MODES,
    NEAREST_MODES,
    PAD_MODES,
    RESIZE_MODES,
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
    element_count,
    slice_bounds,
)
from infer.lowering.onnx_to_infer.core import Conversion, converter
from infer.runtime.interpreter import execute, has_semantics

INT64_MAX = int(np.iinfo(np.int64).max)

FOLD_LIMIT = 1 << 16
"""Results of at most this many elements (or no larger than the operands) are folded."""


def fold(c: Conversion, op: Operation) -> list[SSAValue]:
    """Emits `op`, or, when all its operands are constants, the constants it computes."""
    arrays = [constant_value(v) for v in op.operands]
    if op.operands and all(a is not None for a in arrays) and has_semantics(type(op)):
        types = [r.type for r in op.results]
        if all(isinstance(t, TensorType) for t in types):
            results = execute(op, [a for a in arrays if a is not None])
            largest = max(a.size for a in arrays if a is not None)
            if all(r.size <= max(FOLD_LIMIT, largest) for r in results):
                # The op was never inserted: drop its uses of the operands, or they stay live.
                op.drop_all_references()
                return [c.constant(np.asarray(r, order="C")) for r in results]  # (not ascontiguousarray: 0-d stays 0-d)
    c.emit_op(op)
    return list(op.results)


def fold1(c: Conversion, op: Operation) -> SSAValue:
    return fold(c, op)[0]


def axis_of(c: Conversion, axis: int, rank: int, what: str = "axis") -> int:
    """`axis` in [0, rank); a diagnostic when out of range."""
    if not -rank <= axis < rank:
        c.error(f"{what} {axis} is out of range for rank {rank}")
    return axis % rank


def axes_of(c: Conversion, axes: Sequence[int], rank: int, what: str = "axes") -> list[int]:
    """Distinct axes in [0, rank), in the given order."""
    result = [axis_of(c, int(a), rank, what) for a in axes]
    if len(set(result)) != len(result):
        c.error(f"{what} {list(axes)} repeat an axis")
    return result


def const_ints(c: Conversion, index: int) -> list[int] | None:
    """A constant integer input as a list, None when absent; a diagnostic when not constant."""
    if not c.has_input(index):
        return None
    return [int(v) for v in c.require_const(index).reshape(-1)]


def i64_constant(c: Conversion, values: Sequence[int]) -> SSAValue:
    return c.constant(np.asarray(values, dtype=np.int64).reshape(-1))


def shape_value(c: Conversion, x: SSAValue, dims: Sequence[int | tuple[int, int]]) -> SSAValue:
    """A 1-D i64 tensor built at run time: an int is itself, `(start, end)` is
    `shape(x)[start:end]`. Consecutive pieces of one kind are merged."""
    pieces: list[list[int] | tuple[int, int]] = []
    for d in dims:
        last = pieces[-1] if pieces else None
        if isinstance(d, int):
            if isinstance(last, list):
                last.append(d)
            else:
                pieces.append([d])
        elif isinstance(last, tuple) and last[1] == d[0]:
            pieces[-1] = (last[0], d[1])
        else:
            pieces.append(d)
    values = [i64_constant(c, p) if isinstance(p, list) else fold1(c, ShapeOfOp(x, p[0], p[1])) for p in pieces]
    return values[0] if len(values) == 1 else fold1(c, ConcatOp(values, 0))


# -- reshapes ------------------------------------------------------------------------------


Entry = int | tuple[SSAValue, int]
"""An entry of a shape tensor as conversion sees it: a known value, or dim k of
a tensor (whose size is known only at run time)."""


def shape_entries(value: SSAValue) -> list[Entry] | None:
    """The entries of a 1-D (or scalar) integer tensor, when conversion can tell
    them: constants, and dims taken from tensors by `infer.shape_of` then moved by
    concat, gather, slice, squeeze and unsqueeze (as in exporters' shape code)."""
    array = constant_value(value)
    if array is not None:
        return [int(v) for v in array.reshape(-1)] if array.ndim <= 1 else None
    op = value.owner
    if isinstance(op, ShapeOfOp):
        dims = dims_of(op.input.type)
        return [dims[k] if dims[k] is not None else (op.input, k) for k in range(int_of(op.start), int_of(op.end))]  # type: ignore[misc]
    if isinstance(op, ConcatOp) and len(dims_of(value.type)) == 1:
        parts = [shape_entries(v) for v in op.inputs]
        return None if any(p is None for p in parts) else [e for p in parts for e in p or []]
    if isinstance(op, UnsqueezeOp | SqueezeOp) and len(dims_of(value.type)) <= 1:
        return shape_entries(op.input)
    if isinstance(op, GatherOp) and len(dims_of(op.data.type)) == 1:
        entries, indices = shape_entries(op.data), constant_value(op.indices)
        if entries is None or indices is None or indices.ndim > 1:
            return None
        n = len(entries)
        if any(not -n <= int(i) < n for i in indices.reshape(-1)):
            return None
        return [entries[int(i)] for i in indices.reshape(-1)]
    if isinstance(op, SliceOp) and len(dims_of(op.input.type)) == 1:
        entries = shape_entries(op.input)
        if entries is None:
            return None
        (start,), (end,), (step,) = ints_of(op.starts), ints_of(op.ends), ints_of(op.steps)
        first, stop, _ = slice_bounds(len(entries), start, end, step)
        return entries[first : None if stop < 0 else stop : step]
    return None


def static_entry(entry: Entry) -> Dim:
    """The entry's value when known at conversion, else None."""
    return entry if isinstance(entry, int) else None


@converter("Reshape", since=5)
def reshape(c: Conversion) -> SSAValue:
    x = c.input(0)
    dims = c.shape(x)
    allowzero = bool(c.attr("allowzero", 0))
    shape_dims = c.shape(c.input(1))
    if len(shape_dims) != 1 or shape_dims[0] is None:
        c.error("the shape input must be 1-D with a static length (the result rank)")
    entries = shape_entries(c.input(1))
    if entries is None or any(not isinstance(e, int) and (e[0] is not x or e[1] != i) for i, e in enumerate(entries)):
        return _reshape_at_run_time(c, x, shape_dims[0], allowzero)
    # Every entry is a known value or dim i of x itself at position i (what a 0 copies).
    shown = [e if isinstance(e, int) else "?" for e in entries]
    if any(isinstance(e, int) and e < -1 for e in entries) or entries.count(-1) > 1:
        c.error(f"shape {shown} must hold sizes and at most one -1")
    if allowzero and 0 in entries and -1 in entries:
        c.error(f"shape {shown} has both 0 and -1, which allowzero=1 forbids")
    result: list[Dim] = []
    pieces: list[int | tuple[int, int]] = []
    copied: set[int] = set()
    for i, e in enumerate(entries):
        if not isinstance(e, int) or (e == 0 and not allowzero):
            if i >= len(dims):
                c.error(f"shape {shown} copies dim {i} (a 0), but the input has rank {len(dims)}")
            d = dims[i]
            result.append(d)
            pieces.append((i, i + 1) if d is None else d)
            if d is None:
                copied.add(i)
        else:
            result.append(None if e == -1 else e)
            pieces.append(e)
    # Dynamic dims of x copied to the same place cancel out of the element counts.
    dynamic = {i for i, d in enumerate(dims) if d is None}
    count = element_count([d for d in dims if d is not None]) if copied == dynamic else None
    at = entries.index(-1) if -1 in entries else None
    known = element_count([d for i, d in enumerate(result) if i != at and i not in copied])
    if count is not None and known is not None:
        if at is not None:
            if known == 0 or count % known:
                c.error(f"cannot reshape {_shown(dims)} to {shown}")
            result[at] = pieces[at] = count // known
        elif count != known:
            c.error(f"cannot reshape {_shown(dims)} to {shown}")
    if result.count(None) <= 1:
        return fold1(c, ReshapeOp.to(x, result))
    return fold1(c, ReshapeOp(x, shape_value(c, x, pieces), c.tensor(c.element(x), result)))


def _reshape_at_run_time(c: Conversion, x: SSAValue, length: int, allowzero: bool) -> SSAValue:
    shape = c.input(1)
    rank = c.rank(x)
    if not allowzero:
        # ONNX: a 0 copies the input dim at its position.
        copies = shape_value(c, x, [(0, min(length, rank))] + [0] * max(0, length - rank))
        zero = i64_constant(c, [0] * length)
        shape = c.emit(SelectOp(c.emit(EqualOp(shape, zero)), copies, shape))
    return c.emit(ReshapeOp(x, shape))


def _shown(dims: Shape) -> str:
    return "[" + ", ".join("?" if d is None else str(d) for d in dims) + "]"


def _squeeze(c: Conversion, axes: Sequence[int] | None) -> SSAValue:
    x = c.input(0)
    dims = c.shape(x)
    if axes is None:
        if None in dims:
            c.error(
                "squeezing every dim of size 1 needs static dims",
                hint="give the axes to squeeze, or static input dims",
            )
        axes = [i for i, d in enumerate(dims) if d == 1]
    normalized = axes_of(c, axes, len(dims))
    for a in normalized:
        if dims[a] not in (1, None):
            c.error(f"cannot squeeze axis {a} of size {dims[a]}")
    return fold1(c, SqueezeOp(x, sorted(normalized)))


@converter("Squeeze", until=12)
def squeeze_attr(c: Conversion) -> SSAValue:
    return _squeeze(c, c.attr("axes"))


@converter("Squeeze", since=13)
def squeeze_input(c: Conversion) -> SSAValue:
    return _squeeze(c, const_ints(c, 1))


def _unsqueeze(c: Conversion, axes: Sequence[int] | None) -> SSAValue:
    if axes is None:
        c.error("the axes to insert are missing")
    x = c.input(0)
    rank = c.rank(x) + len(axes)
    return fold1(c, UnsqueezeOp(x, sorted(axes_of(c, axes, rank))))


@converter("Unsqueeze", until=12)
def unsqueeze_attr(c: Conversion) -> SSAValue:
    return _unsqueeze(c, c.attr("axes"))


@converter("Unsqueeze", since=13)
def unsqueeze_input(c: Conversion) -> SSAValue:
    return _unsqueeze(c, const_ints(c, 1))


@converter("Flatten")
def flatten(c: Conversion) -> SSAValue:
    x = c.input(0)
    rank = c.rank(x)
    axis = int(c.attr("axis", 1))
    if not -rank <= axis <= rank:
        c.error(f"axis {axis} is out of range [{-rank}, {rank}]")
    return fold1(c, FlattenOp(x, axis + rank if axis < 0 else axis))


@converter("Transpose")
def transpose(c: Conversion) -> SSAValue:
    x = c.input(0)
    rank = c.rank(x)
    perm = c.attr("perm")
    perm = list(range(rank))[::-1] if perm is None else [int(p) for p in perm]
    if sorted(perm) != list(range(rank)):
        c.error(f"perm {perm} is not a permutation of {rank} dims")
    return fold1(c, TransposeOp(x, perm))


# -- joining and cutting --------------------------------------------------------------------


@converter("Concat", since=4)
def concat(c: Conversion) -> SSAValue:
    inputs = c.inputs()
    if not inputs:
        c.error("Concat needs at least one input")
    rank = c.rank(inputs[0])
    if any(c.rank(v) != rank for v in inputs):
        c.error(f"inputs have different ranks {[c.rank(v) for v in inputs]}")
    axis = axis_of(c, int(c.attr("axis")), rank)
    if len(inputs) == 1:
        return inputs[0]
    return fold1(c, ConcatOp(inputs, axis))


def _split(c: Conversion, sizes: Sequence[int] | None, num_outputs: int | None = None) -> list[SSAValue]:
    x = c.input(0)
    dims = c.shape(x)
    axis = axis_of(c, int(c.attr("axis", 0)), len(dims))
    outputs = len(c.op.results)
    size = dims[axis]
    if sizes is not None:
        if len(sizes) != outputs:
            c.error(f"split {list(sizes)} has {len(sizes)} entries for {outputs} outputs")
        if any(s < 0 for s in sizes) or (size is not None and sum(sizes) != size):
            c.error(f"split {list(sizes)} does not cut dim {axis} of size {_shown((size,))[1:-1]}")
        return fold(c, SplitOp(x, axis, sizes=sizes))
    if num_outputs is not None and num_outputs != outputs:
        c.error(f"num_outputs is {num_outputs}, but the node has {outputs} outputs")
    if num_outputs is None and size is not None and size % outputs:
        c.error(f"dim {axis} of size {size} does not split into {outputs} equal parts")
    if size is not None:
        return fold(c, SplitOp(x, axis, sizes=SplitOp.piece_sizes(size, outputs)))
    return fold(c, SplitOp(x, axis, num_outputs=outputs))


@converter("Split", since=2, until=12)
def split_attr(c: Conversion) -> list[SSAValue]:
    split = c.attr("split")
    return _split(c, None if split is None else [int(s) for s in split])


@converter("Split", since=13, until=17)
def split_input(c: Conversion) -> list[SSAValue]:
    return _split(c, const_ints(c, 1))


@converter("Split", since=18)
def split_num_outputs(c: Conversion) -> list[SSAValue]:
    sizes = const_ints(c, 1)
    num_outputs = c.attr("num_outputs")
    if sizes is not None and num_outputs is not None:
        c.error("split and num_outputs are both given")
    if sizes is None and num_outputs is None:
        c.error("one of the split input and the num_outputs attribute is needed")
    return _split(c, sizes, None if num_outputs is None else int(num_outputs))


def _slice(
    c: Conversion,
    starts: Sequence[int],
    ends: Sequence[int],
    axes: Sequence[int] | None,
    steps: Sequence[int] | None,
) -> SSAValue:
    x = c.input(0)
    rank = c.rank(x)
    axes = list(range(len(starts))) if axes is None else list(axes)
    steps = [1] * len(starts) if steps is None else list(steps)
    if not len(starts) == len(ends) == len(axes) == len(steps):
        c.error(
            f"starts, ends, axes and steps have different lengths "
            f"({len(starts)}, {len(ends)}, {len(axes)}, {len(steps)})"
        )
    if 0 in steps:
        c.error(f"steps {steps} contain 0")
    full_starts, full_ends, full_steps = [0] * rank, [INT64_MAX] * rank, [1] * rank
    for axis, start, end, step in zip(axes_of(c, axes, rank), starts, ends, steps, strict=True):
        full_starts[axis], full_ends[axis], full_steps[axis] = start, end, step
    return fold1(c, SliceOp(x, full_starts, full_ends, full_steps))


@converter("Slice", until=9)
def slice_attr(c: Conversion) -> SSAValue:
    starts, ends = c.attr("starts"), c.attr("ends")
    if starts is None or ends is None:
        c.error("starts and ends are required")
    return _slice(c, starts, ends, c.attr("axes"), None)


@converter("Slice", since=10)
def slice_input(c: Conversion) -> SSAValue:
    if not c.has_input(1) or not c.has_input(2):
        c.error("starts and ends are required")
    if c.const(1) is None or c.const(2) is None:
        return _slice_at_run_time(c)
    starts, ends = const_ints(c, 1), const_ints(c, 2)
    assert starts is not None and ends is not None
    return _slice(c, starts, ends, const_ints(c, 3), const_ints(c, 4))


def _slice_at_run_time(c: Conversion) -> SSAValue:
    """Starts or ends computed at run time (e.g. a sequence length): an
    `infer.dynamic_slice` with per-dim bounds assembled from the given axes."""
    x = c.input(0)
    dims = c.shape(x)
    rank = len(dims)
    bounds = [c.input(1), c.input(2)]
    lengths = [c.shape(v) for v in bounds]
    if any(len(n) != 1 or n[0] is None for n in lengths):
        c.error("starts and ends must be 1-D with a static length")
    count = lengths[0][0]
    assert count is not None
    if lengths[1][0] != count:
        c.error(f"starts and ends have different lengths {count} and {lengths[1][0]}")
    given_axes = const_ints(c, 3)
    axes = list(range(count)) if given_axes is None else axes_of(c, given_axes, rank)
    steps = const_ints(c, 4) or [1] * count
    if len(axes) != count or len(steps) != count:
        c.error(f"starts, ends, axes and steps have different lengths ({count}, {count}, {len(axes)}, {len(steps)})")
    if 0 in steps:
        c.error(f"steps {steps} contain 0")
    full_steps = [1] * rank
    for axis, step in zip(axes, steps, strict=True):
        full_steps[axis] = step
    full: list[SSAValue] = []
    for value, default in zip(bounds, (0, INT64_MAX), strict=True):
        if c.element(value) != i64:
            value = fold1(c, CastOp(value, i64))
        pieces = [
            fold1(c, SliceOp(value, [axes.index(d)], [axes.index(d) + 1], [1]))
            if d in axes
            else i64_constant(c, [default])
            for d in range(rank)
        ]
        full.append(pieces[0] if rank == 1 else fold1(c, ConcatOp(pieces, 0)))
    result = [None if d in axes else dims[d] for d in range(rank)]
    return fold1(c, DynamicSliceOp(x, full[0], full[1], full_steps, c.tensor(c.element(x), result)))


# -- gathers --------------------------------------------------------------------------------------


@converter("Gather")
def gather(c: Conversion) -> SSAValue:
    data, indices = c.input(0), c.input(1)
    axis = axis_of(c, int(c.attr("axis", 0)), c.rank(data))
    return fold1(c, GatherOp(data, indices, axis))


@converter("GatherElements")
def gather_elements(c: Conversion) -> SSAValue:
    data, indices = c.input(0), c.input(1)
    if c.rank(data) != c.rank(indices):
        c.error(f"data and indices have different ranks {c.rank(data)} and {c.rank(indices)}")
    axis = axis_of(c, int(c.attr("axis", 0)), c.rank(data))
    return fold1(c, GatherElementsOp(data, indices, axis))


# -- padding -------------------------------------------------------------------------------------


def _pad(c: Conversion, pads: Sequence[int] | None, value: float, axes: Sequence[int] | None = None) -> SSAValue:
    x = c.input(0)
    rank = c.rank(x)
    if pads is None:
        c.error("pads are required")
    mode = c.attr("mode", "constant")
    if mode not in PAD_MODES or (mode == "wrap" and c.version < 19):
        c.unsupported_attr("mode", mode, "constant, reflect, edge" + (", wrap" if c.version >= 19 else ""))
    axes = list(range(rank)) if axes is None else axes_of(c, axes, rank)
    if len(pads) != 2 * len(axes):
        c.error(f"pads has {len(pads)} entries, expected {2 * len(axes)} (begins then ends)")
    full = [0] * (2 * rank)
    for i, axis in enumerate(axes):
        full[axis], full[rank + axis] = pads[i], pads[len(axes) + i]
    dims = c.shape(x)
    for i, d in enumerate(dims):
        if d is not None and (d + min(full[i], 0) + min(full[rank + i], 0) < 0):
            c.error(f"pads {full[i]}, {full[rank + i]} remove more than dim {i} of size {d}")
        if d == 0 and mode != "constant" and (full[i] > 0 or full[rank + i] > 0):
            c.error(f"mode '{mode}' cannot pad the empty dim {i}")
    if not any(full):
        return x
    return fold1(c, PadOp(x, full, mode, value))


@converter("Pad", since=2, until=10)
def pad_attr(c: Conversion) -> SSAValue:
    return _pad(c, c.attr("pads"), float(c.attr("value", 0.0)))


@converter("Pad", since=11)
def pad_input(c: Conversion) -> SSAValue:
    value = 0.0
    if c.has_input(2):
        constant = c.require_const(2, "constant_value")
        if constant.size != 1:
            c.error(f"constant_value must hold one value, got shape {list(constant.shape)}")
        value = float(constant.reshape(-1)[0])
    return _pad(c, const_ints(c, 1), value, const_ints(c, 3))


# -- resize --------------------------------------------------------------------------------------


def _resize(
    c: Conversion,
    *,
    scales: Sequence[float] | None,
    sizes: Sequence[int] | None,
    roi: Sequence[float] | None = None,
    axes: Sequence[int] | None = None,
    mode: str,
    coordinate_mode: str,
    nearest_mode: str = "round_prefer_floor",
    cubic_coeff_a: float = -0.75,
    exclude_outside: bool = False,
    extrapolation_value: float = 0.0,
    policy: str = "stretch",
) -> SSAValue:
    x = c.input(0)
    dims = c.shape(x)
    rank = len(dims)
    if mode not in RESIZE_MODES:
        c.unsupported_attr("mode", mode, ", ".join(RESIZE_MODES))
    if coordinate_mode not in COORDINATE_MODES or (coordinate_mode == "half_pixel_symmetric" and c.version < 19):
        c.unsupported_attr("coordinate_transformation_mode", coordinate_mode, ", ".join(COORDINATE_MODES))
    if nearest_mode not in NEAREST_MODES:
        c.unsupported_attr("nearest_mode", nearest_mode, ", ".join(NEAREST_MODES))
    axes = list(range(rank)) if axes is None else axes_of(c, axes, rank)
    if scales is not None and sizes is not None:
        c.error("scales and sizes are both given; give one")
    if scales is None and sizes is None:
        c.error("one of scales and sizes is needed")
    given = scales if scales is not None else sizes
    assert given is not None
    if len(given) != len(axes):
        c.error(f"{'scales' if scales is not None else 'sizes'} has {len(given)} entries for {len(axes)} axes")
    full_roi: list[float] | None = None
    if coordinate_mode == "tf_crop_and_resize":
        if roi is None:
            c.error("coordinate_transformation_mode tf_crop_and_resize needs the roi input")
        if len(roi) != 2 * len(axes):
            c.error(f"roi has {len(roi)} entries, expected {2 * len(axes)}")
        full_roi = [0.0] * rank + [1.0] * rank
        for i, a in enumerate(axes):
            full_roi[a], full_roi[rank + a] = float(roi[i]), float(roi[len(axes) + i])
    if policy not in ("stretch", "not_larger", "not_smaller"):
        c.unsupported_attr("keep_aspect_ratio_policy", policy, "stretch, not_larger, not_smaller")
    full_scales: list[float] | None = None
    full_sizes: list[int] | None = None
    if scales is not None:
        if any(not s > 0 for s in scales):
            c.error(f"scales {list(scales)} must be positive")
        full_scales = [1.0] * rank
        for a, s in zip(axes, scales, strict=True):
            full_scales[a] = float(np.float32(s))
    else:
        assert sizes is not None
        full_sizes = [-1] * rank  # -1: the input dim, kept
        for a, s in zip(axes, sizes, strict=True):
            full_sizes[a] = int(s)
        if policy != "stretch":
            if any(dims[a] is None for a in axes):
                c.error(f"keep_aspect_ratio_policy {policy} needs static input dims on the resized axes")
            ratios = [np.float32(full_sizes[a]) / np.float32(dims[a]) for a in axes]  # type: ignore[arg-type]
            scale = min(ratios) if policy == "not_larger" else max(ratios)
            full_scales = [1.0] * rank
            for a in axes:
                full_scales[a] = float(scale)
                full_sizes[a] = int(np.floor(np.float32(scale) * np.float32(dims[a]) + np.float32(0.5)))
        for a in range(rank):
            if full_sizes[a] == -1 and dims[a] is not None:
                full_sizes[a] = dims[a]  # type: ignore[assignment]
    return fold1(
        c,
        ResizeOp(
            x,
            mode=mode,
            coordinate_mode=coordinate_mode,
            nearest_mode=nearest_mode,
            cubic_coeff_a=cubic_coeff_a,
            exclude_outside=exclude_outside,
            extrapolation_value=extrapolation_value,
            scales=full_scales,
            sizes=full_sizes,
            roi=full_roi,
        ),
    )


def _old_nearest_mode(c: Conversion, scales: Sequence[float]) -> str:
    """Upsample and Resize-10 round down when enlarging and up when shrinking."""
    if all(s >= 1 for s in scales):
        return "floor"
    if all(s <= 1 for s in scales):
        return "ceil"
    c.error(f"scales {list(scales)} both enlarge and shrink, which nearest mode of this opset cannot express")


def _old_resize(c: Conversion, scales: Sequence[float]) -> SSAValue:
    mode = c.attr("mode", "nearest")
    mode = {"bilinear": "linear"}.get(mode, mode)
    if mode not in ("nearest", "linear"):
        c.unsupported_attr("mode", mode, "nearest, linear")
    if len(scales) != c.rank(c.input(0)):
        c.error(f"scales has {len(scales)} entries for rank {c.rank(c.input(0))}")
    nearest_mode = _old_nearest_mode(c, scales) if mode == "nearest" else "floor"
    return _resize(c, scales=scales, sizes=None, mode=mode, coordinate_mode="asymmetric", nearest_mode=nearest_mode)


@converter("Upsample", since=7, until=8)
def upsample_attr(c: Conversion) -> SSAValue:
    scales = c.attr("scales")
    if scales is None:
        c.error("scales are required")
    return _old_resize(c, [float(s) for s in scales])


def _const_floats(c: Conversion, index: int) -> list[float] | None:
    if not c.has_input(index):
        return None
    values = c.require_const(index).reshape(-1)
    return None if values.size == 0 else [float(v) for v in values]


@converter("Upsample", since=9)
def upsample_input(c: Conversion) -> SSAValue:
    scales = _const_floats(c, 1)
    if scales is None:
        c.error("scales are required")
    return _old_resize(c, scales)


@converter("Resize", since=10, until=10)
def resize_10(c: Conversion) -> SSAValue:
    scales = _const_floats(c, 1)
    if scales is None:
        c.error("scales are required")
    return _old_resize(c, scales)


def _resize_sizes(c: Conversion, axes: Sequence[int] | None) -> list[int] | None:
    """The sizes input, -1 where it is the input's own (dynamic) dim, as in
    `concat(shape(x)[:2], [h, w])`; None when absent or empty."""
    if not c.has_input(3):
        return None
    entries = shape_entries(c.input(3))
    if entries is None:
        c.require_const(3)
    assert entries is not None
    if not entries:
        return None
    x = c.input(0)
    axes = list(range(c.rank(x))) if axes is None else list(axes)
    sizes: list[int] = []
    for i, e in enumerate(entries):
        if isinstance(e, int):
            if e < 0:
                c.error(f"sizes {[v if isinstance(v, int) else '?' for v in entries]} must be non-negative")
            sizes.append(e)
        elif e[0] is x and i < len(axes) and e[1] == axes[i]:
            sizes.append(-1)
        else:
            c.error("input 'sizes' must be a constant or the input's own dims (computed at run time is not supported)")
    return sizes


@converter("Resize", since=11)
def resize(c: Conversion) -> SSAValue:
    coordinate_mode = c.attr("coordinate_transformation_mode", "half_pixel")
    if coordinate_mode == "tf_half_pixel_for_nn":
        c.unsupported_attr("coordinate_transformation_mode", coordinate_mode, ", ".join(COORDINATE_MODES))
    scales = _const_floats(c, 2)
    axes = c.attr("axes")
    axes = None if axes is None else axes_of(c, [int(a) for a in axes], c.rank(c.input(0)))
    sizes = _resize_sizes(c, axes)
    shrinks = scales is None or any(s < 1 for s in scales)
    if int(c.attr("antialias", 0)) and c.attr("mode", "nearest") != "nearest" and shrinks:
        c.unsupported_attr("antialias", 1, "0 (or scales >= 1)")
    roi = _const_floats(c, 1) if coordinate_mode == "tf_crop_and_resize" else None
    return _resize(
        c,
        scales=scales,
        sizes=sizes,
        roi=roi,
        axes=axes,
        mode=c.attr("mode", "nearest"),
        coordinate_mode=coordinate_mode,
        nearest_mode=c.attr("nearest_mode", "round_prefer_floor"),
        cubic_coeff_a=float(c.attr("cubic_coeff_a", -0.75)),
        exclude_outside=bool(c.attr("exclude_outside", 0)),
        extrapolation_value=float(c.attr("extrapolation_value", 0.0)),
        policy=c.attr("keep_aspect_ratio_policy", "stretch"),
    )


# -- shapes ---------------------------------------------------------------------------------------


@converter("Shape")
def shape(c: Conversion) -> SSAValue:
    x = c.input(0)
    dims = c.shape(x)
    rank = len(dims)
    start, end = int(c.attr("start", 0)), c.attr("end")
    end = rank if end is None else int(end)
    start = min(max(start + rank if start < 0 else start, 0), rank)
    end = min(max(end + rank if end < 0 else end, 0), rank)
    end = max(start, end)
    if None not in dims[start:end]:
        return i64_constant(c, [d for d in dims[start:end] if d is not None])
    return c.emit(ShapeOfOp(x, start, end))


@converter("Size")
def size(c: Conversion) -> SSAValue:
    x = c.input(0)
    count = element_count(c.shape(x))
    if count is not None:
        return c.constant(np.asarray(count, dtype=np.int64))
    flat = c.emit(ReshapeOp.to(x, [None]))
    length = c.emit(ShapeOfOp(flat))
    return c.emit(ReshapeOp.to(length, []))


@converter("Expand", since=8)
def expand(c: Conversion) -> SSAValue:
    x, shape = c.input(0), c.input(1)
    shape_dims = c.shape(shape)
    if len(shape_dims) != 1 or shape_dims[0] is None:
        c.error("the shape input must be 1-D with a static length")
    length = shape_dims[0]
    rank = max(c.rank(x), length)
    x = c.to_rank(x, rank)
    dims = c.shape(x)
    entries = shape_entries(shape)
    values = c.const(1)
    if length < rank:
        shape = fold1(c, ConcatOp([i64_constant(c, [1] * (rank - length)), shape], 0))
    if entries is None:
        return fold1(c, BroadcastToOp(x, shape))
    target: list[Entry] = [*([1] * (rank - length)), *entries]
    result: list[Dim] = []
    for i, (d, e) in enumerate(zip(dims, target, strict=True)):
        if not isinstance(e, int):
            # Known at run time only: a dim of x that is not 1 stays (the entry must be 1 or equal).
            result.append(None if d in (1, None) else d)
            continue
        if e < 0 or (d is not None and d != 1 and e not in (1, d)):
            c.error(f"cannot expand dim {i} of size {d} to {e}")
        result.append(d if e == 1 else e)
    if result == list(dims) and all(isinstance(e, int) for e in target):
        return x
    if values is not None:
        shape = i64_constant(c, [int(e) for e in target])  # type: ignore[arg-type]
    return fold1(c, BroadcastToOp(x, shape, c.tensor(c.element(x), result)))


@converter("Tile", since=6)
def tile(c: Conversion) -> SSAValue:
    x = c.input(0)
    repeats = const_ints(c, 1)
    if repeats is None:
        c.error("repeats are required")
    if len(repeats) != c.rank(x) or any(r < 0 for r in repeats):
        c.error(f"repeats {repeats} must be {c.rank(x)} non-negative counts")
    if all(r == 1 for r in repeats):
        return x
    return fold1(c, TileOp(x, repeats))


@converter("Range")
def range_(c: Conversion) -> SSAValue:
    start, limit, delta = c.input(0), c.input(1), c.input(2)
    scalars = [c.shape(v) == () for v in (start, limit, delta)]
    if not all(scalars):
        c.error("start, limit and delta must be scalars")
    value = c.const(2)
    if value is not None and value.item() == 0:
        c.error("delta must not be 0")
    return fold1(c, RangeOp(start, limit, delta))
