"""Convolutions and pooling: scf loop nests over the output, windows clamped to the input.

A convolution computes one output row (along the last spatial dim) at a time
in a row buffer of the accumulator type, so that the innermost loop runs
along the row with one weight, contiguous in the output (and in the input for
unit strides): a loop a C compiler vectorizes without reassociating sums.

    %y = infer.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
           pads = array<i64: 1, 1, 1, 1>, activation = "relu"} : (...) -> tensor<?x16x?x?xf32>
    // becomes, per output row (n, o, oh):
    //   row[:] = 0
    //   for c, for kh from max(0, 1 - oh) to min(3, h + 1 - oh), for kw in [0, 3):
    //     for ow over the positions whose input column ow + kw - 1 is inside:
    //       row[ow] += x[n, c, oh + kh - 1, ow + kw - 1] * w[o, c, kh, kw]
    //   y[n, o, oh, :] = relu(row[:] + b[o])

Each element is still summed in the order (channel, taps). Pooling and
transposed convolutions reduce each output element over its window in a
register (an `scf.for` carrying the value), then write it once.

Padding is never materialized: the loops over the taps of each spatial dim
run only over the taps that read the input (bounds from the output position,
stride, dilation and pads, computed in the loops), which is what zero pads
(convolution, average and p-norm pooling) and -inf pads (max pooling) amount
to. Windows of ceil mode that reach past the end padding are clamped the
same way. Where no clamping can be needed (no pad on that side, no ceil
mode), the bounds are the kernel's.

As in the reference (`runtime/reference/nn.py`): floats narrower than f32 are
accumulated in f32; a convolution adds its bias in that type, rounds into the
result type and then applies its epilogue activation there; average pooling
divides by the number of taps inside the input (or inside the padded input
with `count_include_pad`), a per-dim product, 0 / 0 giving NaN; max pooling
propagates NaN. A transposed convolution gathers, for each output element,
the inputs whose taps reach it (`(q + pad - t * dilation) / stride` when that
divides).

Layouts `nchw` and `nhwc` differ only in where the channel index goes; the
weight is laid out the same for both.
"""

from __future__ import annotations

import math as pymath
from collections.abc import Callable, Sequence

import numpy as np
from xdsl.dialects import math
from xdsl.dialects.builtin import i64
from xdsl.ir import Attribute, SSAValue

from infer.dialects.infer.base import float_of, int_of, ints_of, string_of
from infer.dialects.infer.epilogue import Epilogue
from infer.dialects.infer.nn import (
    AvgPoolOp,
    ConvOp,
    ConvTransposeOp,
    LpPoolOp,
    MaxPoolOp,
    MaxPoolWithIndicesOp,
    MaxUnpoolOp,
    PoolOp,
    spatial_axes,
)
from infer.lowering.infer_to_linalg.core import Lowering, Size, lowering, product, shape_of
from infer.lowering.infer_to_linalg.loops import (
    both,
    box_nest,
    compare,
    for_loop,
    if_else,
    load,
    load_index,
    loop_nest,
    reduction_nest,
    remainder,
    select,
    store,
)
from infer.lowering.infer_to_linalg.ops.matmul import accumulator_type
from infer.lowering.infer_to_linalg.ops.reduction import better_extremum
from infer.lowering.infer_to_linalg.ops.tensor import memref_of, view
from infer.lowering.infer_to_linalg.scalar import FLOAT, Scalar, int_range, kind
from infer.lowering.infer_to_linalg.structured import fill

# -- windows ------------------------------------------------------------------------------------


