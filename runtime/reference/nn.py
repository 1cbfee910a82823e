"""Semantics of the neural-network ops: convolutions, pooling, local response normalization.

Everything works channels first (`[N, C, spatial...]`); an `"nhwc"` operand is
viewed that way and the result moved back. Convolutions gather the input one
kernel tap at a time (a strided view of the padded input per tap), so memory
stays bounded by about `CHUNK_BYTES` whatever the input size: a convolution
is an im2col matrix product over chunks of output rows; a depthwise one (one
input channel per group) and pooling are sums or maxima of the tap views.
Half-precision inputs are computed in f32 and rounded once at the end.

A convolution's (or gemm's) epilogue activation is applied last, in the
result's dtype, by `apply_epilogue`, with the same expressions as the
standalone ops' semantics: a fused op gives the same bits as the unfused pair.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import product

import numpy as np

from infer.dialects.infer.base import float_of, int_of, ints_of, string_of
from infer.dialects.infer.epilogue import Epilogue, optional_operands
from infer.dialects.infer.nn import (
    AvgPoolOp,
    ConvOp,
    ConvTransposeOp,
    LpPoolOp,
    LrnOp,
    MaxPoolOp,
    MaxPoolWithIndicesOp,
    MaxUnpoolOp,
    PoolOp,
    transposed_output_dim,
    window_output_dim,
)
from infer.runtime.interpreter import reference
from infer.runtime.reference.activation import hard_sigmoid
from infer.runtime.reference.elementwise import erf, sigmoid

CHUNK_BYTES = 32 << 20
"""Upper bound of the im2col buffer of one convolution chunk."""


def to_channels_first(x: np.ndarray, layout: str) -> np.ndarray:
    return x if layout == "nchw" else np.moveaxis(x, -1, 1)


def from_channels_first(x: np.ndarray, layout: str) -> np.ndarray:
    return x if layout == "nchw" else np.moveaxis(x, 1, -1)


def compute_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype to accumulate in: f32 for narrower floats, else the dtype itself."""
    if dtype.kind == "f" and dtype.itemsize < 4:
        return np.dtype(np.float32)
    return dtype


def pad_spatial(x: np.ndarray, begins: Sequence[int], ends: Sequence[int], value: float | int = 0) -> np.ndarray:
    """`x` with its spatial dims (2...) padded by `value`; `x` itself when no pad is needed."""
    if not any(begins) and not any(ends):
        return x
    width = [(0, 0), (0, 0), *zip(begins, ends, strict=True)]
    return np.pad(x, width, constant_values=value)


def tap_view(
    padded: np.ndarray, tap: Sequence[int], out: Sequence[int], strides: Sequence[int], dilations: Sequence[int]
) -> np.ndarray:
    """The input element that kernel tap `tap` reads for every output position:
    a strided view `[N, C, out...]` of the padded input."""
    index = tuple(
        slice(t * d, t * d + (o - 1) * s + 1, s) for t, o, s, d in zip(tap, out, strides, dilations, strict=True)
    )
    return padded[(slice(None), slice(None), *index)]


