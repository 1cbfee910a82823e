"""Convolution, transposed convolution, pooling, local response normalization.

ONNX padding conventions end here: `auto_pad` (SAME_UPPER, SAME_LOWER, VALID)
and ConvTranspose's `output_shape` become explicit `pads`. SAME pads follow
the ONNX spec with the dilated kernel extent `d * (k - 1) + 1`:
`total = max(0, (ceil(size / stride) - 1) * stride + extent - size)`, the odd
one at the end for SAME_UPPER, at the beginning for SAME_LOWER. (onnxruntime
sizes SAME pooling pads with the undilated kernel, and neither it nor
`onnx.reference` gets SAME with dilations right; infer follows the spec.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xdsl.ir import Operation, SSAValue

from infer.dialects.infer.base import Dim, ShapeError
from infer.dialects.infer.elementwise import AbsOp, PowOp
from infer.dialects.infer.nn import (
    AvgPoolOp,
    ConvOp,
    ConvTransposeOp,
    LpPoolOp,
    LrnOp,
    MaxPoolOp,
    MaxPoolWithIndicesOp,
    MaxUnpoolOp,
)
from infer.dialects.infer.reduction import ReduceSumOp
from infer.lowering.onnx_to_infer.core import Conversion, converter

AUTO_PADS = "NOTSET, SAME_UPPER, SAME_LOWER, VALID"


def _ints(c: Conversion, name: str, count: int, default: int) -> list[int]:
    """An ints attribute with one entry per spatial dim (`default` each when absent)."""
    values = c.attr(name)
    if values is None:
        return [default] * count
    values = [int(v) for v in values]
    if len(values) != count:
        c.error(f"attribute '{name}' has {len(values)} entries, expected {count} (one per spatial dim)")
    return values


def _spatial_rank(c: Conversion, x: SSAValue) -> int:
    rank = c.rank(x)
    if rank < 3:
        c.error(f"input must have rank >= 3 ([N, C, spatial...]), got rank {rank}")
    return rank - 2


def explicit_pads(
    c: Conversion, spatial: Sequence[Dim], kernel: Sequence[int], strides: Sequence[int], dilations: Sequence[int]
) -> list[int]:
    """ONNX `auto_pad`/`pads` as explicit [begins..., ends...] for the given spatial input dims."""
    n = len(kernel)
    auto_pad = c.attr("auto_pad", "NOTSET")
    if auto_pad == "NOTSET":
        pads = [int(p) for p in c.attr("pads") or [0] * (2 * n)]
        if len(pads) != 2 * n:
            c.error(f"attribute 'pads' has {len(pads)} entries, expected {2 * n}")
        if any(p < 0 for p in pads):
            c.error(f"attribute 'pads' = {pads} has a negative entry")
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


def _emit(c: Conversion, build: Callable[[], Operation]) -> SSAValue:
    """Builds an op (its shape rule runs then) and emits it; a shape the rule
    rejects (a window larger than the padded input, ...) is a diagnostic."""
    return c.emit(_build(c, build))


def _build(c: Conversion, build: Callable[[], Operation]) -> Operation:
    try:
        return build()
    except ShapeError as e:
        c.error(str(e))


def _kernel(c: Conversion, weight_dims: Sequence[Dim]) -> list[int]:
    """The kernel's spatial shape: the weight's, which `kernel_shape` (optional) must repeat."""
    if any(d is None for d in weight_dims):
        c.error(f"the weight must have a static shape, got {list(weight_dims)}")
    kernel = [int(d) for d in weight_dims[2:]]  # type: ignore[arg-type]
    given = c.attr("kernel_shape")
    if given is not None and [int(k) for k in given] != kernel:
        c.error(f"kernel_shape {list(given)} does not match the weight shape {list(weight_dims)}")
    return kernel


@converter("Conv")
def conv(c: Conversion) -> SSAValue:
    return onnx_conv(c, c.input(0), c.input(1), c.optional_input(2))


def onnx_conv(c: Conversion, x: SSAValue, w: SSAValue, bias: SSAValue | None) -> SSAValue:
    """The node's convolution attributes (kernel, strides, dilations, pads, group) applied to `x` and `w`."""
    n = _spatial_rank(c, x)
    w_dims = c.shape(w)
    if len(w_dims) != n + 2:
        c.error(f"weight has rank {len(w_dims)}, the input rank {n + 2}")
    kernel = _kernel(c, w_dims)
    strides = _ints(c, "strides", n, 1)
    dilations = _ints(c, "dilations", n, 1)
    pads = explicit_pads(c, c.shape(x)[2:], kernel, strides, dilations)
    return _emit(
        c,
        lambda: ConvOp(x, w, bias, strides=strides, dilations=dilations, pads=pads, groups=c.attr("group", 1)),
    )


