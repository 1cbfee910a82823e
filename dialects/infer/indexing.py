"""Indexing: running sums and products, gathers and scatters by index tuples, top-k.

Indices are integer tensors; a negative index counts from the end of its dim.
An index outside `[-dim, dim)` is an error in the reference interpreter; the
C target has no error path and clamps it into `[0, dim)` (as for
`infer.gather`). Axes given as properties are normalized (in `[0, rank)`) by
the lowering.

    %s = infer.cumsum %x {axis = 1 : i64, exclusive, reverse} : (tensor<?x8xf32>) -> tensor<?x8xf32>
    %r = infer.cumsum %x, %axis : (tensor<?x8xf32>, tensor<i64>) -> tensor<?x8xf32>
    %p = infer.cumprod %x {axis = 0 : i64} : (tensor<?x8xi32>) -> tensor<?x8xi32>
    %g = infer.gather_nd %data, %idx {batch_dims = 1 : i64}
           : (tensor<2x5x4xf32>, tensor<2x3x1xi64>) -> tensor<2x3x4xf32>
    %n = infer.scatter_nd %data, %idx, %upd {reduction = "add"}
           : (tensor<5x4xf32>, tensor<3x1xi64>, tensor<3x4xf32>) -> tensor<5x4xf32>
    %e = infer.scatter_elements %data, %idx, %upd {axis = 1 : i64, reduction = "max"}
           : (tensor<3x5xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x5xf32>
    %v, %i = infer.top_k %x, %k {axis = 1 : i64, largest}
           : (tensor<?x10xf32>, tensor<1xi64>) -> (tensor<?x3xf32>, tensor<?x3xi64>)

Running sums and products accumulate in the element type, in order along the
axis (integers wrap around). Scatters apply their updates in row-major order
of the indices, so with `reduction = "none"` the last update of a duplicated
index wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from xdsl.dialects.builtin import IntegerAttr, StringAttr, TensorType, UnitAttr, i1, i64
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure

from infer.dialects.infer.base import (
    Dim,
    InferOp,
    Shape,
    ShapeError,
    dims_of,
    element_of,
    int_of,
    is_float,
    is_int,
    string_of,
    tensor_type,
)


def _numeric(name: str, t: Attribute) -> Attribute:
    element = element_of(t)
    if not (is_float(element) or (is_int(element) and element != i1)):
        raise ShapeError(f"{name} needs a numeric (not i1) tensor, got {t}")
    return element


def _indices(name: str, t: Attribute, what: str = "indices") -> Shape:
    if not is_int(element_of(t)) or element_of(t) == i1:
        raise ShapeError(f"{name} {what} must be integers, got {t}")
    return dims_of(t)


def _scalar_operand(name: str, t: Attribute, what: str) -> None:
    """A run-time scalar operand: an integer tensor of one element (rank 0 or [1])."""
    dims = _indices(name, t, what)
    if dims not in ((), (1,)):
        raise ShapeError(f"{name} {what} must be a scalar or have shape [1], got {t}")


def _axis(name: str, properties: Mapping[str, Attribute], rank: int) -> int:
    axis = int_of(properties["axis"])
    if not 0 <= axis < rank:
        raise ShapeError(f"{name} axis {axis} must be in [0, {rank}) (normalized by the lowering)")
    return axis


def _same_dims(name: str, a: Shape, b: Shape, what: str) -> None:
    if len(a) != len(b) or any(x is not None and y is not None and x != y for x, y in zip(a, b, strict=True)):
        raise ShapeError(f"{name} {what}: {list(a)} and {list(b)}")


# -- running sums and products -------------------------------------------------------------


class CumulativeOp(InferOp):
    """Base of running reductions along one axis: the `axis` property, or an `axis`
    operand read at run time (a scalar integer, negative counting from the end)."""

    input = operand_def(TensorType)
    axis_value = opt_operand_def(TensorType)
    axis = opt_prop_def(IntegerAttr)
    exclusive = opt_prop_def(UnitAttr)
    reverse = opt_prop_def(UnitAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input (`,` $axis_value^)? attr-dict `:` functional-type(operands, results)"

    def __init__(
        self, input: SSAValue, axis: int | SSAValue, *, exclusive: bool = False, reverse: bool = False
    ) -> None:
        self._build(
            [input, axis if isinstance(axis, SSAValue) else None],
            {
                "axis": None if isinstance(axis, SSAValue) else IntegerAttr(axis, i64),
                "exclusive": UnitAttr() if exclusive else None,
                "reverse": UnitAttr() if reverse else None,
            },
        )

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        x = operand_types[0]
        _numeric(cls.name, x)
        rank = len(dims_of(x))
        if rank == 0:
            raise ShapeError(f"{cls.name} needs an input of rank >= 1")
        if len(operand_types) == 2:
            if "axis" in properties:
                raise ShapeError(f"{cls.name} takes its axis as a property or as an operand, not both")
            _scalar_operand(cls.name, operand_types[1], "axis")
        elif "axis" not in properties:
            raise ShapeError(f"{cls.name} needs an axis (a property or an operand)")
        else:
            _axis(cls.name, properties, rank)
        return [x]


@irdl_op_definition
class CumSumOp(CumulativeOp):
    """Running sum along an axis; `exclusive` leaves out the element itself, `reverse` runs from the end."""

    name = "infer.cumsum"


@irdl_op_definition
class CumProdOp(CumulativeOp):
    """Running product along an axis; `exclusive` leaves out the element itself, `reverse` runs from the end."""

    name = "infer.cumprod"


# -- gathers and scatters by index tuples ------------------------------------------------------


def gather_nd_dims(data: Shape, indices: Shape, batch_dims: int, name: str = "infer.gather_nd") -> list[Dim]:
    """The result dims of a gather by index tuples (also checks the operands)."""
    if not indices:
        raise ShapeError(f"{name} indices must have rank >= 1")
    depth = indices[-1]
    if depth is None:
        raise ShapeError(f"{name} indices must have a static last dim (the index tuple length)")
    if not 0 <= batch_dims < min(len(data), len(indices)):
        raise ShapeError(f"{name} batch_dims {batch_dims} must be below the ranks of data and indices")
    if not 1 <= depth <= len(data) - batch_dims:
        raise ShapeError(
            f"{name} index tuples of length {depth} do not fit data of rank {len(data)} with {batch_dims} batch dims"
        )
    _same_dims(name, data[:batch_dims], indices[:batch_dims], "batch dims of data and indices differ")
    batch = [d if d is not None else i for d, i in zip(data[:batch_dims], indices[:batch_dims], strict=True)]
    return [*batch, *indices[batch_dims:-1], *data[batch_dims + depth :]]


@irdl_op_definition
class GatherNDOp(InferOp):
    """Slices of `data` at the index tuples in the last dim of `indices`, after `batch_dims` shared dims."""

    name = "infer.gather_nd"
    data = operand_def(TensorType)
    indices = operand_def(TensorType)
    batch_dims = prop_def(IntegerAttr, default_value=IntegerAttr(0, i64))
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$data `,` $indices attr-dict `:` functional-type(operands, results)"

    def __init__(self, data: SSAValue, indices: SSAValue, batch_dims: int = 0) -> None:
        self._build([data, indices], {"batch_dims": IntegerAttr(batch_dims, i64)})

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        data = dims_of(operand_types[0])
        indices = _indices(cls.name, operand_types[1])
        dims = gather_nd_dims(data, indices, int_of(properties.get("batch_dims")), cls.name)
        return [tensor_type(element_of(operand_types[0]), dims)]


REDUCTIONS = ("none", "add", "mul", "max", "min")


def _reduction(name: str, properties: Mapping[str, Attribute]) -> str:
    reduction = string_of(properties.get("reduction"), "none")
    if reduction not in REDUCTIONS:
        raise ShapeError(f"{name} reduction must be one of {', '.join(REDUCTIONS)}, got '{reduction}'")
    return reduction


class ScatterOp(InferOp):
    """Base of scatters: a copy of `data` with `updates` written (or combined by
    `reduction`) at the places `indices` name."""

    data = operand_def(TensorType)
    indices = operand_def(TensorType)
    updates = operand_def(TensorType)
    reduction = prop_def(StringAttr, default_value=StringAttr("none"))
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)"

    @classmethod
    def check_updates(cls, data: Shape, indices: Shape, updates: Shape, properties: Mapping[str, Attribute]) -> None:
        raise NotImplementedError

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        data, updates = operand_types[0], operand_types[2]
        if element_of(updates) != element_of(data):
            raise ShapeError(f"{cls.name} data and updates must have one element type, got {data} and {updates}")
        reduction = _reduction(cls.name, properties)
        if reduction != "none":
            _numeric(cls.name, data)
        indices = _indices(cls.name, operand_types[1])
        cls.check_updates(dims_of(data), indices, dims_of(updates), properties)
        return [data]


@irdl_op_definition
class ScatterNDOp(ScatterOp):
    """A copy of `data` whose slices at the index tuples in the last dim of `indices`
    are `updates` (or combined with them by `reduction`)."""

    name = "infer.scatter_nd"

    def __init__(self, data: SSAValue, indices: SSAValue, updates: SSAValue, reduction: str = "none") -> None:
        self._build([data, indices, updates], {"reduction": StringAttr(reduction)})

    @classmethod
    def check_updates(cls, data: Shape, indices: Shape, updates: Shape, properties: Mapping[str, Attribute]) -> None:
        if not indices or indices[-1] is None:
            raise ShapeError(f"{cls.name} indices must have rank >= 1 and a static last dim")
        depth = indices[-1]
        if not 1 <= depth <= len(data):
            raise ShapeError(f"{cls.name} index tuples of length {depth} do not fit data of rank {len(data)}")
        _same_dims(cls.name, updates, (*indices[:-1], *data[depth:]), "updates must have shape indices[:-1] + data[k:]")


@irdl_op_definition
class ScatterElementsOp(ScatterOp):
    """A copy of `data` where each update goes to its own position with the index along
    `axis` replaced by the matching entry of `indices` (or is combined there by `reduction`)."""

    name = "infer.scatter_elements"
    axis = prop_def(IntegerAttr)

    def __init__(
        self, data: SSAValue, indices: SSAValue, updates: SSAValue, axis: int, reduction: str = "none"
    ) -> None:
        self._build([data, indices, updates], {"axis": IntegerAttr(axis, i64), "reduction": StringAttr(reduction)})

    @classmethod
    def check_updates(cls, data: Shape, indices: Shape, updates: Shape, properties: Mapping[str, Attribute]) -> None:
        _axis(cls.name, properties, len(data))
        _same_dims(cls.name, indices, updates, "indices and updates must have one shape")
        if len(indices) != len(data):
            raise ShapeError(f"{cls.name} data and indices must have one rank, got {len(data)} and {len(indices)}")


# -- top-k -----------------------------------------------------------------------------------------------


@irdl_op_definition
class TopKOp(InferOp):
    """The `k` largest (or, without `largest`, smallest) entries along `axis`, in order,
    and their indices; equal values keep the order of their indices, NaN is above every number."""

    name = "infer.top_k"
    input = operand_def(TensorType)
    k = operand_def(TensorType)
    axis = prop_def(IntegerAttr)
    largest = opt_prop_def(UnitAttr)
    values = result_def(TensorType)
    indices = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input `,` $k attr-dict `:` functional-type(operands, results)"

    def __init__(
        self, input: SSAValue, k: SSAValue, axis: int, *, largest: bool = True, count: int | None = None
    ) -> None:
        """`count`: the value of `k` when the caller knows it (it makes the result dim static)."""
        properties: dict[str, Attribute | None] = {
            "axis": IntegerAttr(axis, i64),
            "largest": UnitAttr() if largest else None,
        }
        result_types = None
        if count is not None:
            dims = list(dims_of(input.type))
            dims[axis] = count
            result_types = [tensor_type(element_of(input.type), dims), tensor_type(i64, dims)]
        self._build([input, k], properties, result_types)

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        x = operand_types[0]
        _numeric(cls.name, x)
        dims = list(dims_of(x))
        axis = _axis(cls.name, properties, len(dims))
        if element_of(operand_types[1]) != i64 or dims_of(operand_types[1]) not in ((), (1,)):
            raise ShapeError(f"{cls.name} k must be an i64 scalar or have shape [1], got {operand_types[1]}")
        dims[axis] = None
        return [tensor_type(element_of(x), dims), tensor_type(i64, dims)]


INDEXING_OPS: list[type[InferOp]] = [
    CumSumOp,
    CumProdOp,
    GatherNDOp,
    ScatterNDOp,
    ScatterElementsOp,
    TopKOp,
]
