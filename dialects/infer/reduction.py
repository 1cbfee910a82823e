"""Reductions over axes, arg-reductions, and softmax-like normalizations along axes.

Axes are normalized by the lowering: in `[0, rank)`, sorted, each once, never
empty (a reduction over no axes is not an op: the lowering leaves the value
as it is). With the `keepdims` unit attribute the reduced dims stay as dims of
size 1; without it they are removed.

    %s = infer.reduce_sum %x {axes = array<i64: 2, 3>, keepdims} : (tensor<?x64x?x?xf32>) -> tensor<?x64x1x1xf32>
    %m = infer.reduce_max %x {axes = array<i64: 1>} : (tensor<?x10xi32>) -> tensor<?xi32>
    %l = infer.reduce_log_sum_exp %x {axes = array<i64: 1>} : (tensor<4x10xf32>) -> tensor<4xf32>
    %i = infer.arg_max %x {axis = 1 : i64, keepdims, select_last_index} : (tensor<4x10xf32>) -> tensor<4x1xi64>
    %p = infer.softmax %x {axes = array<i64: 1, 2>} : (tensor<?x10x3xf32>) -> tensor<?x10x3xf32>
    %q = infer.log_softmax %x {axes = array<i64: 2>} : (tensor<?x10x3xf32>) -> tensor<?x10x3xf32>
    %h = infer.hardmax %x {axes = array<i64: 1>} : (tensor<4x10xf32>) -> tensor<4x10xf32>

Integer sums, products and means wrap around like the element type; an
integer mean rounds towards zero. Floats narrower than f32 (f16, bf16) are
summed, and exponentiated in the softmax family, in f32, then rounded back. The reductions of an empty set are the
identities: 0 for sums, 1 for products, -inf (or the least integer) for
maxima, +inf (or the greatest integer) for minima; the mean of nothing is NaN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import ClassVar

import numpy as np
from xdsl.builder import Builder
from xdsl.dialects.builtin import DenseArrayBase, IntegerAttr, TensorType, UnitAttr, i1, i64
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import irdl_op_definition, operand_def, opt_prop_def, prop_def, result_def, traits_def
from xdsl.traits import Pure

from infer.dialects.dtypes import to_numpy
from infer.dialects.infer.base import (
    CompositeOp,
    Dim,
    InferOp,
    ShapeError,
    dims_of,
    element_of,
    i64_array,
    int_of,
    ints_of,
    is_float,
    is_int,
    tensor_type,
)
from infer.dialects.infer.constant import ConstantOp
from infer.dialects.infer.elementwise import AbsOp, AddOp, DivOp, EqualOp, ExpOp, LogOp, SelectOp, SubOp
from infer.dialects.infer.tensor import SqueezeOp


def checked_axes(axes: Sequence[int], rank: int, what: str) -> list[int]:
    """`axes` if they are normalized (in [0, rank), strictly increasing, non-empty)."""
    if not axes:
        raise ShapeError(f"{what} needs at least one axis")
    if any(not 0 <= a < rank for a in axes):
        raise ShapeError(f"{what} axes {list(axes)} must be in [0, {rank}) (normalized by the lowering)")
    if any(b <= a for a, b in pairwise(axes)):
        raise ShapeError(f"{what} axes {list(axes)} must be sorted and distinct")
    return list(axes)


def reduced_dims(dims: Sequence[Dim], axes: Sequence[int], keepdims: bool) -> list[Dim]:
    """The dims left after reducing `axes`: size 1 with keepdims, else removed."""
    if keepdims:
        return [1 if i in axes else d for i, d in enumerate(dims)]
    return [d for i, d in enumerate(dims) if i not in axes]


def _check_element(name: str, t: Attribute, *, ints: bool, bools: bool) -> Attribute:
    element = element_of(t)
    if is_float(element) or (ints and is_int(element) and element != i1) or (bools and element == i1):
        return element
    kinds = ["floating-point", *(["integer"] if ints else []), *(["i1"] if bools else [])]
    kinds_text = kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} or {kinds[-1]}"
    raise ShapeError(f"{name} needs a {kinds_text} tensor, got {t}")


class ReduceOp(InferOp):
    """Base of reductions over `axes`, keeping them as dims of size 1 with `keepdims`."""

    input = operand_def(TensorType)
    axes = prop_def(DenseArrayBase)
    keepdims = opt_prop_def(UnitAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    INTS: ClassVar[bool] = True
    BOOLS: ClassVar[bool] = False

    def __init__(self, input: SSAValue, axes: Sequence[int], keepdims: bool = False) -> None:
        self._build([input], {"axes": i64_array(axes), "keepdims": UnitAttr() if keepdims else None})

    @property
    def axes_list(self) -> list[int]:
        return list(ints_of(self.axes))

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        t = operand_types[0]
        element = _check_element(cls.name, t, ints=cls.INTS, bools=cls.BOOLS)
        dims = dims_of(t)
        axes = checked_axes(ints_of(properties["axes"]), len(dims), cls.name)
        return [tensor_type(element, reduced_dims(dims, axes, "keepdims" in properties))]


@irdl_op_definition
class ReduceSumOp(ReduceOp):
    """Sum over `axes`."""

    name = "infer.reduce_sum"


@irdl_op_definition
class ReduceMeanOp(ReduceOp):
    """Arithmetic mean over `axes` (integers: the sum divided by the count, rounded towards zero)."""

    name = "infer.reduce_mean"


@irdl_op_definition
class ReduceProdOp(ReduceOp):
    """Product over `axes`."""

    name = "infer.reduce_prod"


@irdl_op_definition
class ReduceMaxOp(ReduceOp):
    """Maximum over `axes` (NaN if any element is NaN; for i1, a logical or)."""

    name = "infer.reduce_max"
    BOOLS: ClassVar[bool] = True


@irdl_op_definition
class ReduceMinOp(ReduceOp):
    """Minimum over `axes` (NaN if any element is NaN; for i1, a logical and)."""

    name = "infer.reduce_min"
    BOOLS: ClassVar[bool] = True


@irdl_op_definition
class ReduceLogSumExpOp(ReduceOp, CompositeOp):
    """`log(sum(exp(x)))` over `axes`, computed stably as `m + log(sum(exp(x - m)))`, `m` the
    maximum (0 where the maximum is infinite)."""

    name = "infer.reduce_log_sum_exp"
    INTS: ClassVar[bool] = False

    def decompose(self, builder: Builder) -> list[SSAValue]:
        x, axes = self.input, self.axes_list
        keep = self.keepdims is not None
        rank = len(dims_of(x.type))
        dtype = to_numpy(element_of(x.type))
        peak = builder.insert(ReduceMaxOp(x, axes, keepdims=True)).result
        # An infinite maximum would turn x - m into NaN: shift by 0 there instead, so
        # that an all -inf slice gives -inf and a slice holding +inf gives +inf.
        inf = builder.insert(ConstantOp(np.full([1] * rank, np.inf, dtype))).result
        zero = builder.insert(ConstantOp(np.zeros([1] * rank, dtype))).result
        infinite = builder.insert(EqualOp(builder.insert(AbsOp(peak)).result, inf)).result
        shift = builder.insert(SelectOp(infinite, zero, peak)).result
        exp = builder.insert(ExpOp(builder.insert(SubOp(x, shift)).result)).result
        log = builder.insert(LogOp(builder.insert(ReduceSumOp(exp, axes, keepdims=keep)).result)).result
        if not keep:
            shift = builder.insert(SqueezeOp(shift, axes)).result
        return [builder.insert(AddOp(log, shift)).result]


class ArgReduceOp(InferOp):
    """Base of arg-reductions: the i64 index of an extremum along `axis`."""

    input = operand_def(TensorType)
    axis = prop_def(IntegerAttr)
    keepdims = opt_prop_def(UnitAttr)
    select_last_index = opt_prop_def(UnitAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, axis: int, keepdims: bool = False, select_last_index: bool = False) -> None:
        self._build(
            [input],
            {
                "axis": IntegerAttr(axis, i64),
                "keepdims": UnitAttr() if keepdims else None,
                "select_last_index": UnitAttr() if select_last_index else None,
            },
        )

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        t = operand_types[0]
        _check_element(cls.name, t, ints=True, bools=False)
        dims = dims_of(t)
        axes = checked_axes([int_of(properties["axis"])], len(dims), cls.name)
        if dims[axes[0]] == 0:
            raise ShapeError(f"{cls.name} axis {axes[0]} has size 0")
        return [tensor_type(i64, reduced_dims(dims, axes, "keepdims" in properties))]


@irdl_op_definition
class ArgMaxOp(ArgReduceOp):
    """Index (i64) of the maximum along `axis`: the first one, or the last with `select_last_index`."""

    name = "infer.arg_max"


@irdl_op_definition
class ArgMinOp(ArgReduceOp):
    """Index (i64) of the minimum along `axis`: the first one, or the last with `select_last_index`."""

    name = "infer.arg_min"


class AlongAxesOp(InferOp):
    """Base of float ops that normalize over the elements along `axes` (result type = input type)."""

    input = operand_def(TensorType)
    axes = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, axes: Sequence[int]) -> None:
        self._build([input], {"axes": i64_array(axes)})

    @property
    def axes_list(self) -> list[int]:
        return list(ints_of(self.axes))

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        t = operand_types[0]
        _check_element(cls.name, t, ints=False, bools=False)
        checked_axes(ints_of(properties["axes"]), len(dims_of(t)), cls.name)
        return [t]


@irdl_op_definition
class SoftmaxOp(AlongAxesOp, CompositeOp):
    """`exp(x) / sum(exp(x))` over `axes`, computed as `e = exp(x - max(x))`, `e / sum(e)`."""

    name = "infer.softmax"

    def decompose(self, builder: Builder) -> list[SSAValue]:
        shifted = _shifted(builder, self.input, self.axes_list)
        exp = builder.insert(ExpOp(shifted)).result
        total = builder.insert(ReduceSumOp(exp, self.axes_list, keepdims=True)).result
        return [builder.insert(DivOp(exp, total)).result]


@irdl_op_definition
class LogSoftmaxOp(AlongAxesOp, CompositeOp):
    """`log(softmax(x))` over `axes`, computed as `(x - max(x)) - log(sum(exp(x - max(x))))`."""

    name = "infer.log_softmax"

    def decompose(self, builder: Builder) -> list[SSAValue]:
        shifted = _shifted(builder, self.input, self.axes_list)
        exp = builder.insert(ExpOp(shifted)).result
        total = builder.insert(ReduceSumOp(exp, self.axes_list, keepdims=True)).result
        return [builder.insert(SubOp(shifted, builder.insert(LogOp(total)).result)).result]


def _shifted(builder: Builder, x: SSAValue, axes: Sequence[int]) -> SSAValue:
    """`x - max(x)` over `axes`, the stable argument of `exp`."""
    peak = builder.insert(ReduceMaxOp(x, axes, keepdims=True)).result
    return builder.insert(SubOp(x, peak)).result


@irdl_op_definition
class HardmaxOp(AlongAxesOp):
    """1 at the first maximum of each slice along `axes` (in row-major order), 0 elsewhere."""

    name = "infer.hardmax"


REDUCTION_OPS: list[type[InferOp]] = [
    ReduceSumOp, ReduceMeanOp, ReduceProdOp, ReduceMaxOp, ReduceMinOp, ReduceLogSumExpOp,
    ArgMaxOp, ArgMinOp, SoftmaxOp, LogSoftmaxOp, HardmaxOp,
]  # fmt: skip
