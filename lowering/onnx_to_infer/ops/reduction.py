"""Reductions, arg-reductions, global pooling, softmax, log-softmax and hardmax.

ONNX reductions take their axes as an attribute until ReduceSum-13 and the
others' version 18, then as an optional input, which must be a constant here.
Empty axes mean all axes, or no reduction at all with `noop_with_empty_axes`;
`infer` reductions always have normalized, non-empty axes, so a reduction
over nothing leaves only its elementwise part (ReduceL1 of nothing is `|x|`).
Softmax-like ops before version 13 normalize over the flattened dims
`[axis, rank)`, from 13 over the one dim `axis`: both are an `axes` list.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np
from xdsl.dialects.builtin import f64
from xdsl.ir import Attribute, SSAValue

from infer.dialects.infer.base import ShapeError, is_int
from infer.dialects.infer.elementwise import AbsOp, CastOp, LogOp, MulOp, SqrtOp
from infer.dialects.infer.reduction import (
    AlongAxesOp,
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
from infer.lowering.onnx_to_infer.core import Conversion, ConverterFn, converter


def shape_checked(fn: ConverterFn) -> ConverterFn:
    """Turns a shape rule's rejection of the node's operands into a diagnostic."""

    @functools.wraps(fn)
    def convert(c: Conversion) -> SSAValue | Sequence[SSAValue | None] | None:
        try:
            return fn(c)
        except ShapeError as e:
            c.error(str(e))

    return convert


def onnx_float(value: float) -> float:
    """An ONNX float attribute (a float32) as the shortest decimal that rounds to it:
    `epsilon = 1e-5` stays 1e-05 rather than becoming 9.9999997473787516e-06."""
    return float(str(np.float32(value)))


def normalize_axes(c: Conversion, axes: Sequence[int], rank: int, what: str = "axes") -> list[int]:
    """ONNX axes (negative ones count from the end) as sorted distinct axes in [0, rank)."""
    result = []
    for axis in axes:
        if not -rank <= axis < rank:
            c.error(f"{what} {list(axes)} out of range for an input of rank {rank}")
        result.append(axis % rank)
    if len(set(result)) != len(result):
        c.error(f"{what} {list(axes)} repeat an axis")
    return sorted(result)


def normalize_axis(c: Conversion, axis: int, rank: int) -> int:
    return normalize_axes(c, [axis], rank, "axis")[0]


_AXES_INPUT_SINCE = {"ReduceSum": 13}
"""The version from which `axes` is an input (18 for the reductions not listed)."""


def reduction_axes(c: Conversion) -> list[int]:
    """The node's reduction axes, normalized; empty when it reduces nothing."""
    rank = c.rank(c.input(0))
    if c.version >= _AXES_INPUT_SINCE.get(c.op.ONNX_NAME, 18):
        axes = [int(a) for a in c.require_const(1).reshape(-1)] if c.has_input(1) else []
        if not axes and c.attr("noop_with_empty_axes", 0):
            return []
    else:
        axes = list(c.attr("axes") or [])
    return normalize_axes(c, axes, rank) if axes else list(range(rank))


def _reduce(c: Conversion, x: SSAValue, axes: list[int], op_class: type[ReduceOp]) -> SSAValue:
    if not axes:
        return x
    return c.emit(op_class(x, axes, keepdims=bool(c.attr("keepdims", 1))))


def _in_float(c: Conversion, x: SSAValue, fn: Callable[[SSAValue], SSAValue]) -> SSAValue:
    """`fn(x)`, an op on floats; integers go through f64 and back (truncating, as onnxruntime)."""
    element: Attribute = c.element(x)
    if not is_int(element):
        return fn(x)
    return c.emit(CastOp(fn(c.emit(CastOp(x, f64))), element))


def _square(c: Conversion, x: SSAValue) -> SSAValue:
    return c.emit(MulOp(x, x))


def _plain(op_class: type[ReduceOp]) -> ConverterFn:
    def convert(c: Conversion) -> SSAValue:
        return _reduce(c, c.input(0), reduction_axes(c), op_class)

    return convert


