"""Ops that move data without computing on it: reshapes, transposes, slices, concatenation.

%u = infer.unsqueeze %b {axes = array<i64: 0, 2, 3>} : (tensor<64xf32>) -> tensor<1x64x1x1xf32>
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from xdsl.dialects.builtin import DenseArrayBase, TensorType
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import irdl_op_definition, operand_def, prop_def, result_def, traits_def
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


TENSOR_OPS: list[type[InferOp]] = [UnsqueezeOp]
