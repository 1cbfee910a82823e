"""Ops that move data without computing on it: reshapes, transposes, slices,
concatenation, gathers, padding, resizing, and the ops that compute shapes.

Shapes given as operands are 1-D i64 tensors, so that shapes computed at run
time (from `infer.shape_of`, for a dynamic batch) flow through ordinary ops.
Axes given as properties are normalized (in [0, rank)) by the lowering, except
where an op says otherwise.

    %u = infer.unsqueeze %b {axes = array<i64: 0, 2, 3>} : (tensor<64xf32>) -> tensor<1x64x1x1xf32>
    %s = infer.squeeze %u {axes = array<i64: 0, 2, 3>} : (tensor<1x64x1x1xf32>) -> tensor<64xf32>
    %r = infer.reshape %x : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
    %d = infer.reshape %x, %shape : (tensor<?x64x?x?xf32>, tensor<3xi64>) -> tensor<?x64x?xf32>
    %f = infer.flatten %x {axis = 1 : i64} : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
    %t = infer.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x3x8x8xf32>) -> tensor<?x8x8x3xf32>
    %c = infer.concat %a, %b {axis = 1 : i64} : (tensor<?x3xf32>, tensor<?x5xf32>) -> tensor<?x8xf32>
    %p:2 = infer.split %x {axis = 1 : i64, sizes = array<i64: 3, 5>}
           : (tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x5xf32>)
    %l = infer.slice %x {starts = array<i64: 0, 7>, ends = array<i64: 9223372036854775807, -1>,
                         steps = array<i64: 1, -2>}
           : (tensor<?x8xf32>) -> tensor<?x3xf32>
    %v = infer.dynamic_slice %x, %starts, %ends {steps = array<i64: 1, 1>}
           : (tensor<?x8xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
    %g = infer.gather %w, %i {axis = 0 : i64} : (tensor<100x16xf32>, tensor<?x4xi64>) -> tensor<?x4x16xf32>
    %e = infer.gather_elements %x, %j {axis = 1 : i64} : (tensor<2x8xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
    %q = infer.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, mode = "reflect"}
           : (tensor<?x3x8x8xf32>) -> tensor<?x3x10x10xf32>
    %z = infer.resize %x {mode = "linear", coordinate_mode = "half_pixel", scales = array<f64: 1.0, 1.0, 2.0, 2.0>}
           : (tensor<?x3x8x8xf32>) -> tensor<?x3x16x16xf32>
    %h = infer.shape_of %x {start = 0 : i64, end = 2 : i64} : (tensor<?x3x8x8xf32>) -> tensor<2xi64>
    %o = infer.broadcast_to %b, %shape : (tensor<1x3x1xf32>, tensor<3xi64>) -> tensor<?x3x?xf32>
    %k = infer.tile %x {repeats = array<i64: 1, 2>} : (tensor<?x8xf32>) -> tensor<?x16xf32>
    %n = infer.range %start, %limit, %delta : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from xdsl.dialects.builtin import (
    DenseArrayBase,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    StringAttr,
    TensorType,
    UnitAttr,
    f64,
    i64,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.traits import Pure

from infer.dialects.infer.base import (
    Dim,
    InferOp,
    Shape,
    ShapeError,
    dims_of,
    element_of,
    i64_array,
    int_of,
    ints_of,
    is_float,
    is_int,
    string_of,
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


@irdl_op_definition
class FlattenOp(InferOp):
    """The input as a matrix: dims before `axis` (in [0, rank]) make the rows, the rest the columns."""

    name = "infer.flatten"
    input = operand_def(TensorType)
    axis = prop_def(IntegerAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, axis: int) -> None:
        self._build([input], {"axis": IntegerAttr(axis, i64)})

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        dims = dims_of(operand_types[0])
        axis = int_of(properties["axis"])
        if not 0 <= axis <= len(dims):
            raise ShapeError(f"infer.flatten axis {axis} is out of range [0, {len(dims)}]")
        result = [element_count(dims[:axis]), element_count(dims[axis:])]
        return [tensor_type(element_of(operand_types[0]), result)]


def merge_dim(a: Dim, b: Dim, what: str) -> Dim:
    """Two dims that must be equal: the known one, or an error."""
    if a is None:
        return b
    if b is not None and a != b:
        raise ShapeError(f"{what} have different dims {a} and {b}")
    return a


@irdl_op_definition
class ConcatOp(InferOp):
    """Joins tensors of one rank and element type along `axis`; other dims must agree."""

    name = "infer.concat"
    inputs = var_operand_def(TensorType)
    axis = prop_def(IntegerAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$inputs attr-dict `:` functional-type(operands, results)"

    def __init__(self, inputs: Sequence[SSAValue], axis: int) -> None:
        self._build([inputs], {"axis": IntegerAttr(axis, i64)})

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        if not operand_types:
            raise ShapeError("infer.concat needs at least one operand")
        shapes = [dims_of(t) for t in operand_types]
        element = element_of(operand_types[0])
        if any(element_of(t) != element for t in operand_types):
            raise ShapeError("infer.concat operands must have one element type")
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes):
            raise ShapeError(f"infer.concat operands must have one rank, got {[len(s) for s in shapes]}")
        axis = int_of(properties["axis"])
        if not 0 <= axis < rank:
            raise ShapeError(f"infer.concat axis {axis} is out of range for rank {rank}")
        result: list[Dim] = []
        for i in range(rank):
            if i == axis:
                sizes = [s[i] for s in shapes]
                result.append(None if None in sizes else sum(d for d in sizes if d is not None))
                continue
            dim: Dim = None
            for s in shapes:
                dim = merge_dim(dim, s[i], f"infer.concat operands (dim {i})")
            result.append(dim)
        return [tensor_type(element, result)]


@irdl_op_definition
class SplitOp(InferOp):
    """Cuts a tensor along `axis` into consecutive pieces: of lengths `sizes`, or
    into `num_outputs` pieces of `ceil(dim / num_outputs)`, the last one shorter."""

    name = "infer.split"
    input = operand_def(TensorType)
    axis = prop_def(IntegerAttr)
    sizes = opt_prop_def(DenseArrayBase)
    num_outputs = opt_prop_def(IntegerAttr)
    outputs = var_result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(
        self, input: SSAValue, axis: int, sizes: Sequence[int] | None = None, num_outputs: int | None = None
    ) -> None:
        properties: dict[str, Attribute] = {"axis": IntegerAttr(axis, i64)}
        if sizes is not None:
            properties["sizes"] = i64_array(sizes)
        if num_outputs is not None:
            properties["num_outputs"] = IntegerAttr(num_outputs, i64)
        # One variadic result group: the shape rule's types, grouped.
        types = self.shape_rule([input.type], properties)
        IRDLOperation.__init__(self, operands=[input], properties=properties, result_types=[types])

    @staticmethod
    def piece_sizes(dim: int, num_outputs: int) -> list[int]:
        """Lengths of `num_outputs` pieces of a dim of size `dim`, without `sizes`."""
        chunk = -(-dim // num_outputs)
        return [max(0, min(chunk, dim - i * chunk)) for i in range(num_outputs)]

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        dims = dims_of(operand_types[0])
        axis = int_of(properties["axis"])
        if not 0 <= axis < len(dims):
            raise ShapeError(f"infer.split axis {axis} is out of range for rank {len(dims)}")
        sizes_attr, count_attr = properties.get("sizes"), properties.get("num_outputs")
        if (sizes_attr is None) == (count_attr is None):
            raise ShapeError("infer.split needs exactly one of sizes and num_outputs")
        lengths: list[Dim]
        if sizes_attr is not None:
            sizes = list(ints_of(sizes_attr))
            if not sizes or any(n < 0 for n in sizes):
                raise ShapeError(f"infer.split sizes {sizes} must be non-negative, at least one")
            if dims[axis] is not None and sum(sizes) != dims[axis]:
                raise ShapeError(f"infer.split sizes {sizes} do not add up to dim {axis} of size {dims[axis]}")
            lengths = list(sizes)
        else:
            count = int_of(count_attr)
            if count < 1:
                raise ShapeError(f"infer.split num_outputs must be positive, got {count}")
            size = dims[axis]
            lengths = [None] * count if size is None else list(cls.piece_sizes(size, count))
        element = element_of(operand_types[0])
        return [tensor_type(element, [n if i == axis else d for i, d in enumerate(dims)]) for n in lengths]


def slice_bounds(size: int, start: int, end: int, step: int) -> tuple[int, int, int]:
    """(first index, past-the-end index, length) of a slice of a dim of `size`:
    negative start/end count from the end, then both are clamped (numpy's rule).
    With a negative step, the past-the-end index may be -1 (before the first)."""
    if step == 0:
        raise ShapeError("slice step must not be 0")
    start = start + size if start < 0 else start
    end = end + size if end < 0 else end
    if step > 0:
        start, end = min(max(start, 0), size), min(max(end, 0), size)
        return start, end, max(0, -(-(end - start) // step))
    start, end = min(max(start, -1), size - 1), min(max(end, -1), size - 1)
    return start, end, max(0, -(-(start - end) // -step))


@irdl_op_definition
class SliceOp(InferOp):
    """Takes `start:end:step` along every dim (one entry per dim); negative start
    and end count from the end, out-of-range ones are clamped, as in numpy."""

    name = "infer.slice"
    input = operand_def(TensorType)
    starts = prop_def(DenseArrayBase)
    ends = prop_def(DenseArrayBase)
    steps = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, starts: Sequence[int], ends: Sequence[int], steps: Sequence[int]) -> None:
        self._build([input], {"starts": i64_array(starts), "ends": i64_array(ends), "steps": i64_array(steps)})

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        dims = dims_of(operand_types[0])
        starts, ends, steps = (ints_of(properties[k]) for k in ("starts", "ends", "steps"))
        if not len(starts) == len(ends) == len(steps) == len(dims):
            raise ShapeError(f"infer.slice needs {len(dims)} starts, ends and steps (one per dim)")
        if 0 in steps:
            raise ShapeError("infer.slice steps must not be 0")
        result: list[Dim] = []
        for d, start, end, step in zip(dims, starts, ends, steps, strict=True):
            if d is None:
                whole = step == 1 and start == 0 and end >= np.iinfo(np.int64).max
                result.append(d if whole else None)
                continue
            result.append(slice_bounds(d, start, end, step)[2])
        return [tensor_type(element_of(operand_types[0]), result)]


@irdl_op_definition
class DynamicSliceOp(InferOp):
    """`infer.slice` with starts and ends known at run time: 1-D i64 operands with
    one entry per dim, read with the same rules; the steps are properties."""

    name = "infer.dynamic_slice"
    input = operand_def(TensorType)
    starts = operand_def(TensorType)
    ends = operand_def(TensorType)
    steps = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input `,` $starts `,` $ends attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        input: SSAValue,
        starts: SSAValue,
        ends: SSAValue,
        steps: Sequence[int],
        result_type: Attribute | None = None,
    ) -> None:
        self._build([input, starts, ends], {"steps": i64_array(steps)}, None if result_type is None else [result_type])

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        dims = dims_of(operand_types[0])
        steps = ints_of(properties["steps"])
        for t, what in ((operand_types[1], "starts"), (operand_types[2], "ends")):
            if shape_operand_length(t, "infer.dynamic_slice", what) != len(dims):
                raise ShapeError(f"infer.dynamic_slice needs {len(dims)} {what} (one per dim)")
        if len(steps) != len(dims) or 0 in steps:
            raise ShapeError(f"infer.dynamic_slice needs {len(dims)} non-zero steps, got {list(steps)}")
        return [tensor_type(element_of(operand_types[0]), [None] * len(dims))]


def _index_type(t: Attribute, op: str) -> Shape:
    element = element_of(t)
    if not is_int(element):
        raise ShapeError(f"{op} indices must be integers, got {t}")
    return dims_of(t)


@irdl_op_definition
class GatherOp(InferOp):
    """Picks entries of `data` along `axis` at `indices` (negative ones count from
    the end): the result's dims are data's before `axis`, indices', data's after."""

    name = "infer.gather"
    data = operand_def(TensorType)
    indices = operand_def(TensorType)
    axis = prop_def(IntegerAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$data `,` $indices attr-dict `:` functional-type(operands, results)"

    def __init__(self, data: SSAValue, indices: SSAValue, axis: int) -> None:
        self._build([data, indices], {"axis": IntegerAttr(axis, i64)})

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        data = dims_of(operand_types[0])
        indices = _index_type(operand_types[1], "infer.gather")
        axis = int_of(properties["axis"])
        if not 0 <= axis < len(data):
            raise ShapeError(f"infer.gather axis {axis} is out of range for rank {len(data)}")
        return [tensor_type(element_of(operand_types[0]), [*data[:axis], *indices, *data[axis + 1 :]])]


@irdl_op_definition
class GatherElementsOp(InferOp):
    """`result[i...] = data[i... with index[axis] replaced by indices[i...]]`;
    data and indices have one rank; the result has the indices' shape."""

    name = "infer.gather_elements"
    data = operand_def(TensorType)
    indices = operand_def(TensorType)
    axis = prop_def(IntegerAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$data `,` $indices attr-dict `:` functional-type(operands, results)"

    def __init__(self, data: SSAValue, indices: SSAValue, axis: int) -> None:
        self._build([data, indices], {"axis": IntegerAttr(axis, i64)})

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        data = dims_of(operand_types[0])
        indices = _index_type(operand_types[1], "infer.gather_elements")
        axis = int_of(properties["axis"])
        if len(indices) != len(data):
            raise ShapeError(
                f"infer.gather_elements data and indices must have one rank, got {len(data)} and {len(indices)}"
            )
        if not 0 <= axis < len(data):
            raise ShapeError(f"infer.gather_elements axis {axis} is out of range for rank {len(data)}")
        return [tensor_type(element_of(operand_types[0]), indices)]


PAD_MODES = ("constant", "reflect", "edge", "wrap")


@irdl_op_definition
class PadOp(InferOp):
    """Pads each dim with `pads = [begin_0.., end_0..]` elements; a negative pad
    removes elements first. Modes: `constant` (`value`), `reflect` (mirror without
    the edge), `edge` (repeat the edge), `wrap` (continue from the other side)."""

    name = "infer.pad"
    input = operand_def(TensorType)
    pads = prop_def(DenseArrayBase)
    mode = prop_def(StringAttr, default_value=StringAttr("constant"))
    value = prop_def(FloatAttr[Float64Type], default_value=FloatAttr(0.0, f64))
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, pads: Sequence[int], mode: str = "constant", value: float = 0.0) -> None:
        self._build([input], {"pads": i64_array(pads), "mode": StringAttr(mode), "value": FloatAttr(value, f64)})

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        dims = dims_of(operand_types[0])
        pads = ints_of(properties["pads"])
        mode = string_of(properties.get("mode"), "constant")
        if mode not in PAD_MODES:
            raise ShapeError(f"infer.pad mode must be one of {', '.join(PAD_MODES)}, got '{mode}'")
        rank = len(dims)
        if len(pads) != 2 * rank:
            raise ShapeError(f"infer.pad needs {2 * rank} pads (begins then ends), got {len(pads)}")
        result: list[Dim] = []
        for i, d in enumerate(dims):
            if d is None:
                result.append(None)
                continue
            size = d + pads[i] + pads[rank + i]
            kept = d + min(pads[i], 0) + min(pads[rank + i], 0)
            if size < 0 or kept < 0:
                raise ShapeError(f"infer.pad pads {pads[i]}, {pads[rank + i]} remove more than dim {i} of size {d}")
            if mode != "constant" and kept == 0 and size > 0:
                raise ShapeError(f"infer.pad mode '{mode}' cannot pad an empty dim {i}")
            result.append(size)
        return [tensor_type(element_of(operand_types[0]), result)]


RESIZE_MODES = ("nearest", "linear", "cubic")
COORDINATE_MODES = (
    "half_pixel",
    "half_pixel_symmetric",
    "pytorch_half_pixel",
    "align_corners",
    "asymmetric",
    "tf_crop_and_resize",
)
NEAREST_MODES = ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")


def resized_dim(size: Dim, scale: float) -> Dim:
    """`floor(size * scale)`, computed in float32 as the scales are."""
    return None if size is None else int(np.float32(scale) * np.float32(size))


@irdl_op_definition
class ResizeOp(InferOp):
    """Resamples every dim by interpolation (`mode` nearest, linear or cubic, each
    dim in turn). The result dims are `sizes` (-1 keeps the input dim, with scale
    1), else `floor(dim * scale)`. An
    output coordinate `x` maps to the input coordinate given by `coordinate_mode`
    with `scale` (from `scales`, else `out / in`):

    - half_pixel: `(x + 0.5) / scale - 0.5`;
    - half_pixel_symmetric: the same, shifted by `in / 2 * (1 - out / (scale * in))`;
    - pytorch_half_pixel: half_pixel, but 0 when `out` is 1;
    - align_corners: `x * (in - 1) / (out - 1)`, 0 when `out` is 1;
    - asymmetric: `x / scale`;
    - tf_crop_and_resize: `roi_begin * (in - 1) + x * (roi_end - roi_begin) * (in - 1) / (out - 1)`
      (when `out` is 1, the centre of the roi), `extrapolation_value` outside `[0, in - 1]`.

    Nearest rounds that coordinate by `nearest_mode`; linear clamps it to
    `[0, in - 1]` and blends 2 neighbours; cubic blends 4 with Keys' kernel of
    parameter `cubic_coeff_a`, clamping indices to the edge, or with
    `exclude_outside` dropping the weights outside and renormalizing.
    """

    name = "infer.resize"
    input = operand_def(TensorType)
    mode = prop_def(StringAttr, default_value=StringAttr("nearest"))
    coordinate_mode = prop_def(StringAttr, default_value=StringAttr("half_pixel"))
    nearest_mode = prop_def(StringAttr, default_value=StringAttr("round_prefer_floor"))
    cubic_coeff_a = prop_def(FloatAttr[Float64Type], default_value=FloatAttr(-0.75, f64))
    exclude_outside = opt_prop_def(UnitAttr)
    extrapolation_value = prop_def(FloatAttr[Float64Type], default_value=FloatAttr(0.0, f64))
    scales = opt_prop_def(DenseArrayBase)
    sizes = opt_prop_def(DenseArrayBase)
    roi = opt_prop_def(DenseArrayBase)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        input: SSAValue,
        *,
        mode: str = "nearest",
        coordinate_mode: str = "half_pixel",
        nearest_mode: str = "round_prefer_floor",
        cubic_coeff_a: float = -0.75,
        exclude_outside: bool = False,
        extrapolation_value: float = 0.0,
        scales: Sequence[float] | None = None,
        sizes: Sequence[int] | None = None,
        roi: Sequence[float] | None = None,
    ) -> None:
        self._build(
            [input],
            {
                "mode": StringAttr(mode),
                "coordinate_mode": StringAttr(coordinate_mode),
                "nearest_mode": StringAttr(nearest_mode),
                "cubic_coeff_a": FloatAttr(cubic_coeff_a, f64),
                "exclude_outside": UnitAttr() if exclude_outside else None,
                "extrapolation_value": FloatAttr(extrapolation_value, f64),
                "scales": None if scales is None else DenseArrayBase.from_list(f64, list(scales)),
                "sizes": None if sizes is None else i64_array(sizes),
                "roi": None if roi is None else DenseArrayBase.from_list(f64, list(roi)),
            },
        )

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        dims = dims_of(operand_types[0])
        if not is_float(element_of(operand_types[0])) and not is_int(element_of(operand_types[0])):
            raise ShapeError(f"infer.resize needs a numeric tensor, got {operand_types[0]}")
        rank = len(dims)
        for key, allowed in (
            ("mode", RESIZE_MODES),
            ("coordinate_mode", COORDINATE_MODES),
            ("nearest_mode", NEAREST_MODES),
        ):
            value = string_of(properties.get(key), allowed[0])
            if value not in allowed:
                raise ShapeError(f"infer.resize {key} must be one of {', '.join(allowed)}, got '{value}'")
        scales_attr, sizes_attr = properties.get("scales"), properties.get("sizes")
        scales = [float(v) for v in scales_attr.get_values()] if isinstance(scales_attr, DenseArrayBase) else None
        sizes = ints_of(sizes_attr) if sizes_attr is not None else None
        if scales is None and sizes is None:
            raise ShapeError("infer.resize needs scales or sizes")
        if scales is not None and (len(scales) != rank or any(not s > 0 for s in scales)):
            raise ShapeError(f"infer.resize needs {rank} positive scales, got {scales}")
        if sizes is not None and (len(sizes) != rank or any(s < -1 for s in sizes)):
            raise ShapeError(f"infer.resize needs {rank} sizes (non-negative, or -1), got {list(sizes)}")
        roi = properties.get("roi")
        if roi is not None and len(roi.get_values()) != 2 * rank:  # type: ignore[attr-defined]
            raise ShapeError(f"infer.resize roi needs {2 * rank} values (begins then ends)")
        if string_of(properties.get("coordinate_mode")) == "tf_crop_and_resize" and roi is None:
            raise ShapeError("infer.resize coordinate_mode tf_crop_and_resize needs a roi")
        if sizes is not None:
            result: list[Dim] = [d if n == -1 else n for d, n in zip(dims, sizes, strict=True)]
        else:
            assert scales is not None
            result = [resized_dim(d, s) for d, s in zip(dims, scales, strict=True)]
        return [tensor_type(element_of(operand_types[0]), result)]