for _name, _class in (
    ("ReduceSum", ReduceSumOp),
    ("ReduceMean", ReduceMeanOp),
    ("ReduceMax", ReduceMaxOp),
    ("ReduceMin", ReduceMinOp),
    ("ReduceProd", ReduceProdOp),
):
    converter(_name)(shape_checked(_plain(_class)))


@converter("ReduceL1")
@shape_checked
def reduce_l1(c: Conversion) -> SSAValue:
    return _reduce(c, c.emit(AbsOp(c.input(0))), reduction_axes(c), ReduceSumOp)


@converter("ReduceSumSquare")
@shape_checked
def reduce_sum_square(c: Conversion) -> SSAValue:
    return _reduce(c, _square(c, c.input(0)), reduction_axes(c), ReduceSumOp)


@converter("ReduceL2")
@shape_checked
def reduce_l2(c: Conversion) -> SSAValue:
    total = _reduce(c, _square(c, c.input(0)), reduction_axes(c), ReduceSumOp)
    return _in_float(c, total, lambda v: c.emit(SqrtOp(v)))


@converter("ReduceLogSum")
@shape_checked
def reduce_log_sum(c: Conversion) -> SSAValue:
    total = _reduce(c, c.input(0), reduction_axes(c), ReduceSumOp)
    return _in_float(c, total, lambda v: c.emit(LogOp(v)))


@converter("ReduceLogSumExp")
@shape_checked
def reduce_log_sum_exp(c: Conversion) -> SSAValue:
    x, axes = c.input(0), reduction_axes(c)
    if is_int(c.element(x)):
        c.error(f"ReduceLogSumExp on {c.element(x)} is not supported", hint="cast the input to a float type")
    return _reduce(c, x, axes, ReduceLogSumExpOp)


def _arg(op_class: type[ArgMaxOp] | type[ArgMinOp]) -> ConverterFn:
    def convert(c: Conversion) -> SSAValue:
        x = c.input(0)
        axis = normalize_axis(c, c.attr("axis", 0), c.rank(x))
        keepdims, last = bool(c.attr("keepdims", 1)), bool(c.attr("select_last_index", 0))
        return c.emit(op_class(x, axis, keepdims=keepdims, select_last_index=last))

    return convert


converter("ArgMax")(shape_checked(_arg(ArgMaxOp)))
converter("ArgMin")(shape_checked(_arg(ArgMinOp)))


def _global_pool(op_class: type[ReduceOp]) -> ConverterFn:
    def convert(c: Conversion) -> SSAValue:
        x = c.input(0)
        rank = c.rank(x)
        if rank < 3:
            c.error(f"input must have rank >= 3 ([N, C, spatial...]), got rank {rank}")
        return c.emit(op_class(x, list(range(2, rank)), keepdims=True))

    return convert


converter("GlobalAveragePool")(shape_checked(_global_pool(ReduceMeanOp)))
converter("GlobalMaxPool")(shape_checked(_global_pool(ReduceMaxOp)))


def _along_axes(op_class: type[AlongAxesOp]) -> tuple[ConverterFn, ConverterFn]:
    def flattened(c: Conversion) -> SSAValue:
        """Before version 13: over the trailing dims [axis, rank), as if flattened to 2-D."""
        x = c.input(0)
        rank = c.rank(x)
        return c.emit(op_class(x, list(range(normalize_axis(c, c.attr("axis", 1), rank), rank))))

    def single(c: Conversion) -> SSAValue:
        """From version 13: over the one dim `axis`."""
        x = c.input(0)
        return c.emit(op_class(x, [normalize_axis(c, c.attr("axis", -1), c.rank(x))]))

    return flattened, single


for _name, _axes_class in (("Softmax", SoftmaxOp), ("LogSoftmax", LogSoftmaxOp), ("Hardmax", HardmaxOp)):
    _flattened, _single = _along_axes(_axes_class)
    converter(_name, until=12)(shape_checked(_flattened))
    converter(_name, since=13)(shape_checked(_single))
