"""Semantics of the ops in `infer.dialects.infer.reduction`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from infer.dialects.infer.base import int_of
from infer.dialects.infer.reduction import (
    ArgMaxOp,
    ArgMinOp,
    HardmaxOp,
    LogSoftmaxOp,
    ReduceLogSumExpOp,
    ReduceMaxOp,
    ReduceMeanOp,
    ReduceMinOp,
    ReduceOp,
    ReduceProdOp,
    ReduceSumOp,
    SoftmaxOp,
)
from infer.runtime.interpreter import reference


def _axes(op: ReduceOp | SoftmaxOp | LogSoftmaxOp | HardmaxOp) -> tuple[int, ...]:
    return tuple(op.axes_list)


def _keep(op: ReduceOp) -> bool:
    return op.keepdims is not None


def _accumulator(dtype: np.dtype) -> np.dtype:
    """The type sums are accumulated in: f32 for narrower floats (the result is cast
    back to the op's type), the element type otherwise (integers wrap around)."""
    if np.issubdtype(dtype, np.floating) and dtype.itemsize < 4:
        return np.dtype(np.float32)
    return dtype


def _wide(x: np.ndarray) -> np.ndarray:
    return x.astype(_accumulator(x.dtype), copy=False)


@reference(ReduceSumOp)
def _reduce_sum(op: ReduceSumOp, x: np.ndarray) -> np.ndarray:
    return np.sum(x, axis=_axes(op), keepdims=_keep(op), dtype=_accumulator(x.dtype))


@reference(ReduceProdOp)
def _reduce_prod(op: ReduceProdOp, x: np.ndarray) -> np.ndarray:
    return np.prod(x, axis=_axes(op), keepdims=_keep(op), dtype=_accumulator(x.dtype))


@reference(ReduceMeanOp)
def _reduce_mean(op: ReduceMeanOp, x: np.ndarray) -> np.ndarray:
    axes = _axes(op)
    count = int(np.prod([x.shape[a] for a in axes]))
    total = np.sum(x, axis=axes, keepdims=_keep(op), dtype=_accumulator(x.dtype))
    if np.issubdtype(x.dtype, np.floating):
        with np.errstate(invalid="ignore"):
            return total / total.dtype.type(count) if count else np.full_like(total, np.nan)
    if count == 0:
        raise ValueError("integer mean of an empty set")
    # Integer mean: the quotient rounded towards zero (C's division).
    quotient = np.abs(total) // count
    return np.where(total < 0, -quotient, quotient).astype(x.dtype)


def _least(dtype: np.dtype) -> Any:
    if dtype == np.bool_:
        return np.False_
    return dtype.type(-np.inf) if np.issubdtype(dtype, np.floating) else np.iinfo(dtype).min


def _greatest(dtype: np.dtype) -> Any:
    if dtype == np.bool_:
        return np.True_
    return dtype.type(np.inf) if np.issubdtype(dtype, np.floating) else np.iinfo(dtype).max


@reference(ReduceMaxOp)
def _reduce_max(op: ReduceMaxOp, x: np.ndarray) -> np.ndarray:
    return np.max(x, axis=_axes(op), keepdims=_keep(op), initial=_least(x.dtype))


@reference(ReduceMinOp)
def _reduce_min(op: ReduceMinOp, x: np.ndarray) -> np.ndarray:
    return np.min(x, axis=_axes(op), keepdims=_keep(op), initial=_greatest(x.dtype))


def _finite_max(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """The maximum over `axes` (kept as dims of size 1), 0 where it is infinite."""
    peak = np.max(x, axis=axes, keepdims=True, initial=x.dtype.type(-np.inf))
    return np.where(np.isinf(peak), x.dtype.type(0), peak)


@reference(ReduceLogSumExpOp)
def _reduce_log_sum_exp(op: ReduceLogSumExpOp, x: np.ndarray) -> np.ndarray:
    axes, x = _axes(op), _wide(x)
    shift = _finite_max(x, axes)
    with np.errstate(divide="ignore"):
        y = np.log(np.sum(np.exp(x - shift), axis=axes, keepdims=True)) + shift
    return y if _keep(op) else np.squeeze(y, axes)


def _arg_extremum(op: ArgMaxOp | ArgMinOp, x: np.ndarray, pick: Callable[..., np.ndarray]) -> np.ndarray:
    axis = int_of(op.axis)
    if op.select_last_index is not None:
        flipped = np.flip(x, axis)
        index = x.shape[axis] - 1 - pick(flipped, axis=axis, keepdims=True)
    else:
        index = pick(x, axis=axis, keepdims=True)
    index = index.astype(np.int64)
    return index if op.keepdims is not None else np.squeeze(index, axis)


@reference(ArgMaxOp)
def _arg_max(op: ArgMaxOp, x: np.ndarray) -> np.ndarray:
    return _arg_extremum(op, x, np.argmax)


@reference(ArgMinOp)
def _arg_min(op: ArgMinOp, x: np.ndarray) -> np.ndarray:
    return _arg_extremum(op, x, np.argmin)


def _shifted(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    return x - np.max(x, axis=axes, keepdims=True, initial=x.dtype.type(-np.inf))


@reference(SoftmaxOp)
def _softmax(op: SoftmaxOp, x: np.ndarray) -> np.ndarray:
    """As the decomposition computes it: each step in the element type, the sum
    accumulated in f32 for narrower floats (so f16 results equal the C target's)."""
    axes = _axes(op)
    with np.errstate(invalid="ignore"):
        e = np.exp(_shifted(x, axes))
        return e / _sum(e, axes)


def _sum(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """`reduce_sum` keeping dims: accumulated as `_accumulator` says, cast back."""
    return np.sum(x, axis=axes, keepdims=True, dtype=_accumulator(x.dtype)).astype(x.dtype, copy=False)


@reference(LogSoftmaxOp)
def _log_softmax(op: LogSoftmaxOp, x: np.ndarray) -> np.ndarray:
    """As the decomposition computes it (see `_softmax`)."""
    axes = _axes(op)
    with np.errstate(invalid="ignore", divide="ignore"):
        shifted = _shifted(x, axes)
        return shifted - np.log(_sum(np.exp(shifted), axes))


@reference(HardmaxOp)
def _hardmax(op: HardmaxOp, x: np.ndarray) -> np.ndarray:
    axes = _axes(op)
    rest = [a for a in range(x.ndim) if a not in axes]
    # Move the axes last and flatten them: the first maximum in row-major order.
    moved = np.transpose(x, [*rest, *axes])
    flat = moved.reshape(*moved.shape[: len(rest)], -1)
    one_hot = np.zeros_like(flat)
    if flat.shape[-1]:
        np.put_along_axis(one_hot, np.argmax(flat, axis=-1)[..., None], 1, axis=-1)
    return np.transpose(one_hot.reshape(moved.shape), np.argsort([*rest, *axes]))
