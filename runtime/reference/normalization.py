"""Semantics of the ops in `infer.dialects.infer.normalization`."""

from __future__ import annotations

import numpy as np

from infer.dialects.infer.base import float_of, string_of
from infer.dialects.infer.nn import channel_axis, spatial_axes
from infer.dialects.infer.normalization import BatchNormOp, InstanceNormOp, LayerNormOp
from infer.runtime.interpreter import reference


def _per_channel(p: np.ndarray, axis: int, rank: int) -> np.ndarray:
    shape = [1] * rank
    shape[axis] = -1
    return p.reshape(shape)


@reference(BatchNormOp)
def _batch_norm(
    op: BatchNormOp, x: np.ndarray, scale: np.ndarray, bias: np.ndarray, mean: np.ndarray, var: np.ndarray
) -> np.ndarray:
    axis = channel_axis(string_of(op.layout, "nchw"), x.ndim)
    eps = x.dtype.type(float_of(op.epsilon))
    factor = scale / np.sqrt(var + eps)
    shift = bias - mean * factor
    return x * _per_channel(factor, axis, x.ndim) + _per_channel(shift, axis, x.ndim)


@reference(InstanceNormOp)
def _instance_norm(op: InstanceNormOp, x: np.ndarray, scale: np.ndarray, bias: np.ndarray) -> np.ndarray:
    layout = string_of(op.layout, "nchw")
    axis, spatial = channel_axis(layout, x.ndim), tuple(spatial_axes(layout, x.ndim))
    mean = np.mean(x, axis=spatial, keepdims=True)
    centered = x - mean
    var = np.mean(centered * centered, axis=spatial, keepdims=True)
    factor = _per_channel(scale, axis, x.ndim) / np.sqrt(var + x.dtype.type(float_of(op.epsilon)))
    return centered * factor + _per_channel(bias, axis, x.ndim)


@reference(LayerNormOp)
def _layer_norm(op: LayerNormOp, x: np.ndarray, scale: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    axes = tuple(op.normalized_axes)
    # Statistics in f32 at least (ONNX's stash_type), the affine part in the input's type.
    wide = x.astype(np.float32) if x.dtype.itemsize < 4 else x
    mean = np.mean(wide, axis=axes, keepdims=True)
    centered = wide - mean
    var = np.mean(centered * centered, axis=axes, keepdims=True)
    normalized = (centered / np.sqrt(var + wide.dtype.type(float_of(op.epsilon)))).astype(x.dtype)
    y = normalized * scale
    return y if bias is None else y + bias
