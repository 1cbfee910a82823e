"""Semantics of the data-movement ops."""

from __future__ import annotations

import numpy as np

from infer.diagnostics import InferError
from infer.dialects.infer.base import dims_of, float_of, int_of, ints_of, string_of
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
    slice_bounds,
)
from infer.runtime.interpreter import reference


@reference(UnsqueezeOp)
def _unsqueeze(op: UnsqueezeOp, x: np.ndarray) -> np.ndarray:
    rank = len(dims_of(op.result.type))
    axes = sorted(a % rank for a in op.axes.get_values())
    return np.expand_dims(x, tuple(axes))


@reference(SqueezeOp)
def _squeeze(op: SqueezeOp, x: np.ndarray) -> np.ndarray:
    axes = tuple(sorted(a % x.ndim for a in ints_of(op.axes)))
    wrong = [a for a in axes if x.shape[a] != 1]
    if wrong:
        raise InferError(f"infer.squeeze axis {wrong[0]} has size {x.shape[wrong[0]]} at run time, not 1")
    return np.squeeze(x, axes)


@reference(ReshapeOp)
def _reshape(op: ReshapeOp, x: np.ndarray, shape: np.ndarray | None = None) -> np.ndarray:
    if shape is None:
        target = [-1 if d is None else d for d in dims_of(op.result.type)]
    else:
        target = [int(d) for d in shape.reshape(-1)]
        if any(d < -1 for d in target) or target.count(-1) > 1:
            raise InferError(f"infer.reshape shape {target} must hold sizes and at most one -1")
    if -1 in target:
        known = int(np.prod([d for d in target if d != -1]))
        if known == 0 or x.size % known:
            raise InferError(f"infer.reshape cannot reshape {list(x.shape)} to {target}")
        target[target.index(-1)] = x.size // known
    elif int(np.prod(target)) != x.size:
        raise InferError(f"infer.reshape cannot reshape {list(x.shape)} to {target}")
    return x.reshape(target)


@reference(FlattenOp)
def _flatten(op: FlattenOp, x: np.ndarray) -> np.ndarray:
    axis = int_of(op.axis)
    return x.reshape(int(np.prod(x.shape[:axis])), int(np.prod(x.shape[axis:])))


@reference(TransposeOp)
def _transpose(op: TransposeOp, x: np.ndarray) -> np.ndarray:
    return np.transpose(x, ints_of(op.perm))


@reference(ConcatOp)
def _concat(op: ConcatOp, *xs: np.ndarray) -> np.ndarray:
    return np.concatenate(xs, axis=int_of(op.axis))


@reference(SplitOp)
def _split(op: SplitOp, x: np.ndarray) -> list[np.ndarray]:
    axis = int_of(op.axis)
    size = x.shape[axis]
    sizes = list(ints_of(op.sizes)) if op.sizes is not None else SplitOp.piece_sizes(size, int_of(op.num_outputs))
    if sum(sizes) != size:
        raise InferError(f"infer.split sizes {sizes} do not add up to dim {axis} of size {size}")
    return np.split(x, np.cumsum(sizes)[:-1], axis=axis)


@reference(SliceOp)
def _slice(op: SliceOp, x: np.ndarray) -> np.ndarray:
    index = []
    for size, start, end, step in zip(x.shape, ints_of(op.starts), ints_of(op.ends), ints_of(op.steps), strict=True):
        first, stop, _ = slice_bounds(size, start, end, step)
        index.append(slice(first, None if stop < 0 else stop, step))
    return x[tuple(index)]


