"""Ops that move data without computing on it: reshapes, transposes, slices, concatenation.

Shapes given as operands are 1-D i64 tensors. Axes and positions given as
properties are already normalized by the lowering where the op says so.

    %u = infer.unsqueeze %b {axes = array<i64: 0, 2, 3>} : (tensor<64xf32>) -> tensor<1x64x1x1xf32>
    %s = infer.squeeze %u {axes = array<i64: 0, 2, 3>} : (tensor<1x64x1x1xf32>) -> tensor<64xf32>
    %r = infer.reshape %x : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
    %d = infer.reshape %x, %shape : (tensor<?x64x?x?xf32>, tensor<3xi64>) -> tensor<?x64x?xf32>
    %t = infer.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x3x8x8xf32>) -> tensor<?x8x8x3xf32>
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from xdsl.dialects.builtin import DenseArrayBase, TensorType, i64
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import irdl_op_definition, operand_def, opt_operand_def, prop_def, result_def, traits_def
from xdsl.traits import Pure

from infer.dialects.infer.base import (
    Dim,
    InferOp,
    ShapeError,
    dims_of,
    element_of,
    i64_array,
    ints_of,
    tensor_type,
)


def normalized_axes(axes: Sequence[int], rank: int, what: str) -> list[int]:
    """Axes in [0, rank), sorted, each once; negative axes count from the end."""
    result: list[int] = []
    for axis in axes:
        if not -rank <= axis < rank:
            raise ShapeError(f"{what} axis {axis} is out of range for rank {rank}")
        result.append(axis % rank)
    if len(set(result)) != len(result):
        raise ShapeError(f"{what} axes {list(axes)} repeat an axis")
    return sorted(result)


@irdl_op_definition
class UnsqueezeOp(InferOp):
    """Inserts dims of size 1 at `axes` (positions in the result)."""

    name = "infer.unsqueeze"
    input = operand_def(TensorType)
    axes = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, axes: Sequence[int]) -> None:
        self._build([input], {"axes": i64_array(axes)})

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        dims = dims_of(operand_types[0])
        rank = len(dims) + len(ints_of(properties["axes"]))
        axes = normalized_axes(ints_of(properties["axes"]), rank, "infer.unsqueeze")
        rest = iter(dims)
        result: list[Dim] = [1 if i in axes else next(rest) for i in range(rank)]
        return [tensor_type(element_of(operand_types[0]), result)]


@irdl_op_definition
class SqueezeOp(InferOp):
    """Removes the dims at `axes`, each of size 1 (checked at run time when dynamic)."""

    name = "infer.squeeze"
    input = operand_def(TensorType)
    axes = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, axes: Sequence[int]) -> None:
        self._build([input], {"axes": i64_array(axes)})

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        dims = dims_of(operand_types[0])
        axes = normalized_axes(ints_of(properties["axes"]), len(dims), "infer.squeeze")
        for axis in axes:
            if dims[axis] not in (1, None):
                raise ShapeError(f"infer.squeeze axis {axis} has size {dims[axis]}, not 1")
        result = [d for i, d in enumerate(dims) if i not in axes]
        return [tensor_type(element_of(operand_types[0]), result)]


def shape_operand_length(t: Attribute, op: str, what: str = "shape") -> int:
    """The static length of a 1-D i64 shape operand."""
    dims = dims_of(t)
    if element_of(t) != i64 or len(dims) != 1:
        raise ShapeError(f"{op} {what} must be a 1-D i64 tensor, got {t}")
    if dims[0] is None:
        raise ShapeError(f"{op} {what} must have a static length, got {t}")
    return dims[0]


def element_count(dims: Sequence[Dim]) -> Dim:
    """The number of elements, None if a dim is dynamic."""
    count = 1
    for d in dims:
        if d is None:
            return None
        count *= d
    return count


@irdl_op_definition
class ReshapeOp(InferOp):
    """The input's elements in row-major order, in a new shape: the values of the
    `shape` operand, or else the result type.

    A `shape` operand holds sizes, 0 included (ONNX's "0 copies the input dim" is
    resolved by the lowering), and at most one -1, inferred from the element
    count. Without the operand, the result type is the shape and at most one of
    its dims is dynamic: that one is inferred from the element count.
    """

    name = "infer.reshape"
    input = operand_def(TensorType)
    shape = opt_operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input (`,` $shape^)? attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, shape: SSAValue | None = None, result_type: Attribute | None = None) -> None:
        if shape is None and result_type is None:
            raise ValueError("infer.reshape without a shape operand needs its result type")
        self._build([input, shape], None, None if result_type is None else [result_type])

    @staticmethod
    def to(input: SSAValue, dims: Sequence[Dim]) -> ReshapeOp:
        """A reshape of `input` to `dims` (at most one None, inferred), without a shape operand."""
        return ReshapeOp(input, None, tensor_type(element_of(input.type), dims))

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        if len(operand_types) != 2:
            raise ShapeError("infer.reshape without a shape operand takes its shape from its result type")
        x = operand_types[0]
        dims_of(x)
        rank = shape_operand_length(operand_types[1], "infer.reshape")
        count = element_count(dims_of(x))
        if rank == 1 and count is not None:
            return [tensor_type(element_of(x), [count])]
        return [tensor_type(element_of(x), [None] * rank)]

    @classmethod
    def static_shape_rule(cls, input_type: Attribute, result_type: Attribute) -> list[Attribute]:
        """The rule without a shape operand: the result type, checked against the input."""
        dims = dims_of(result_type)
        if element_of(result_type) != element_of(input_type):
            raise ShapeError(f"infer.reshape must keep the element type, got {input_type} and {result_type}")
        if any(d is not None and d < 0 for d in dims):
            raise ShapeError(f"infer.reshape result dims must be non-negative, got {result_type}")
        unknown = [i for i, d in enumerate(dims) if d is None]
        if len(unknown) > 1:
            raise ShapeError(f"infer.reshape without a shape operand allows one dynamic result dim, got {result_type}")
        count = element_count(dims_of(input_type))
        known = element_count([d for d in dims if d is not None])
        assert known is not None
        if count is None:
            return [result_type]
        if not unknown:
            if known != count:
                raise ShapeError(f"infer.reshape cannot change {count} elements into {known}")
            return [result_type]
        if known == 0 or count % known:
            raise ShapeError(f"infer.reshape cannot infer a dim: {count} elements, {known} in the other dims")
        inferred = list(dims)
        inferred[unknown[0]] = count // known
        return [tensor_type(element_of(result_type), inferred)]

    def inferred_result_types(self) -> list[Attribute]:
        if self.shape is None:
            return self.static_shape_rule(self.input.type, self.result.type)
        return self.shape_rule([v.type for v in self.operands], self.properties)


@irdl_op_definition
class TransposeOp(InferOp):
    """Permutes the dims: result dim i is input dim `perm[i]`."""

    name = "infer.transpose"
    input = operand_def(TensorType)
    perm = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, perm: Sequence[int]) -> None:
        self._build([input], {"perm": i64_array(perm)})

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        dims = dims_of(operand_types[0])
        perm = ints_of(properties["perm"])
        if sorted(perm) != list(range(len(dims))):
            raise ShapeError(f"infer.transpose perm {list(perm)} is not a permutation of {len(dims)} dims")
        return [tensor_type(element_of(operand_types[0]), [dims[p] for p in perm])]


TENSOR_OPS: list[type[InferOp]] = [UnsqueezeOp, SqueezeOp, ReshapeOp, TransposeOp]