@converter("ConvTranspose")
def conv_transpose(c: Conversion) -> SSAValue:
    """Versions 1, 11 and 22 share one rule. With `output_shape`, the total pad
    `stride * (size - 1) + output_padding + extent - output_shape` is split
    with the larger half at the beginning, except for SAME_UPPER (larger half
    at the end): the rule of ConvTranspose-11's spec, which onnxruntime and
    `onnx.reference` apply at every version (ConvTranspose-1's text had the
    halves the other way round). SAME pads aim at `size * stride`."""
    x, w = c.input(0), c.input(1)
    n = _spatial_rank(c, x)
    w_dims = c.shape(w)
    if len(w_dims) != n + 2:
        c.error(f"weight has rank {len(w_dims)}, the input rank {n + 2}")
    kernel = _kernel(c, w_dims)
    strides = _ints(c, "strides", n, 1)
    dilations = _ints(c, "dilations", n, 1)
    output_padding = _ints(c, "output_padding", n, 0)
    if any(p < 0 for p in output_padding):
        c.error(f"attribute 'output_padding' = {output_padding} has a negative entry")
    auto_pad = c.attr("auto_pad", "NOTSET")
    if auto_pad not in AUTO_PADS.split(", "):
        c.unsupported_attr("auto_pad", auto_pad, AUTO_PADS)
    spatial = c.shape(x)[2:]
    extents = [d * (k - 1) + 1 for k, d in zip(kernel, dilations, strict=True)]
    output_shape = c.attr("output_shape")
    totals: list[int] | None = None
    if output_shape is not None:
        target = [int(v) for v in output_shape]
        if len(target) != n:
            c.error(f"attribute 'output_shape' has {len(target)} entries, expected {n}")
        if any(size is None for size in spatial):
            c.error(
                "output_shape with dynamic spatial input dims is not supported",
                hint="give the input static spatial dims, or use explicit pads",
            )
        totals = [
            s * (size - 1) + p + e - t  # type: ignore[operator]
            for size, s, p, e, t in zip(spatial, strides, output_padding, extents, target, strict=True)
        ]
        upper_at_end = auto_pad == "SAME_UPPER"
    elif auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        # stride * (size - 1) + output_padding + extent - size * stride: independent of size.
        totals = [p + e - s for s, p, e in zip(strides, output_padding, extents, strict=True)]
        upper_at_end = auto_pad == "SAME_UPPER"
    if totals is None:
        pads = explicit_pads(c, spatial, kernel, strides, dilations) if auto_pad != "VALID" else [0] * (2 * n)
    else:
        begins = [t // 2 if upper_at_end else t - t // 2 for t in totals]
        pads = begins + [t - b for t, b in zip(totals, begins, strict=True)]
    return _emit(
        c,
        lambda: ConvTransposeOp(
            x,
            w,
            c.optional_input(2),
            strides=strides,
            dilations=dilations,
            pads=pads,
            output_padding=output_padding,
            groups=c.attr("group", 1),
        ),
    )


def _pool_window(c: Conversion, x: SSAValue) -> tuple[list[int], list[int], list[int], list[int], bool]:
    """kernel, strides, dilations, explicit pads and ceil mode of a pooling node."""
    n = _spatial_rank(c, x)
    kernel = c.attr("kernel_shape")
    if kernel is None:
        c.error("attribute 'kernel_shape' is missing")
    kernel = _ints(c, "kernel_shape", n, 1)
    if any(k < 1 for k in kernel):
        c.error(f"kernel_shape {kernel} has a non-positive entry")
    strides = _ints(c, "strides", n, 1)
    dilations = _ints(c, "dilations", n, 1)  # since MaxPool-10 and AveragePool-19
    pads = explicit_pads(c, c.shape(x)[2:], kernel, strides, dilations)
    return kernel, strides, dilations, pads, bool(c.attr("ceil_mode", 0))  # ceil_mode since 10


@converter("MaxPool")
def max_pool(c: Conversion) -> list[SSAValue | None]:
    """Versions 1, 8, 10, 11, 12, 22: the attributes a version lacks take their
    defaults. When the `Indices` output (since 8) is used, `infer.max_pool_with_indices`
    computes both, in the order `storage_order` asks for."""
    x = c.input(0)
    kernel, strides, dilations, pads, ceil_mode = _pool_window(c, x)
    if len(c.op.results) > 1 and c.op.results[1].uses:
        column_major = c.attr("storage_order", 0) == 1
        op = c.emit_op(
            _build(
                c,
                lambda: MaxPoolWithIndicesOp(
                    x,
                    kernel=kernel,
                    strides=strides,
                    dilations=dilations,
                    pads=pads,
                    ceil_mode=ceil_mode,
                    column_major=column_major,
                ),
            )
        )
        return list(op.results)
    y = _emit(
        c, lambda: MaxPoolOp(x, kernel=kernel, strides=strides, dilations=dilations, pads=pads, ceil_mode=ceil_mode)
    )
    return [y, None]


@converter("MaxUnpool")
def max_unpool(c: Conversion) -> SSAValue:
    """Versions 9, 11 (the `output_shape` input, a constant here), 22."""
    x, indices = c.input(0), c.input(1)
    n = _spatial_rank(c, x)
    kernel = c.attr("kernel_shape")
    if kernel is None:
        c.error("attribute 'kernel_shape' is missing")
    kernel = _ints(c, "kernel_shape", n, 1)
    strides = _ints(c, "strides", n, 1)
    pads = [int(p) for p in c.attr("pads") or [0] * (2 * n)]
    if len(pads) != 2 * n:
        c.error(f"attribute 'pads' has {len(pads)} entries, expected {2 * n}")
    output_spatial = None
    if c.has_input(2):
        shape = [int(d) for d in c.require_const(2, "output_shape").reshape(-1)]
        if len(shape) != n + 2:
            c.error(f"output_shape {shape} must have {n + 2} entries (the output's rank)")
        output_spatial = shape[2:]
    return _emit(
        c, lambda: MaxUnpoolOp(x, indices, kernel=kernel, strides=strides, pads=pads, output_spatial=output_spatial)
    )


@converter("AveragePool")
def average_pool(c: Conversion) -> SSAValue:
    """Versions 1, 7 (count_include_pad), 10 (ceil_mode), 11, 19 (dilations), 22."""
    x = c.input(0)
    kernel, strides, dilations, pads, ceil_mode = _pool_window(c, x)
    return _emit(
        c,
        lambda: AvgPoolOp(
            x,
            kernel=kernel,
            strides=strides,
            dilations=dilations,
            pads=pads,
            ceil_mode=ceil_mode,
            count_include_pad=bool(c.attr("count_include_pad", 0)),
        ),
    )


def _p(c: Conversion) -> float:
    p = float(c.attr("p", 2))  # a float in version 1, an int since 2
    if p <= 0:
        c.unsupported_attr("p", c.attr("p"), "a positive exponent")
    return p


@converter("LpPool")
def lp_pool(c: Conversion) -> SSAValue:
    """Versions 1, 2, 11, 18 (ceil_mode, dilations) and 22."""
    x = c.input(0)
    kernel, strides, dilations, pads, ceil_mode = _pool_window(c, x)
    p = _p(c)
    return _emit(
        c,
        lambda: LpPoolOp(x, p=p, kernel=kernel, strides=strides, dilations=dilations, pads=pads, ceil_mode=ceil_mode),
    )


@converter("GlobalLpPool")
def global_lp_pool(c: Conversion) -> SSAValue:
    """Versions 1 and 2: `(sum of |x|^p over the spatial dims) ^ (1 / p)`, the
    spatial dims kept as 1; as reductions, so that they may be dynamic."""
    x = c.input(0)
    rank = c.rank(x)
    if rank < 3:
        c.error(f"input must have rank >= 3 ([N, C, spatial...]), got rank {rank}")
    p = _p(c)
    powered = c.emit(AbsOp(x))
    if p != 1:
        powered = c.emit(PowOp(powered, c.scalar_like(p, x)))
    total = c.emit(ReduceSumOp(powered, list(range(2, rank)), keepdims=True))
    return total if p == 1 else c.emit(PowOp(total, c.scalar_like(1 / p, x)))


@converter("LRN")
def lrn(c: Conversion) -> SSAValue:
    """Versions 1 and 13 (which only adds bfloat16)."""
    x = c.input(0)
    if c.rank(x) < 2:
        c.error(f"input must have rank >= 2 ([N, C, ...]), got rank {c.rank(x)}")
    size = c.attr("size")
    if size is None:
        c.error("attribute 'size' is missing")
    if size < 1:
        c.unsupported_attr("size", size, "a positive channel count")
    alpha, beta, bias = c.attr("alpha", 1e-4), c.attr("beta", 0.75), c.attr("bias", 1.0)
    return _emit(c, lambda: LrnOp(x, size=size, alpha=alpha, beta=beta, bias=bias))