@irdl_op_definition
class ShapeOfOp(InferOp):
    """The input's dims `start` to `end` (0 <= start <= end <= rank) as a 1-D i64 tensor."""

    name = "infer.shape_of"
    input = operand_def(TensorType)
    start = prop_def(IntegerAttr)
    end = prop_def(IntegerAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, start: int = 0, end: int | None = None) -> None:
        end = len(dims_of(input.type)) if end is None else end
        self._build([input], {"start": IntegerAttr(start, i64), "end": IntegerAttr(end, i64)})

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        rank = len(dims_of(operand_types[0]))
        start, end = int_of(properties["start"]), int_of(properties["end"])
        if not 0 <= start <= end <= rank:
            raise ShapeError(f"infer.shape_of needs 0 <= start <= end <= {rank}, got {start} and {end}")
        return [tensor_type(i64, [end - start])]


@irdl_op_definition
class BroadcastToOp(InferOp):
    """Stretches the input to `shape` (a 1-D i64 tensor of the input's rank): each
    result dim is the input dim, or `shape`'s where the input dim is 1; a `shape`
    entry of 1 keeps the input dim."""

    name = "infer.broadcast_to"
    input = operand_def(TensorType)
    shape = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input `,` $shape attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, shape: SSAValue, result_type: Attribute | None = None) -> None:
        self._build([input, shape], None, None if result_type is None else [result_type])

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        dims = dims_of(operand_types[0])
        length = shape_operand_length(operand_types[1], "infer.broadcast_to")
        if length != len(dims):
            raise ShapeError(f"infer.broadcast_to shape has {length} entries, the input has rank {len(dims)}")
        return [tensor_type(element_of(operand_types[0]), [None if d in (1, None) else d for d in dims])]


