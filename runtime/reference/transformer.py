"""Semantics of the ops in `infer.dialects.infer.transformer`."""

from __future__ import annotations

import numpy as np

from infer.dialects.infer.base import float_of, int_of
from infer.dialects.infer.transformer import GroupNormOp, RmsNormOp, RotaryEmbeddingOp
from infer.runtime.interpreter import reference


def _wide(x: np.ndarray) -> np.ndarray:
    """`x` in f32 at least: statistics of f16/bf16 inputs are computed in f32."""
    return x.astype(np.float32) if x.dtype.itemsize < 4 else x


@reference(RmsNormOp)
def _rms_norm(op: RmsNormOp, x: np.ndarray, scale: np.ndarray) -> np.ndarray:
    wide = _wide(x)
    square_mean = np.mean(wide * wide, axis=tuple(op.normalized_axes), keepdims=True)
    inv = np.reciprocal(np.sqrt(square_mean + wide.dtype.type(float_of(op.epsilon))))
    return (wide * inv).astype(x.dtype) * scale


@reference(GroupNormOp)
def _group_norm(op: GroupNormOp, x: np.ndarray, scale: np.ndarray, bias: np.ndarray) -> np.ndarray:
    groups = int_of(op.num_groups)
    wide = _wide(x)
    grouped = wide.reshape(x.shape[0], groups, -1)
    mean = np.mean(grouped, axis=2, keepdims=True)
    centered = grouped - mean
    var = np.mean(centered * centered, axis=2, keepdims=True)
    normalized = (centered / np.sqrt(var + wide.dtype.type(float_of(op.epsilon)))).reshape(x.shape).astype(x.dtype)
    per_channel = [1, -1] + [1] * (x.ndim - 2)
    return normalized * scale.reshape(per_channel) + bias.reshape(per_channel)


@reference(RotaryEmbeddingOp)
def _rotary_embedding(op: RotaryEmbeddingOp, x: np.ndarray, cos: np.ndarray, sin: np.ndarray) -> np.ndarray:
    rotary = int_of(op.rotary_dim)
    rotated = x[..., :rotary]
    if op.interleaved is not None:
        first, second = rotated[..., 0::2], rotated[..., 1::2]
    else:
        first, second = rotated[..., : rotary // 2], rotated[..., rotary // 2 :]
    real = first * cos - second * sin
    imag = first * sin + second * cos
    if op.interleaved is not None:
        rotated = np.stack([real, imag], axis=-1).reshape(real.shape[:-1] + (rotary,))
    else:
        rotated = np.concatenate([real, imag], axis=-1)
    return np.concatenate([rotated, x[..., rotary:]], axis=-1)
