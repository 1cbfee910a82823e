"""Semantics of the ops in `infer.dialects.infer.indexing`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from infer.diagnostics import InferError
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
from infer.runtime.interpreter import reference


def _run_time_axis(op: CumulativeOp, x: np.ndarray, axis: np.ndarray | None) -> int:
    if axis is None:
        return int_of(op.axis)
    value = int(axis.reshape(-1)[0])
    if not -x.ndim <= value < x.ndim:
        raise InferError(f"{op.name} axis {value} is out of range for rank {x.ndim}")
    return value % x.ndim


def _cumulative(
    op: CumulativeOp, x: np.ndarray, axis_value: np.ndarray | None, accumulate: Callable[..., np.ndarray], identity: int
) -> np.ndarray:
    axis = _run_time_axis(op, x, axis_value)
    if op.reverse is not None:
        x = np.flip(x, axis)
    with np.errstate(over="ignore", invalid="ignore"):
        y = accumulate(x, axis=axis, dtype=x.dtype)
    if op.exclusive is not None:
        # Each position takes the total of the ones before it: shift by one, the identity first.
        first = np.full_like(np.take(y, [0], axis=axis), identity)
        y = np.concatenate([first, np.delete(y, -1, axis=axis)], axis=axis)
    return np.flip(y, axis) if op.reverse is not None else y


@reference(CumSumOp)
def _cumsum(op: CumSumOp, x: np.ndarray, axis: np.ndarray | None = None) -> np.ndarray:
    return _cumulative(op, x, axis, np.cumsum, 0)


@reference(CumProdOp)
def _cumprod(op: CumProdOp, x: np.ndarray, axis: np.ndarray | None = None) -> np.ndarray:
    return _cumulative(op, x, axis, np.cumprod, 1)


def _checked(name: str, indices: np.ndarray, sizes: np.ndarray | int, what: str) -> np.ndarray:
    """Indices with negative ones counted from the end; an error for any outside `[-size, size)`."""
    indices = indices.astype(np.int64)
    if indices.size and (np.any(indices < -sizes) or np.any(indices >= sizes)):
        raise InferError(f"{name} index out of range for {what}")
    return np.where(indices < 0, indices + sizes, indices)


@reference(GatherNDOp)
def _gather_nd(op: GatherNDOp, data: np.ndarray, indices: np.ndarray) -> np.ndarray:
    b = int_of(op.batch_dims)
    depth = indices.shape[-1]
    batch = data.shape[:b]
    if indices.shape[:b] != batch:
        raise InferError(f"infer.gather_nd batch dims differ: {list(batch)} and {list(indices.shape[:b])}")
    tuples = _checked(op.name, indices, np.asarray(data.shape[b : b + depth]), f"data dims {list(data.shape)}")
    count = int(np.prod(batch, dtype=np.int64))
    flat_data = data.reshape(count, *data.shape[b:])
    flat_tuples = tuples.reshape(count, -1, depth)
    slices = [flat_data[n][tuple(flat_tuples[n].T)] for n in range(count)]
    gathered = np.stack(slices) if slices else np.zeros((0, flat_tuples.shape[1], *data.shape[b + depth :]))
    return gathered.reshape(*indices.shape[:-1], *data.shape[b + depth :]).astype(data.dtype)


_COMBINE: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "add": np.add,
    "mul": np.multiply,
    "max": np.maximum,
    "min": np.minimum,
}


def _combine(reduction: str, old: np.ndarray, new: np.ndarray) -> np.ndarray:
    if reduction == "none":
        return new
    with np.errstate(over="ignore", invalid="ignore"):
        return _COMBINE[reduction](old, new)


@reference(ScatterNDOp)
def _scatter_nd(op: ScatterNDOp, data: np.ndarray, indices: np.ndarray, updates: np.ndarray) -> np.ndarray:
    reduction = string_of(op.reduction, "none")
    depth = indices.shape[-1]
    tuples = _checked(op.name, indices, np.asarray(data.shape[:depth]), f"data dims {list(data.shape)}")
    result = data.copy()
    tuples = tuples.reshape(-1, depth)
    slices = updates.reshape(len(tuples), *data.shape[depth:])
    # In row-major order of the indices: with "none", the last of duplicated tuples wins.
    for where, update in zip(tuples, slices, strict=True):
        at = tuple(int(i) for i in where)
        result[at] = _combine(reduction, result[at], update)
    return result


@reference(ScatterElementsOp)
def _scatter_elements(op: ScatterElementsOp, data: np.ndarray, indices: np.ndarray, updates: np.ndarray) -> np.ndarray:
    axis, reduction = int_of(op.axis), string_of(op.reduction, "none")
    for i, (d, n) in enumerate(zip(data.shape, indices.shape, strict=True)):
        if i != axis and n > d:
            raise InferError(f"infer.scatter_elements indices dim {i} ({n}) exceeds the data's ({d})")
    positions = _checked(op.name, indices, data.shape[axis], f"axis {axis} of size {data.shape[axis]}")
    result = data.copy()
    for source in np.ndindex(*indices.shape):
        target = tuple(int(positions[source]) if k == axis else i for k, i in enumerate(source))
        result[target] = _combine(reduction, result[target], updates[source])
    return result


@reference(TopKOp)
def _top_k(op: TopKOp, x: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    axis = int_of(op.axis)
    count = int(k.reshape(-1)[0])
    if not 0 <= count <= x.shape[axis]:
        raise InferError(f"infer.top_k k = {count} is outside [0, {x.shape[axis]}] (the size of axis {axis})")
    # A stable ascending sort keeps equal values in index order and puts NaN last (above every
    # number). For the largest first: sort the reversed axis, then reverse the order back.
    if op.largest is not None:
        n = x.shape[axis]
        order = np.flip(n - 1 - np.argsort(np.flip(x, axis), axis=axis, kind="stable"), axis)
    else:
        order = np.argsort(x, axis=axis, kind="stable")
    order = np.take(order, np.arange(count), axis=axis)
    return np.take_along_axis(x, order, axis=axis), order.astype(np.int64)