class Window:
    """The sliding-window properties of a convolution or pooling op, per spatial dim."""

    def __init__(
        self,
        layout: str,
        kernel: Sequence[int],
        strides: Sequence[int],
        dilations: Sequence[int],
        pads: Sequence[int],
        ceil_mode: bool = False,
    ) -> None:
        n = len(kernel)
        self.layout = layout
        self.kernel = list(kernel)
        self.strides = list(strides) or [1] * n
        self.dilations = list(dilations) or [1] * n
        pads = list(pads) or [0] * (2 * n)
        self.begins, self.ends = pads[:n], pads[n:]
        self.ceil_mode = ceil_mode

    @staticmethod
    def of(op: ConvOp | ConvTransposeOp | PoolOp, kernel: Sequence[int]) -> Window:
        return Window(
            string_of(op.layout, "nchw"),
            kernel,
            ints_of(op.strides),
            ints_of(op.dilations),
            ints_of(op.pads),
            op.properties.get("ceil_mode") is not None,
        )

    @property
    def pointwise(self) -> bool:
        """One tap per window, reading the input position of the output position."""
        return (
            all(k == 1 for k in self.kernel) and all(s == 1 for s in self.strides) and not any(self.begins + self.ends)
        )

    @property
    def rank(self) -> int:
        return len(self.kernel)

    def spatial_axes(self, rank: int) -> list[int]:
        return spatial_axes(self.layout, rank)

    def at(self, batch: Size, channel: Size, spatial: Sequence[Size]) -> list[Size]:
        """The index of an element of a tensor in this layout."""
        if self.layout == "nchw":
            return [batch, channel, *spatial]
        return [batch, *spatial, channel]

    def output_size(self, l: Lowering, i: int, size: Size) -> Size:
        """The output length of spatial dim `i` for an input length `size` (see
        `infer.dialects.infer.nn.window_output_dim`)."""
        k, s, d = self.kernel[i], self.strides[i], self.dilations[i]
        span = size + (self.begins[i] + self.ends[i] - d * (k - 1) - 1)
        if not self.ceil_mode:
            return span // s + 1
        out = span.ceildiv(s) + 1
        # A last window starting in the end padding is dropped.
        starts_in_padding = compare(l, "ge", (out - 1) * s, size + self.begins[i])
        return select(l, starts_in_padding, out - 1, out)

    def starts(self, positions: Sequence[Size]) -> list[Size]:
        """Per spatial dim, the input position of the first tap of the window at `positions`
        (`position * stride - pad_begin`)."""
        return [p * self.strides[i] - self.begins[i] for i, p in enumerate(positions)]

    def tap_range(self, i: int, start: Size, low: Size | int, high: Size | None) -> tuple[Size | int, Size | int]:
        """The taps `t` of spatial dim `i` in `[0, kernel)` whose input position
        `start + t * dilation` lies in `[low, high)`; `high` None when no window
        reaches past it."""
        k, d, pb = self.kernel[i], self.dilations[i], self.begins[i]
        # Below `low` only when a window can start before it (a begin pad).
        first: Size | int = 0
        if not (isinstance(low, int) and low + pb <= 0):
            first = (low - start).ceildiv(d).max(0)
        last: Size | int = k if high is None else ((high - 1 - start) // d + 1).min(k)
        return first, last


Taps = list[tuple[Size | int, Size | int]]
"""Per spatial dim, the taps `[first, last)` of a window that are read."""


def _taps(window: Window, starts: Sequence[Size], sizes: Sequence[Size], ends: Sequence[Size] | None = None) -> Taps:
    """Per spatial dim, the taps of the windows at `starts` whose input position is
    inside the input (`[0, size)`), or, with `ends`, inside `[-pad_begin, end)`.

    Past the end only when a window can reach there: in ceil mode, or (inside
    the input) with an end pad."""
    ranges = []
    for i, (start, size) in enumerate(zip(starts, sizes, strict=True)):
        low: Size | int = 0 if ends is None else -window.begins[i]
        high = size if ends is None else ends[i]
        clamped = window.ceil_mode or (ends is None and window.ends[i] > 0)
        ranges.append(window.tap_range(i, start, low, high if clamped else None))
    return ranges


def _input_positions(window: Window, starts: Sequence[Size], taps: Sequence[Size]) -> list[Size]:
    return [start + t * window.dilations[i] for i, (start, t) in enumerate(zip(starts, taps, strict=True))]


# -- epilogues ----------------------------------------------------------------------------------


def _clip_bound(value: float, element: Attribute) -> float | int:
    if kind(element) == FLOAT:
        return value
    low, high = int_range(element)
    return min(max(int(value), low), high)


def _sigmoid(s: Scalar, x: SSAValue) -> SSAValue:
    # exp of a non-positive number only (as the reference's sigmoid).
    one = s.one(x.type)
    e = s.math(math.ExpOp, s.neg(s.abs(x)))
    total = s.add(one, e)
    return s.select(s.cmp("ge", x, s.zero(x.type)), s.div(one, total), s.div(e, total))


def _hard_sigmoid(s: Scalar, x: SSAValue, alpha: float, beta: float) -> SSAValue:
    t = x.type
    linear = s.add(s.mul(x, s.const(alpha, t)), s.const(beta, t))
    return s.min(s.max(linear, s.zero(t)), s.one(t))


def _gelu(s: Scalar, x: SSAValue, approximate: bool) -> SSAValue:
    t = x.type
    half, one = s.const(0.5, t), s.one(t)
    if approximate:
        cube = s.mul(s.mul(s.mul(s.const(0.044715, t), x), x), x)
        inner = s.mul(s.const(pymath.sqrt(2 / pymath.pi), t), s.add(x, cube))
        return s.mul(s.mul(half, x), s.add(one, s.math(math.TanhOp, inner)))
    scaled = s.mul(x, s.const(pymath.sqrt(0.5), t))
    return s.mul(s.mul(half, x), s.add(one, s.math(math.ErfOp, scaled)))


def activation_rule(epilogue: Epilogue | None) -> Callable[[Scalar, SSAValue], SSAValue]:
    """The scalar computation of an epilogue activation, in the result's type (the
    expressions of `runtime/reference/nn.py`'s `ACTIVATION_SEMANTICS`)."""
    if epilogue is None:
        return lambda s, x: x
    p = epilogue.params
    match epilogue.activation:
        case "relu":
            return lambda s, x: s.max(x, s.zero(x.type))
        case "clip":
            return lambda s, x: s.min(
                s.max(x, s.const(_clip_bound(p[0], x.type), x.type)), s.const(_clip_bound(p[1], x.type), x.type)
            )
        case "leaky_relu":
            return lambda s, x: s.select(s.cmp("lt", x, s.zero(x.type)), s.mul(x, s.const(p[0], x.type)), x)
        case "sigmoid":
            return _sigmoid
        case "hard_sigmoid":
            return lambda s, x: _hard_sigmoid(s, x, p[0], p[1])
        case "hard_swish":
            return lambda s, x: s.mul(x, _hard_sigmoid(s, x, 1 / 6, 0.5))
        case "silu":
            return lambda s, x: s.mul(x, _sigmoid(s, x))
        case "tanh":
            return lambda s, x: s.math(math.TanhOp, x)
        case "gelu":
            return lambda s, x: _gelu(s, x, approximate=False)
        case "gelu_tanh":
            return lambda s, x: _gelu(s, x, approximate=True)
    raise ValueError(f"unknown activation '{epilogue.activation}'")


# -- convolutions ---------------------------------------------------------------------------------


def _finish(
    l: Lowering,
    acc: SSAValue,
    bias: SSAValue | None,
    channel: Size,
    element: Attribute,
    epilogue: Epilogue | None,
    residual: SSAValue | None = None,
) -> SSAValue:
    """The bias added in the accumulator's type, rounded to the result's, the
    residual element (a value of the result's type) added, the epilogue applied."""
    s = l.scalar
    if bias is not None:
        acc = s.add(acc, s.cast(load(l, bias, [channel]), acc.type))
    value = s.cast(acc, element)
    if residual is not None:
        value = s.add(value, residual)
    return activation_rule(epilogue)(s, value)


@lowering(ConvOp)
def conv(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, ConvOp)
    x, w = l.operand(0), l.operand(1)
    bias = l.operand(2) if op.bias is not None else None
    residual = l.operand(len(op.operands) - 1) if op.residual is not None else None
    out_channels, per_group, *kernel = (d or 0 for d in shape_of(w.type))
    window = Window.of(op, kernel)
    groups = int_of(op.groups, 1)
    sizes = l.sizes(x)
    axes = window.spatial_axes(len(sizes))
    outputs = [window.output_size(l, i, sizes[a]) for i, a in enumerate(axes)]
    result_sizes = window.at(sizes[0], l.static(out_channels), outputs)
    element = l.result_type().element_type
    if window.pointwise and window.layout == "nchw" and window.rank > 1:
        # Each output plane is a sum of scaled input planes: one row of all their
        # positions (the same memory, viewed with the spatial dims flattened).
        plane = product(outputs, l.static(1))
        flat_x = view(l, x, [sizes[0], sizes[1], plane], memref_of(element, [sizes[0], sizes[1], plane]))
        w_sizes = [l.static(out_channels), l.static(per_group), l.static(1)]
        flat_w = view(l, w, w_sizes, memref_of(element, w_sizes))
        flat_sizes = [sizes[0], l.static(out_channels), plane]
        flat = l.alloc(element, flat_sizes)
        flat_residual = None
        if residual is not None:
            flat_residual = view(l, residual, flat_sizes, memref_of(element, flat_sizes))
        pointwise = Window("nchw", [1], [1], [1], [0, 0])
        _convolve(l, flat_x, flat_w, bias, pointwise, groups, flat, op.epilogue, flat_residual)
        return view(l, flat, result_sizes, l.result_type())
    result = l.alloc_result(0, result_sizes)
    _convolve(l, x, w, bias, window, groups, result, op.epilogue, residual)
    return result


def _convolve(
    l: Lowering,
    x: SSAValue,
    w: SSAValue,
    bias: SSAValue | None,
    window: Window,
    groups: int,
    result: SSAValue,
    epilogue: Epilogue | None,
    residual: SSAValue | None = None,
) -> None:
    """Writes the convolution of `x` by `w` (plus `bias` and `residual`, then
    `epilogue`) into `result`; `residual` has the result's shape.

    Output rows (along the last spatial dim) accumulate in a buffer: the innermost
    loop runs along a row, the same multiply-add for every output position in it."""
    out_channels, per_group, *kernel = (d or 0 for d in shape_of(w.type))
    per_output_group = out_channels // groups
    sizes = l.sizes(x)
    axes = window.spatial_axes(len(sizes))
    inputs = [sizes[a] for a in axes]
    result_sizes = l.sizes(result)
    outputs = [result_sizes[a] for a in axes]
    element = result.type.element_type  # type: ignore[attr-defined]
    accumulated = accumulator_type(element)
    width, last = outputs[-1], window.rank - 1
    stride, dilation, pad = window.strides[last], window.dilations[last], window.begins[last]
    row = l.scratch(accumulated, [width])
    outer = window.at(sizes[0], l.static(out_channels), outputs[:-1])

    def output_row(index: list[Size]) -> None:
        s = l.scalar
        n, o = index[0], index[1 if window.layout == "nchw" else len(index) - 1]
        positions = [index[a] for a in axes[:-1]]
        starts = window.starts(positions)
        # The first input channel of the output channel's group.
        base = (o // per_output_group) * per_group if groups > 1 else None
        zero = s.zero(accumulated)
        loop_nest(l, [width], lambda q: store(l, zero, row, q))

        def taps(reduced: list[Size]) -> None:
            c, *offsets = reduced
            channel = c if base is None else base + c
            sources = _input_positions(window, starts, offsets)

            def along_row(t: list[Size]) -> None:
                (tap,) = t
                wv = s.cast(load(l, w, [o, c, *offsets, tap]), accumulated)
                # The row positions whose input position q * stride - pad + tap * dilation is inside.
                shift = tap * dilation - pad
                first: Size | int = 0
                if pad > 0:
                    first = (0 - shift).ceildiv(stride).max(0)
                end: Size | int = width
                if window.ends[last] > 0:
                    end = ((inputs[-1] - 1 - shift) // stride + 1).min(width)

                def accumulate(q: list[Size]) -> None:
                    xv = load(l, x, window.at(n, channel, [*sources, q[0] * stride + shift]))
                    total = s.add(load(l, row, q), s.mul(s.cast(xv, accumulated), wv))
                    store(l, total, row, q)

                box_nest(l, [(first, end)], accumulate)

            loop_nest(l, [kernel[last]], along_row)

        outer_taps = _taps(window, starts, inputs[:-1]) if last else []
        box_nest(l, [(0, per_group), *outer_taps], taps)

        def write(q: list[Size]) -> None:
            at = window.at(n, o, [*positions, q[0]])
            added = load(l, residual, at) if residual is not None else None
            value = _finish(l, load(l, row, q), bias, o, element, epilogue, added)
            store(l, value, result, at)

        loop_nest(l, [width], write)

    loop_nest(l, outer, output_row)


@lowering(ConvTransposeOp)
def conv_transpose(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, ConvTransposeOp)
    x, w = l.operand(0), l.operand(1)
    bias = l.operand(2) if op.bias is not None else None
    rank = len(shape_of(x.type))
    in_channels, per_output_group, *kernel = (d or 0 for d in shape_of(w.type))
    window = Window.of(op, kernel)
    groups = int_of(op.groups, 1)
    per_group = in_channels // groups
    output_padding = list(ints_of(op.output_padding)) or [0] * window.rank
    sizes = l.sizes(x)
    axes = window.spatial_axes(rank)
    inputs = [sizes[a] for a in axes]
    outputs = [
        (size - 1) * window.strides[i]
        + (output_padding[i] + window.dilations[i] * (kernel[i] - 1) + 1 - window.begins[i] - window.ends[i])
        for i, size in enumerate(inputs)
    ]
    out_channels = l.static(per_output_group * groups)
    result = l.alloc_result(0, window.at(sizes[0], out_channels, outputs))
    element = l.result_type().element_type
    accumulated = accumulator_type(element)
    epilogue = op.epilogue

    def point(index: list[Size]) -> None:
        s = l.scalar
        n, o = index[0], index[1 if window.layout == "nchw" else rank - 1]
        positions = [index[a] for a in axes]
        group = o // per_output_group if groups > 1 else None
        within = o - group * per_output_group if group is not None else o
        base = group * per_group if group is not None else None

        # Tap t of input position i reaches output q = i * stride + t * dilation - pad_begin.
        reaches = [q + window.begins[i] for i, q in enumerate(positions)]
        ranges: list[tuple[Size | int, Size | int]] = [(0, per_group)]
        for i, reach in enumerate(reaches):
            stride, dilation = window.strides[i], window.dilations[i]
            if stride == 1:
                # i = reach - t * dilation in [0, size): a range of taps.
                first = (reach - inputs[i] + 1).ceildiv(dilation).max(0)
                ranges.append((first, (reach // dilation + 1).min(kernel[i])))
            else:
                ranges.append((0, kernel[i]))

        def tap(taps: list[Size], acc: SSAValue) -> SSAValue:
            c, *offsets = taps
            channel = c if base is None else base + c
            sources: list[Size] = []
            valid: SSAValue | bool = True
            for i, t in enumerate(offsets):
                stride = window.strides[i]
                reach = reaches[i] - t * window.dilations[i]
                if stride == 1:
                    sources.append(reach)
                    continue
                source = reach // stride
                divides = compare(l, "eq", remainder(l, reach, l.static(stride), truncated=True), 0)
                inside = both(l, compare(l, "ge", reach, 0), compare(l, "lt", source, inputs[i]))
                valid = both(l, valid, both(l, divides, inside))
                sources.append(source)

            def add() -> list[SSAValue]:
                xv = load(l, x, window.at(n, channel, sources))
                wv = load(l, w, [channel, within, *offsets])
                return [s.add(acc, s.mul(s.cast(xv, accumulated), s.cast(wv, accumulated)))]

            if isinstance(valid, bool):
                return add()[0] if valid else acc
            return if_else(l, valid, add, lambda: [acc])[0]

        acc = reduction_nest(l, ranges, s.zero(accumulated), tap)
        store(l, _finish(l, acc, bias, o, element, epilogue), result, index)

    loop_nest(l, l.sizes(result), point)
    return result


# -- pooling --------------------------------------------------------------------------------------


def _pool(l: Lowering, op: PoolOp) -> tuple[Window, SSAValue, list[Size], list[int], SSAValue]:
    """The window, the input, its sizes, its spatial axes and the result buffer of a pooling op."""
    x = l.operand(0)
    rank = len(shape_of(x.type))
    window = Window.of(op, list(ints_of(op.kernel)))
    sizes = l.sizes(x)
    axes = window.spatial_axes(rank)
    result_sizes = list(sizes)
    for i, a in enumerate(axes):
        result_sizes[a] = window.output_size(l, i, sizes[a])
    return window, x, sizes, axes, l.alloc_result(0, result_sizes)


def _window_fold(
    l: Lowering,
    op: PoolOp,
    initial: Callable[[Scalar], SSAValue],
    combine: Callable[[Scalar, SSAValue, SSAValue], SSAValue],
    finish: Callable[[Scalar, SSAValue, list[Size], Taps], SSAValue],
) -> SSAValue:
    """A pooling op: `combine`s the elements of each window clamped to the input, then
    `finish(s, folded, window starts, tap ranges)` is stored."""
    window, x, sizes, axes, result = _pool(l, op)
    inputs = [sizes[a] for a in axes]

    def point(index: list[Size]) -> None:
        s = l.scalar
        starts = window.starts([index[a] for a in axes])

        def tap(taps: list[Size], acc: SSAValue) -> SSAValue:
            source = list(index)
            for a, p in zip(axes, _input_positions(window, starts, taps), strict=True):
                source[a] = p
            return combine(s, acc, load(l, x, source))

        ranges = _taps(window, starts, inputs)
        folded = reduction_nest(l, ranges, initial(s), tap)
        store(l, finish(s, folded, starts, ranges), result, index)

    loop_nest(l, l.sizes(result), point)
    return result


@lowering(MaxPoolOp)
def max_pool(l: Lowering) -> SSAValue:
    element = l.result_type().element_type
    return _window_fold(
        l,
        l.op,  # type: ignore[arg-type]
        lambda s: s.lowest(element),
        lambda s, acc, v: s.max(acc, v),
        lambda s, acc, starts, ranges: acc,
    )


@lowering(MaxPoolWithIndicesOp)
def max_pool_with_indices(l: Lowering) -> list[SSAValue]:
    """Per output position, a loop nest over the window's taps inside the input
    carrying the best value and its flattened index."""
    op = l.op
    assert isinstance(op, MaxPoolWithIndicesOp)
    kernel = list(ints_of(op.kernel))
    window = Window(
        "nchw", kernel, ints_of(op.strides), ints_of(op.dilations), ints_of(op.pads), op.ceil_mode is not None
    )
    x = l.operand(0)
    sizes = l.sizes(x)
    axes = window.spatial_axes(len(sizes))
    inputs = [sizes[a] for a in axes]
    out_sizes = [*sizes[:2], *(window.output_size(l, i, size) for i, size in enumerate(inputs))]
    values, indices = l.alloc_result(0, out_sizes), l.alloc_result(1, out_sizes)
    element = l.result_type(0).element_type
    # Strides of the flattened index per spatial dim (row- or column-major).
    order = list(range(len(inputs)))
    if op.column_major is not None:
        order.reverse()
    spatial_strides: list[Size] = [l.static(1)] * len(inputs)
    running = l.static(1)
    for i in reversed(order):
        spatial_strides[i] = running
        running = running * inputs[i]
    plane = running

    def point(index: list[Size]) -> None:
        s = l.scalar
        starts = window.starts(index[2:])
        base = (index[0] * sizes[1] + index[1]) * plane
        ranges = _taps(window, starts, inputs)

        def level(k: int, taps: list[Size], carried: list[SSAValue]) -> list[SSAValue]:
            if k == len(ranges):
                positions = _input_positions(window, starts, taps)
                value = load(l, x, [index[0], index[1], *positions])
                flat = base
                for p, stride in zip(positions, spatial_strides, strict=True):
                    flat = flat + p * stride
                where = s.cast(flat.value, i64)
                best, best_index = carried
                first = s.cmp("lt", best_index, s.zero(i64))
                better = s.or_(better_extremum(s, value, best, maximum=True, last=False), first)
                return [s.select(better, value, best), s.select(better, where, best_index)]
            lower, upper = ranges[k]
            return for_loop(l, lower, upper, lambda t, c: level(k + 1, [*taps, t], c), carried)

        best, best_index = level(0, [], [s.lowest(element), s.const(-1, i64)])
        store(l, best, values, index)
        store(l, best_index, indices, index)

    loop_nest(l, out_sizes, point)
    return [values, indices]


@lowering(MaxUnpoolOp)
def max_unpool(l: Lowering) -> SSAValue:
    """Zeros, then each input element stored at its index; an index outside the
    result is skipped."""
    op = l.op
    assert isinstance(op, MaxUnpoolOp)
    x, indices = l.operand(0), l.operand(1)
    sizes = l.sizes(x)
    kernel, strides, pads = list(ints_of(op.kernel)), list(ints_of(op.strides)), list(ints_of(op.pads))
    n = len(kernel)
    if op.output_spatial is not None:
        spatial = [l.static(d) for d in ints_of(op.output_spatial)]
    else:
        spatial = [(d - 1) * strides[i] + (kernel[i] - pads[i] - pads[n + i]) for i, d in enumerate(sizes[2:])]
    result_sizes = [*sizes[:2], *spatial]
    result = l.alloc_result(0, result_sizes)
    s = l.scalar
    fill(l, result, s.zero(l.result_type().element_type))
    total = product(result_sizes, l.static(1))

    def point(index: list[Size]) -> None:
        where = load_index(l, indices, index)
        inside = both(l, compare(l, "ge", where, 0), compare(l, "lt", where, total))

        def write() -> list[SSAValue]:
            coordinates: list[Size] = []
            rest = where
            for dim in reversed(result_sizes):
                coordinates.append(remainder(l, rest, dim, truncated=True))
                rest = rest // dim
            store(l, load(l, x, index), result, list(reversed(coordinates)))
            return []

        if isinstance(inside, bool):
            if inside:
                write()
            return
        if_else(l, inside, write, list)

    loop_nest(l, sizes, point)
    return result


@lowering(AvgPoolOp)
def avg_pool(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, AvgPoolOp)
    element = l.result_type().element_type
    accumulated = accumulator_type(element)
    include_pad = op.count_include_pad is not None
    x = l.operand(0)
    rank = len(shape_of(x.type))
    window = Window.of(op, list(ints_of(op.kernel)))
    axes = window.spatial_axes(rank)
    inputs = [l.size(x, a) for a in axes]
    padded_ends = [size + window.ends[i] for i, size in enumerate(inputs)] if include_pad else None

    def finish(s: Scalar, total: SSAValue, starts: list[Size], ranges: Taps) -> SSAValue:
        # Taps inside the input (or the padded input), per dim; their product.
        if padded_ends is not None:
            ranges = _taps(window, starts, inputs, padded_ends)
        count = product([(size(last) - size(first)).max(0) for first, last in ranges], l.static(1))
        divisor = s.cast(s.cast(count.value, i64), accumulated)
        return s.cast(s.div(total, divisor), element)

    def size(value: Size | int) -> Size:
        return value if isinstance(value, Size) else l.static(value)

    return _window_fold(
        l,
        op,
        lambda s: s.zero(accumulated),
        lambda s, acc, v: s.add(acc, s.cast(v, accumulated)),
        finish,
    )


def _power(s: Scalar, x: SSAValue, p: float) -> SSAValue:
    """`x ** p` as numpy computes it for a scalar exponent (its fast cases exact)."""
    if p == 1.0:
        return x
    if p == 2.0:
        return s.mul(x, x)
    if p == 0.5:
        return s.math(math.SqrtOp, x)
    return s.math(math.PowFOp, x, s.const(p, x.type))


@lowering(LpPoolOp)
def lp_pool(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, LpPoolOp)
    element = l.result_type().element_type
    accumulated = accumulator_type(element)
    p = float_of(op.p, 2.0)
    # The root's exponent as numpy has it: 1 / p in double, rounded to the accumulator.
    root = float(np.float64(1.0) / np.float64(p))

    def combine(s: Scalar, acc: SSAValue, v: SSAValue) -> SSAValue:
        return s.add(acc, _power(s, s.abs(s.cast(v, accumulated)), p))

    return _window_fold(
        l,
        op,
        lambda s: s.zero(accumulated),
        combine,
        lambda s, acc, starts, ranges: s.cast(_power(s, acc, root), element),
    )
