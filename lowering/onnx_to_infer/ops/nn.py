"""Convolution, pooling, matrix products, normalizations."""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.ir import SSAValue

from infer.dialects.infer.base import Dim
from infer.dialects.infer.nn import ConvOp
from infer.lowering.onnx_to_infer.core import Conversion, converter

AUTO_PADS = "NOTSET, SAME_UPPER, SAME_LOWER, VALID"


def explicit_pads(
    c: Conversion, spatial: Sequence[Dim], kernel: Sequence[int], strides: Sequence[int], dilations: Sequence[int]
) -> list[int]:
    """ONNX `auto_pad`/`pads` as explicit [begins..., ends...] for the given spatial input dims."""
    n = len(kernel)
    auto_pad = c.attr("auto_pad", "NOTSET")
    if auto_pad == "NOTSET":
        pads = list(c.attr("pads") or [0] * (2 * n))
        if len(pads) != 2 * n:
            c.error(f"pads has {len(pads)} entries, expected {2 * n}")
        return pads
    if auto_pad == "VALID":
        return [0] * (2 * n)
    if auto_pad not in ("SAME_UPPER", "SAME_LOWER"):
        c.unsupported_attr("auto_pad", auto_pad, AUTO_PADS)
    begins, ends = [], []
    for size, k, s, d in zip(spatial, kernel, strides, dilations, strict=True):
        extent = d * (k - 1) + 1
        if size is None:
            if s != 1:
                c.error(
                    f"auto_pad {auto_pad} with stride {s} on a dynamic spatial dim is not supported",
                    hint="give the input static spatial dims, or use explicit pads",
                )
            total = extent - 1
        else:
            total = max((-(-size // s) - 1) * s + extent - size, 0)
        small, large = total // 2, total - total // 2
        begin = small if auto_pad == "SAME_UPPER" else large
        begins.append(begin)
        ends.append(total - begin)
    return begins + ends


@converter("Conv")
def conv(c: Conversion) -> SSAValue:
    x, w = c.input(0), c.input(1)
    x_dims, w_dims = c.shape(x), c.shape(w)
    n = len(x_dims) - 2
    if n < 1:
        c.error(f"input must have rank >= 3, got {len(x_dims)}")
    kernel = list(c.attr("kernel_shape") or w_dims[2:])
    if any(k is None for k in kernel) or list(kernel) != list(w_dims[2:]):
        c.error(f"kernel_shape {kernel} does not match the weight shape {list(w_dims)}")
    strides = list(c.attr("strides") or [1] * n)
    dilations = list(c.attr("dilations") or [1] * n)
    pads = explicit_pads(c, x_dims[2:], kernel, strides, dilations)
    return c.emit(
        ConvOp(x, w, c.optional_input(2), strides=strides, dilations=dilations, pads=pads, groups=c.attr("group", 1))
    )
