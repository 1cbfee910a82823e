"""Semantics of the ops in `infer.dialects.infer.transformer`."""

from __future__ import annotations

import numpy as np

from infer.dialects.dtypes import to_numpy
from infer.dialects.infer.base import float_of, int_of, string_of
from infer.dialects.infer.transformer import (
    AttentionOp,
    GroupNormOp,
    RmsNormOp,
    RotaryEmbeddingOp,
    causal_offset_allowed,
)
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


def _product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`a @ b` in f32 at least, in `a`'s type."""
    return np.matmul(_wide(a), _wide(b)).astype(a.dtype)


@reference(AttentionOp)
def _attention(
    op: AttentionOp, q: np.ndarray, k: np.ndarray, v: np.ndarray, bias: np.ndarray | None = None
) -> np.ndarray:
    dtype = q.dtype.type
    repeats = q.shape[1] // k.shape[1]
    k, v = np.repeat(k, repeats, axis=1), np.repeat(v, repeats, axis=1)
    root = dtype(np.sqrt(float_of(op.scale)))
    scores = _product(q * root, np.swapaxes(k * root, 2, 3))
    softcap = float_of(op.softcap, 0.0)
    if softcap > 0:
        scores = np.tanh(scores / dtype(softcap)) * dtype(softcap)
    causal = string_of(op.causal, "none")
    if causal != "none":
        allowed = causal_offset_allowed(causal, q.shape[2], k.shape[2])
        mask = np.where(allowed, dtype(0), dtype(-np.inf))
        bias = mask if bias is None else bias + mask
    if bias is not None:
        scores = scores + bias
    if op.softmax_type is not None:
        scores = scores.astype(to_numpy(op.softmax_type))
    with np.errstate(invalid="ignore"):
        shifted = scores - np.max(scores, axis=3, keepdims=True)
        e = np.exp(shifted)
        weights = e / np.sum(e, axis=3, keepdims=True)
    if bias is not None:
        blind = np.max(np.broadcast_to(bias, scores.shape), axis=3, keepdims=True) == -np.inf
        weights = np.where(blind, weights.dtype.type(0), weights)
    return _product(weights.astype(q.dtype), v)
