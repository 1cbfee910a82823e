"""Semantics of the neural-network ops."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from infer.dialects.infer.base import int_of, ints_of, string_of
from infer.dialects.infer.nn import ConvOp
from infer.runtime.interpreter import reference


def to_channels_first(x: np.ndarray, layout: str) -> np.ndarray:
    return x if layout == "nchw" else np.moveaxis(x, -1, 1)


def from_channels_first(x: np.ndarray, layout: str) -> np.ndarray:
    return x if layout == "nchw" else np.moveaxis(x, 1, -1)


def windows(
    x: np.ndarray, kernel: list[int], strides: list[int], dilations: list[int], pads: list[int], pad_value: float = 0.0
) -> np.ndarray:
    """Sliding windows over the spatial dims of a channels-first tensor:
    `[N, C, out..., k...]`, a strided view of the padded input (no copy)."""
    n = len(kernel)
    width = [(0, 0), (0, 0)] + [(pads[i], pads[n + i]) for i in range(n)]
    if any(p < 0 for pair in width for p in pair):
        raise ValueError("negative pads are not supported by sliding windows")
    padded = np.pad(x, width, constant_values=pad_value) if any(pads) else x
    extents = [d * (k - 1) + 1 for k, d in zip(kernel, dilations, strict=True)]
    view = sliding_window_view(padded, extents, axis=tuple(range(2, 2 + n)))
    index = (
        slice(None),
        slice(None),
        *(slice(None, None, s) for s in strides),
        *(slice(None, None, d) for d in dilations),
    )
    return view[index]


@reference(ConvOp)
def _conv(op: ConvOp, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    layout = string_of(op.layout, "nchw")
    groups = int_of(op.groups, 1)
    x = to_channels_first(x, layout)
    kernel = list(w.shape[2:])
    n = len(kernel)
    win = windows(x, kernel, list(ints_of(op.strides)), list(ints_of(op.dilations)), list(ints_of(op.pads)))
    batch, channels = x.shape[:2]
    out_spatial = win.shape[2 : 2 + n]
    cg, og = channels // groups, w.shape[0] // groups
    letters = "abcdefghij"
    o_axes, k_axes = letters[:n], letters[n : 2 * n]
    # x: [N, G, Cg, out..., k...], w: [G, Og, Cg, k...] -> [N, G, Og, out...]
    xg = win.reshape(batch, groups, cg, *out_spatial, *kernel)
    wg = w.reshape(groups, og, cg, *kernel)
    y = np.einsum(f"NGC{o_axes}{k_axes},GOC{k_axes}->NGO{o_axes}", xg, wg, optimize=True)
    y = y.reshape(batch, groups * og, *out_spatial)
    if b is not None:
        y = y + b.reshape(1, -1, *([1] * n))
    return from_channels_first(y.astype(x.dtype, copy=False), layout)
