"""Converters for the indexing family: CumSum, CumProd, Trilu, OneHot, GatherND,
ScatterND, ScatterElements, Scatter, TopK, EyeLike, DepthToSpace, SpaceToDepth.

CumSum, CumProd, GatherND, the scatters and TopK become ops of
`infer.dialects.infer.indexing`. The others are compositions of existing ops:

- Trilu and EyeLike keep or set the entries whose column minus row compares
  with `k`: a constant mask when the matrix dims are static, else one built at
  run time from `infer.range` over the dims.
- OneHot compares the indices (negative ones counted from the end, cast to
  i64) with `range(depth)` along the new axis and selects between the two
  values; an index outside `[-depth, depth)` gives a row of off values.
- DepthToSpace and SpaceToDepth are reshape, transpose, reshape.

Inputs that ONNX gives as tensors but `infer` needs at conversion time are
read when constant; CumSum's axis, Trilu's k, OneHot's depth and values and
TopK's k may also be computed at run time.
"""

from __future__ import annotations

from xdsl.dialects.builtin import i64
from xdsl.ir import SSAValue

from infer.dialects.infer.elementwise import (
    CastOp,
)
from infer.dialects.infer.indexing import (
    CumProdOp,
    CumSumOp,
)
from infer.dialects.infer.tensor import ReshapeOp
from infer.lowering.onnx_to_infer.core import Conversion, converter
from infer.lowering.onnx_to_infer.ops.reduction import shape_checked
from infer.lowering.onnx_to_infer.ops.tensor import axis_of


def _scalar_int(c: Conversion, index: int, what: str) -> int | None:
    """A constant one-element integer input as an int; None when computed at run time."""
    array = c.const(index)
    if array is None:
        return None
    if array.size != 1:
        c.error(f"input '{what}' must hold one value, got shape {list(array.shape)}")
    return int(array.reshape(-1)[0])


def _run_time_scalar(c: Conversion, value: SSAValue, what: str) -> SSAValue:
    """A run-time one-element input as an i64 scalar (rank 0)."""
    dims = c.shape(value)
    if dims not in ((), (1,)):
        c.error(f"input '{what}' must be a scalar or have shape [1], got {list(dims)}")
    if c.element(value) != i64:
        value = c.emit(CastOp(value, i64))
    return value if dims == () else c.emit(ReshapeOp.to(value, []))


# -- CumSum, CumProd --------------------------------------------------------------------------------


def _cumulative(c: Conversion, op_class: type[CumSumOp] | type[CumProdOp]) -> SSAValue:
    x = c.input(0)
    rank = c.rank(x)
    if rank == 0:
        c.error("input must have rank >= 1")
    options = {"exclusive": bool(c.attr("exclusive", 0)), "reverse": bool(c.attr("reverse", 0))}
    axis = _scalar_int(c, 1, "axis")
    if axis is not None:
        return c.emit(op_class(x, axis_of(c, axis, rank), **options))
    value = c.input(1)
    if c.shape(value) not in ((), (1,)):
        c.error(f"input 'axis' must be a scalar or have shape [1], got {list(c.shape(value))}")
    return c.emit(op_class(x, value, **options))


@converter("CumSum", since=11)
@shape_checked
def cumsum(c: Conversion) -> SSAValue:
    return _cumulative(c, CumSumOp)


@converter("CumProd", since=26)
@shape_checked
def cumprod(c: Conversion) -> SSAValue:
    return _cumulative(c, CumProdOp)