@irdl_op_definition
class TileOp(InferOp):
    """Repeats the input `repeats[i]` times along each dim i."""

    name = "infer.tile"
    input = operand_def(TensorType)
    repeats = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, repeats: Sequence[int]) -> None:
        self._build([input], {"repeats": i64_array(repeats)})

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        dims = dims_of(operand_types[0])
        repeats = ints_of(properties["repeats"])
        if len(repeats) != len(dims) or any(r < 0 for r in repeats):
            raise ShapeError(f"infer.tile needs {len(dims)} non-negative repeats, got {list(repeats)}")
        result = [0 if r == 0 else None if d is None else d * r for d, r in zip(dims, repeats, strict=True)]
        return [tensor_type(element_of(operand_types[0]), result)]


@irdl_op_definition
class RangeOp(InferOp):
    """`start, start + delta, ...` up to `limit` (excluded): `max(0, ceil((limit - start) / delta))` values."""

    name = "infer.range"
    start = operand_def(TensorType)
    limit = operand_def(TensorType)
    delta = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$start `,` $limit `,` $delta attr-dict `:` functional-type(operands, results)"

    def __init__(self, start: SSAValue, limit: SSAValue, delta: SSAValue) -> None:
        self._build([start, limit, delta])

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        element = element_of(operand_types[0])
        if any(dims_of(t) != () or element_of(t) != element for t in operand_types):
            raise ShapeError("infer.range operands must be scalars (rank 0) of one element type")
        return [tensor_type(element, [None])]


TENSOR_OPS: list[type[InferOp]] = [
    UnsqueezeOp, SqueezeOp, ReshapeOp, FlattenOp, TransposeOp, ConcatOp, SplitOp, SliceOp,
    DynamicSliceOp, GatherOp, GatherElementsOp, PadOp, ResizeOp, ShapeOfOp, BroadcastToOp, TileOp, RangeOp,
]  # fmt: skip