def conv_nchw(
    x: np.ndarray,
    w: np.ndarray,
    strides: Sequence[int],
    dilations: Sequence[int],
    pads: Sequence[int],
    groups: int,
) -> np.ndarray:
    """Grouped N-d cross-correlation of channels-first `x` with `w` `[O, C/groups, k...]`."""
    n = w.ndim - 2
    kernel = w.shape[2:]
    batch, channels = x.shape[:2]
    out_channels = w.shape[0]
    cg, og = channels // groups, out_channels // groups
    out = [
        window_output_dim(x.shape[2 + i], kernel[i], strides[i], dilations[i], pads[i], pads[n + i]) or 0
        for i in range(n)
    ]
    padded = pad_spatial(x, pads[:n], pads[n:])
    taps = list(product(*(range(k) for k in kernel)))
    if cg == 1:
        # Depthwise: each output channel reads one input channel; no matrix product.
        y = np.zeros((batch, groups, og, *out), x.dtype)
        wt = w.reshape(groups, og, len(taps))
        for k, tap in enumerate(taps):
            view = tap_view(padded, tap, out, strides, dilations)
            y += wt[:, :, k].reshape(1, groups, og, *[1] * n) * view[:, :, None]
        return y.reshape(batch, out_channels, *out)
    wg = w.reshape(groups, og, cg * len(taps))
    if len(taps) == 1 and padded is x and all(s == 1 for s in strides):
        y = np.matmul(wg, x.reshape(batch, groups, cg, -1))
        return y.reshape(batch, out_channels, *out)
    y = np.empty((batch, groups, og, *out), x.dtype)
    rest = int(np.prod(out[1:], dtype=np.int64))
    row_bytes = max(1, batch * channels * len(taps) * rest * x.dtype.itemsize)
    chunk = max(1, CHUNK_BYTES // row_bytes)
    for r0 in range(0, out[0], chunk):
        r1 = min(out[0], r0 + chunk)
        rows = [r1 - r0, *out[1:]]
        cols = np.empty((batch, channels, len(taps), *rows), x.dtype)
        shifted = padded[:, :, r0 * strides[0] :]
        for k, tap in enumerate(taps):
            cols[:, :, k] = tap_view(shifted, tap, rows, strides, dilations)
        part = np.matmul(wg, cols.reshape(batch, groups, cg * len(taps), -1))
        y[:, :, :, r0:r1] = part.reshape(batch, groups, og, *rows)
    return y.reshape(batch, out_channels, *out)


def conv_transpose_nchw(
    x: np.ndarray,
    w: np.ndarray,
    strides: Sequence[int],
    dilations: Sequence[int],
    pads: Sequence[int],
    output_padding: Sequence[int],
    groups: int,
) -> np.ndarray:
    """Grouped N-d transposed convolution of channels-first `x` with `w` `[C, O/groups, k...]`:
    each tap scatters a matrix product into a strided slice of the output."""
    n = w.ndim - 2
    kernel = w.shape[2:]
    batch, channels = x.shape[:2]
    sizes = x.shape[2:]
    cg, og = channels // groups, w.shape[1]
    out = [
        transposed_output_dim(sizes[i], kernel[i], strides[i], dilations[i], pads[i], pads[n + i], output_padding[i])
        or 0
        for i in range(n)
    ]
    taps = list(product(*(range(k) for k in kernel)))
    y = np.zeros((batch, groups, og, *out), x.dtype)
    xg = x.reshape(batch, groups, cg, -1)
    # [C, Og, taps] -> [groups, taps, Og, Cg]: one matrix per (group, tap).
    wt = np.ascontiguousarray(w.reshape(groups, cg, og, len(taps)).transpose(0, 3, 2, 1))
    for k, tap in enumerate(taps):
        src: list[slice] = [slice(None)] * 3
        dst: list[slice] = [slice(None)] * 3
        for t, size, o, s, d, pb in zip(tap, sizes, out, strides, dilations, pads[:n], strict=True):
            # Input i reaches output i * s + t * d - pb; keep the i that land in [0, o).
            i0 = max(0, -(-(pb - t * d) // s))
            i1 = min(size, (o - 1 + pb - t * d) // s + 1)
            if i1 <= i0:
                break
            start = i0 * s + t * d - pb
            src.append(slice(i0, i1))
            dst.append(slice(start, start + (i1 - i0 - 1) * s + 1, s))
        else:
            part = np.matmul(wt[:, k], xg).reshape(batch, groups, og, *sizes)
            y[tuple(dst)] += part[tuple(src)]
    return y.reshape(batch, groups * og, *out)


def _float_operands(*arrays: np.ndarray | None) -> tuple[np.dtype, list[np.ndarray | None]]:
    dtype = next(a for a in arrays if a is not None).dtype
    work = compute_dtype(dtype)
    return dtype, [None if a is None else a.astype(work, copy=False) for a in arrays]


def _add_bias(y: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    if b is None:
        return y
    return y + b.reshape(1, -1, *[1] * (y.ndim - 2))


def _clip_bound(bound: float, dtype: np.dtype) -> np.ndarray:
    """A clip bound in `dtype`, saturating for integers (as `infer.clip`'s semantics)."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return np.asarray(min(max(int(bound), int(info.min)), int(info.max))).astype(dtype)
    return np.asarray(bound).astype(dtype)


def _gelu(x: np.ndarray, approximate: bool) -> np.ndarray:
    half = np.asarray(0.5, x.dtype)
    if approximate:
        inner = np.asarray(math.sqrt(2 / math.pi), x.dtype) * (x + np.asarray(0.044715, x.dtype) * x * x * x)
        return half * x * (np.ones((), x.dtype) + np.tanh(inner))
    return half * x * (np.ones((), x.dtype) + erf(x * np.asarray(math.sqrt(0.5), x.dtype)))


ACTIVATION_SEMANTICS: dict[str, Callable[[np.ndarray, tuple[float, ...]], np.ndarray]] = {
    "relu": lambda x, p: np.maximum(x, np.zeros((), x.dtype)),
    "clip": lambda x, p: np.clip(x, _clip_bound(p[0], x.dtype), _clip_bound(p[1], x.dtype)),
    "leaky_relu": lambda x, p: np.where(x < 0, x * np.asarray(p[0], x.dtype), x),
    "sigmoid": lambda x, p: sigmoid(x),
    "hard_sigmoid": lambda x, p: hard_sigmoid(x, p[0], p[1]),
    "hard_swish": lambda x, p: x * hard_sigmoid(x, 1 / 6, 0.5),
    "silu": lambda x, p: x * sigmoid(x),
    "tanh": lambda x, p: np.tanh(x),
    "gelu": lambda x, p: _gelu(x, approximate=False),
    "gelu_tanh": lambda x, p: _gelu(x, approximate=True),
}
"""Numpy semantics of each epilogue activation (`infer.dialects.infer.epilogue.ACTIVATIONS`)."""


def apply_epilogue(y: np.ndarray, epilogue: Epilogue | None) -> np.ndarray:
    """`y` with the epilogue's activation applied in `y`'s dtype (`y` itself without one)."""
    if epilogue is None:
        return y
    with np.errstate(all="ignore"):
        return ACTIVATION_SEMANTICS[epilogue.activation](y, epilogue.params).astype(y.dtype, copy=False)


def add_residual(y: np.ndarray, residual: np.ndarray | None) -> np.ndarray:
    """`y + residual` in `y`'s dtype (the fused `infer.add`), `y` itself without one."""
    if residual is None:
        return y
    with np.errstate(all="ignore"):
        return (y + residual).astype(y.dtype, copy=False)


@reference(ConvOp)
def _conv(op: ConvOp, x: np.ndarray, w: np.ndarray, *rest: np.ndarray) -> np.ndarray:
    b, r = optional_operands(op, ("bias", "residual"), rest)
    layout = string_of(op.layout, "nchw")
    dtype, (xf, wf, bf) = _float_operands(x, w, b)  # type: ignore[arg-type]
    assert xf is not None and wf is not None
    y = conv_nchw(
        to_channels_first(xf, layout),
        wf,
        ints_of(op.strides),
        ints_of(op.dilations),
        ints_of(op.pads),
        int_of(op.groups, 1),
    )
    y = from_channels_first(_add_bias(y, bf).astype(dtype, copy=False), layout)
    return apply_epilogue(add_residual(y, r), op.epilogue)  # type: ignore[arg-type]


@reference(ConvTransposeOp)
def _conv_transpose(op: ConvTransposeOp, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    layout = string_of(op.layout, "nchw")
    dtype, (xf, wf, bf) = _float_operands(x, w, b)
    assert xf is not None and wf is not None
    y = conv_transpose_nchw(
        to_channels_first(xf, layout),
        wf,
        ints_of(op.strides),
        ints_of(op.dilations),
        ints_of(op.pads),
        ints_of(op.output_padding),
        int_of(op.groups, 1),
    )
    return from_channels_first(apply_epilogue(_add_bias(y, bf).astype(dtype, copy=False), op.epilogue), layout)


def _lowest(dtype: np.dtype) -> float | int:
    return -np.inf if dtype.kind == "f" else int(np.iinfo(dtype).min)


def _windows(
    sizes: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    pads: Sequence[int],
    ceil_mode: bool,
) -> tuple[list[int], list[int]]:
    """The output length of each spatial dim of a pooling op, and the end padding
    that makes every window fit (a ceil-mode window may reach past the end pad)."""
    n = len(kernel)
    out = [
        window_output_dim(sizes[i], kernel[i], strides[i], dilations[i], pads[i], pads[n + i], ceil_mode) or 0
        for i in range(n)
    ]
    ends = [
        max(pads[n + i], (out[i] - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 - sizes[i] - pads[i])
        for i in range(n)
    ]
    return out, ends


def pool_nchw(
    x: np.ndarray,
    *,
    kind: str,
    kernel: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    pads: Sequence[int],
    ceil_mode: bool,
    count_include_pad: bool = False,
    p: float = 2.0,
) -> np.ndarray:
    """Pooling of a channels-first `x`: `kind` "max", "avg" or "lp" (see
    `infer.max_pool`, `infer.avg_pool`, `infer.lp_pool`)."""
    n = len(kernel)
    sizes = x.shape[2:]
    out, ends = _windows(sizes, kernel, strides, dilations, pads, ceil_mode)
    maximum = kind == "max"
    work = x.dtype if maximum else compute_dtype(x.dtype)
    if kind == "lp":
        x = np.abs(x.astype(work, copy=False)) ** p
    padded = pad_spatial(x, pads[:n], ends, _lowest(x.dtype) if maximum else 0)
    acc: np.ndarray | None = None
    for tap in product(*(range(k) for k in kernel)):
        view = tap_view(padded, tap, out, strides, dilations)
        if acc is None:
            acc = view.astype(work, copy=True)
        elif maximum:
            np.maximum(acc, view, out=acc)
        else:
            acc += view
    assert acc is not None
    if maximum:
        return acc
    if kind == "lp":
        return acc ** (1 / p)
    divisor = np.ones([1] * (n + 2), acc.dtype)
    for i in range(n):
        # Position of tap t of window o, in input coordinates; count those in range.
        positions = np.arange(out[i])[:, None] * strides[i] - pads[i] + np.arange(kernel[i])[None, :] * dilations[i]
        lo, hi = (-pads[i], sizes[i] + pads[n + i]) if count_include_pad else (0, sizes[i])
        count = ((positions >= lo) & (positions < hi)).sum(axis=1).astype(acc.dtype)
        divisor = divisor * count.reshape([1, 1] + [-1 if j == i else 1 for j in range(n)])
    with np.errstate(divide="ignore", invalid="ignore"):
        return (acc / divisor).astype(x.dtype, copy=False)


def _pool(op: PoolOp, x: np.ndarray, kind: str, count_include_pad: bool = False, p: float = 2.0) -> np.ndarray:
    layout = string_of(op.layout, "nchw")
    y = pool_nchw(
        to_channels_first(x, layout),
        kind=kind,
        kernel=ints_of(op.kernel),
        strides=ints_of(op.strides),
        dilations=ints_of(op.dilations),
        pads=ints_of(op.pads),
        ceil_mode=op.ceil_mode is not None,
        count_include_pad=count_include_pad,
        p=p,
    )
    return from_channels_first(y.astype(x.dtype, copy=False), layout)


@reference(MaxPoolOp)
def _max_pool(op: MaxPoolOp, x: np.ndarray) -> np.ndarray:
    return _pool(op, x, "max")


@reference(MaxPoolWithIndicesOp)
def _max_pool_with_indices(op: MaxPoolWithIndicesOp, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    kernel, strides, dilations, pads = (list(ints_of(a)) for a in (op.kernel, op.strides, op.dilations, op.pads))
    n, sizes = len(kernel), x.shape[2:]
    out, ends = _windows(sizes, kernel, strides, dilations, pads, op.ceil_mode is not None)
    # Flattened index of every input element (the spatial part in the order asked for).
    spatial: np.ndarray = np.arange(math.prod(sizes), dtype=np.int64)
    if op.column_major is not None:
        spatial = spatial.reshape(sizes[::-1]).transpose()
    planes = np.arange(x.shape[0] * x.shape[1], dtype=np.int64).reshape(x.shape[:2] + (1,) * n)
    flat = planes * math.prod(sizes) + spatial.reshape(sizes)
    padded = pad_spatial(x, pads[:n], ends, _lowest(x.dtype))
    padded_flat = pad_spatial(flat, pads[:n], ends, -1)
    best = np.full([*x.shape[:2], *out], _lowest(x.dtype), x.dtype)
    index = np.full(best.shape, -1, np.int64)
    for tap in product(*(range(k) for k in kernel)):
        value = tap_view(padded, tap, out, strides, dilations)
        where = tap_view(padded_flat, tap, out, strides, dilations)
        better = value > best
        if x.dtype.kind == "f":
            better |= np.isnan(value) & ~np.isnan(best)
        better = (where >= 0) & (better | (index < 0))
        best = np.where(better, value, best)
        index = np.where(better, where, index)
    return best, index


@reference(MaxUnpoolOp)
def _max_unpool(op: MaxUnpoolOp, x: np.ndarray, indices: np.ndarray) -> np.ndarray:
    shape = tuple(d for d in result_dims(op, x))
    y = np.zeros(shape, x.dtype)
    flat = indices.reshape(-1)
    if flat.size and (flat.min() < 0 or flat.max() >= y.size):
        raise ValueError(f"infer.max_unpool: an index is outside the result of shape {list(shape)}")
    y.reshape(-1)[flat] = x.reshape(-1)
    return y


def result_dims(op: MaxUnpoolOp, x: np.ndarray) -> list[int]:
    """The result dims of `infer.max_unpool` for an input `x`."""
    kernel, strides, pads = (list(ints_of(a)) for a in (op.kernel, op.strides, op.pads))
    n = len(kernel)
    if op.output_spatial is not None:
        spatial = list(ints_of(op.output_spatial))
    else:
        spatial = [(d - 1) * strides[i] + kernel[i] - pads[i] - pads[n + i] for i, d in enumerate(x.shape[2:])]
    return [*x.shape[:2], *spatial]


@reference(AvgPoolOp)
def _avg_pool(op: AvgPoolOp, x: np.ndarray) -> np.ndarray:
    return _pool(op, x, "avg", count_include_pad=op.count_include_pad is not None)


@reference(LpPoolOp)
def _lp_pool(op: LpPoolOp, x: np.ndarray) -> np.ndarray:
    return _pool(op, x, "lp", p=float_of(op.p, 2.0))


@reference(LrnOp)
def _lrn(op: LrnOp, x: np.ndarray) -> np.ndarray:
    layout = string_of(op.layout, "nchw")
    size = int_of(op.size)
    xf = to_channels_first(x.astype(compute_dtype(x.dtype), copy=False), layout)
    channels = xf.shape[1]
    before = (size - 1) // 2
    square = xf * xf
    square_sum = np.zeros_like(square)
    for offset in range(-before, size - before):
        # Channel c gathers channel c + offset, where that exists.
        lo, hi = max(0, -offset), min(channels, channels - offset)
        if lo < hi:
            square_sum[:, lo:hi] += square[:, lo + offset : hi + offset]
    alpha, beta, bias = float_of(op.alpha), float_of(op.beta), float_of(op.bias)
    y = xf / (bias + alpha / size * square_sum) ** beta
    return from_channels_first(y, layout).astype(x.dtype, copy=False)