@reference(DynamicSliceOp)
def _dynamic_slice(op: DynamicSliceOp, x: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    index = []
    for size, start, end, step in zip(x.shape, starts, ends, ints_of(op.steps), strict=True):
        first, stop, _ = slice_bounds(size, int(start), int(end), step)
        index.append(slice(first, None if stop < 0 else stop, step))
    return x[tuple(index)]


@reference(GatherOp)
def _gather(op: GatherOp, data: np.ndarray, indices: np.ndarray) -> np.ndarray:
    axis = int_of(op.axis)
    size = data.shape[axis]
    if indices.size and (indices.min() < -size or indices.max() >= size):
        raise InferError(f"infer.gather index out of range [{-size}, {size}) along axis {axis}")
    return np.take(data, indices.astype(np.int64), axis=axis)


@reference(GatherElementsOp)
def _gather_elements(op: GatherElementsOp, data: np.ndarray, indices: np.ndarray) -> np.ndarray:
    axis = int_of(op.axis)
    size = data.shape[axis]
    indices = indices.astype(np.int64)
    if indices.size and (indices.min() < -size or indices.max() >= size):
        raise InferError(f"infer.gather_elements index out of range [{-size}, {size}) along axis {axis}")
    for i, (d, n) in enumerate(zip(data.shape, indices.shape, strict=True)):
        if i != axis and n > d:
            raise InferError(f"infer.gather_elements indices dim {i} ({n}) exceeds the data's ({d})")
    data = data[tuple(slice(0, n) if i != axis else slice(None) for i, n in enumerate(indices.shape))]
    return np.take_along_axis(data, np.where(indices < 0, indices + size, indices), axis=axis)


@reference(PadOp)
def _pad(op: PadOp, x: np.ndarray) -> np.ndarray:
    pads = ints_of(op.pads)
    rank = x.ndim
    crop = tuple(slice(max(-pads[i], 0), x.shape[i] - max(-pads[rank + i], 0)) for i in range(rank))
    x = x[crop]
    width = [(max(pads[i], 0), max(pads[rank + i], 0)) for i in range(rank)]
    if not any(b or e for b, e in width):
        return x
    mode = string_of(op.mode, "constant")
    if mode != "constant" and any((b or e) and x.shape[i] == 0 for i, (b, e) in enumerate(width)):
        raise InferError(f"infer.pad mode '{mode}' cannot pad an empty dim")
    if mode == "reflect":
        return np.pad(x, width, mode="reflect")
    if mode == "edge":
        return np.pad(x, width, mode="edge")
    if mode == "wrap":
        return np.pad(x, width, mode="wrap")
    return np.pad(x, width, mode="constant", constant_values=np.asarray(float_of(op.value)).astype(x.dtype))


# -- resize -------------------------------------------------------------------------------------


def _source_coordinates(
    mode: str, out: int, size: int, scale: np.float32, roi: tuple[float, float] | None
) -> np.ndarray:
    """The input coordinate of each output position along one dim (float32, as the scales are)."""
    x = np.arange(out, dtype=np.float32)
    half = np.float32(0.5)
    if mode == "half_pixel":
        return (x + half) / scale - half
    if mode == "half_pixel_symmetric":
        adjustment = np.float32(out) / (scale * np.float32(size))
        offset = np.float32(size) / np.float32(2) * (np.float32(1) - adjustment)
        return offset + (x + half) / scale - half
    if mode == "pytorch_half_pixel":
        return (x + half) / scale - half if out > 1 else np.zeros(out, np.float32)
    if mode == "align_corners":
        if out == 1:
            return np.zeros(out, np.float32)
        return x * np.float32(size - 1) / np.float32(out - 1)
    if mode == "asymmetric":
        return x / scale
    assert mode == "tf_crop_and_resize" and roi is not None
    begin, end = np.float32(roi[0]), np.float32(roi[1])
    if out == 1:
        return np.full(out, half * (begin + end) * np.float32(size - 1), np.float32)
    return begin * np.float32(size - 1) + x * (end - begin) * np.float32(size - 1) / np.float32(out - 1)


def _nearest_indices(coords: np.ndarray, nearest_mode: str, size: int) -> np.ndarray:
    floor = np.floor(coords)
    if nearest_mode == "floor":
        index = floor
    elif nearest_mode == "ceil":
        index = np.ceil(coords)
    else:
        away = np.sign(coords) * np.floor(np.abs(coords) + 0.5)  # round half away from zero
        index = np.where(coords == floor + 0.5, floor, away) if nearest_mode == "round_prefer_floor" else away
    return np.clip(index, 0, size - 1).astype(np.int64)


def _cubic_weights(s: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic kernel at the 4 taps around a point at fraction `s` past its floor."""
    d = np.stack([s + 1, s, 1 - s, 2 - s], axis=-1)
    near = ((a + 2) * d - (a + 3)) * d * d + 1
    far = ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return np.where(d <= 1, near, far)


def _along(values: np.ndarray, axis: int, rank: int) -> np.ndarray:
    """`values` of shape [out] or [out, taps] laid along `axis` of a rank-`rank` tensor."""
    return values.reshape((1,) * axis + values.shape + (1,) * (rank - axis - 1))


def _resample(x: np.ndarray, axis: int, coords: np.ndarray, op: ResizeOp) -> np.ndarray:
    size = x.shape[axis]
    mode = string_of(op.mode, "nearest")
    if mode == "nearest":
        return np.take(x, _nearest_indices(coords, string_of(op.nearest_mode, "round_prefer_floor"), size), axis=axis)
    if mode == "linear":
        c = np.clip(coords.astype(np.float64), 0, size - 1)
        low = np.minimum(np.floor(c), size - 1).astype(np.int64)
        high = np.minimum(low + 1, size - 1)
        w = c - low
        rank = x.ndim
        return np.take(x, low, axis=axis) * _along(1 - w, axis, rank) + np.take(x, high, axis=axis) * _along(
            w, axis, rank
        )
    c = coords.astype(np.float64)
    base = np.floor(c)
    weights = _cubic_weights(c - base, float_of(op.cubic_coeff_a, -0.75))
    taps = base.astype(np.int64)[:, None] + np.arange(-1, 3)
    if op.exclude_outside is not None:
        weights = np.where((taps < 0) | (taps >= size), 0.0, weights)
        total = weights.sum(axis=-1, keepdims=True)
        weights = weights / np.where(total == 0, 1.0, total)
    gathered = np.take(x, np.clip(taps, 0, size - 1), axis=axis)  # [..., out, 4, ...]
    return (gathered * _along(weights, axis, x.ndim)).sum(axis=axis + 1)


@reference(ResizeOp)
def _resize(op: ResizeOp, x: np.ndarray) -> np.ndarray:
    rank = x.ndim
    coordinate_mode = string_of(op.coordinate_mode, "half_pixel")
    scales = [float(s) for s in op.scales.get_values()] if op.scales is not None else None
    roi = [float(r) for r in op.roi.get_values()] if op.roi is not None else None
    if op.sizes is not None:
        out = [d if n == -1 else n for d, n in zip(x.shape, ints_of(op.sizes), strict=True)]
    else:
        assert scales is not None
        out = [int(np.float32(s) * np.float32(d)) for s, d in zip(scales, x.shape, strict=True)]
    mode = string_of(op.mode, "nearest")
    result = x if mode == "nearest" else x.astype(np.float64)
    outside = np.zeros(out, dtype=bool) if coordinate_mode == "tf_crop_and_resize" else None
    for axis in range(rank):
        size = x.shape[axis]
        if size == 0 and out[axis] > 0:
            raise InferError(f"infer.resize cannot resize an empty dim {axis} to {out[axis]}")
        scale = np.float32(scales[axis]) if scales is not None else np.float32(out[axis]) / np.float32(size or 1)
        axis_roi = (roi[axis], roi[rank + axis]) if roi is not None else None
        identity = out[axis] == size and scale == 1 and coordinate_mode != "tf_crop_and_resize"
        if identity or out[axis] == 0:
            result = np.take(result, np.arange(out[axis]), axis=axis) if out[axis] != size else result
            continue
        coords = _source_coordinates(coordinate_mode, out[axis], size, scale, axis_roi)
        if outside is not None:
            outside |= _along((coords < 0) | (coords > size - 1), axis, rank)
        result = _resample(result, axis, coords, op)
    if outside is not None and outside.any():
        result = np.where(outside, float_of(op.extrapolation_value), result)
    return result.astype(x.dtype, copy=False)


# -- shapes -------------------------------------------------------------------------------------


@reference(ShapeOfOp)
def _shape_of(op: ShapeOfOp, x: np.ndarray) -> np.ndarray:
    return np.asarray(x.shape[int_of(op.start) : int_of(op.end)], dtype=np.int64).reshape(-1)


@reference(BroadcastToOp)
def _broadcast_to(op: BroadcastToOp, x: np.ndarray, shape: np.ndarray) -> np.ndarray:
    target = [int(s) for s in shape.reshape(-1)]
    dims = []
    for i, (d, s) in enumerate(zip(x.shape, target, strict=True)):
        if d != 1 and s not in (1, d):
            raise InferError(f"infer.broadcast_to cannot stretch dim {i} of size {d} to {s}")
        dims.append(d if s == 1 else s)
    return np.broadcast_to(x, dims)


@reference(TileOp)
def _tile(op: TileOp, x: np.ndarray) -> np.ndarray:
    return np.tile(x, ints_of(op.repeats))


@reference(RangeOp)
def _range(op: RangeOp, start: np.ndarray, limit: np.ndarray, delta: np.ndarray) -> np.ndarray:
    if delta == 0:
        raise InferError("infer.range delta must not be 0")
    if np.issubdtype(start.dtype, np.integer):
        count = max(0, -(-(int(limit) - int(start)) // int(delta)))
    else:
        count = max(0, int(np.ceil((float(limit) - float(start)) / float(delta))))
    return (start + np.arange(count, dtype=start.dtype) * delta).astype(start.dtype)
