"""`fold-constants`: evaluates at compile time every op whose operands are constants.

An `infer` op whose operands are all `infer.constant`s is run once through
its reference semantics (`infer.runtime.interpreter.execute`, the definition
of every op) and replaced by an `infer.constant` holding the result, at the
location of the op (its node name). The walk visits ops in program order and
revisits the users of each folded op, so chains fold in one pass:

    %s = infer.shape_of %x {start = 0 : i64, end = 2 : i64} : (tensor<1x64x7x7xf32>) -> tensor<2xi64>
    %g = infer.gather %s, %one {axis = 0 : i64} : (tensor<2xi64>, tensor<i64>) -> tensor<i64>
    ==>
    %g = infer.constant dense<64> : tensor<i64>

What folds:

- `infer.shape_of` of a value whose dims in `[start, end)` are static, even
  though the value itself is not a constant (the shape subgraphs exporters
  emit: shape, gather, unsqueeze, concat, slice, reshape); and entries picked
  from the shape of a partly dynamic value (gather, slice, concat, reshape,
  squeeze, unsqueeze, select with a constant condition) when every picked
  entry is a static dim: `gather(shape_of(x), [1, 2])` of a `?x3x8x8`;
- fills, without materializing their bytes: `infer.fill` with a constant
  shape; elementwise ops (arithmetic, comparisons, casts, select, clip, the
  activations) whose operands are all splats, computed on one element;
  data-movement ops of a splat (reshape, flatten, transpose, squeeze,
  unsqueeze, broadcast_to, slice, split, tile, concat of equal splats, gather,
  pad by the splat's own value or by copying edges): the splat's element
  moves to a splat of the result shape;
- any other op with constant operands, when each result has at most
  `max-elements` elements (results above that are not even computed; a result
  whose elements all have the same bytes is stored as a splat).

Ops without reference semantics, with side effects, or whose evaluation fails
(an index out of range, a negative fill dim) are left for run time. A folded
value whose shape the declared type left dynamic (`infer.range`, a fill, a
reshape to a computed shape) gets the constant's static type, and its users'
result types are refined to match, as their shape rules give them; where that
would reach a `func.return` or an op outside the `infer` dialect with a
changed type, the op is not folded.

As in MLIR's greedy pattern driver, ops without uses and without side
effects are erased on the way (the operands a fold leaves unused among them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.traits import is_side_effect_free

from infer.diagnostics import InferError
from infer.dialects.constants import numpy_to_dense
from infer.dialects.dtypes import UnsupportedElementType, to_numpy
from infer.dialects.infer.activation import ACTIVATION_OPS
from infer.dialects.infer.base import (
    InferOp,
    ShapeError,
    dims_of,
    element_of,
    float_of,
    int_of,
    ints_of,
    string_of,
    tensor_type,
)
from infer.dialects.infer.constant import ConstantOp, FillOp, constant_value
from infer.dialects.infer.elementwise import ELEMENTWISE_OPS, CastOp, SelectOp
from infer.dialects.infer.tensor import (
    BroadcastToOp,
    ConcatOp,
    DynamicSliceOp,
    FlattenOp,
    GatherOp,
    PadOp,
    ReshapeOp,
    ShapeOfOp,
    SliceOp,
    SplitOp,
    SqueezeOp,
    TileOp,
    TransposeOp,
    UnsqueezeOp,
)
from infer.runtime.interpreter import execute, has_semantics
from infer.transforms.patterns import uniform

DEFAULT_MAX_ELEMENTS = 1 << 24
"""16M elements: above the largest weight of the usual CNNs (ResNet-50's is 2.4M)."""

ELEMENTWISE: tuple[type[InferOp], ...] = (*ELEMENTWISE_OPS, *ACTIVATION_OPS)
"""Ops that compute each result element from the operand elements at the same
(broadcast) position: on splats, one element gives the whole result."""

VIEW_OPS: tuple[type[InferOp], ...] = (
    ReshapeOp,
    FlattenOp,
    TransposeOp,
    SqueezeOp,
    UnsqueezeOp,
    BroadcastToOp,
    SliceOp,
    DynamicSliceOp,
    SplitOp,
)
"""Data-movement ops whose reference semantics return numpy views: run on a
splat (a zero-stride view), they produce zero-stride views, so the reference
itself checks them at no cost in memory."""


# -- constants and types ------------------------------------------------------------------------


def splat_element(value: SSAValue) -> np.ndarray | None:
    """The one element (as a 0-d array) of a constant with all elements equal by
    construction (a splat, or a single element), else None."""
    owner = value.owner
    if not isinstance(owner, ConstantOp):
        return None
    array = constant_value(value)
    if array is None or array.size == 0:
        return None
    if array.size != 1 and not owner.is_splat:
        return None
    return array.reshape(-1)[:1].reshape(())


def meet(declared: Attribute, inferred: Attribute) -> TensorType | None:
    """The most precise type both describe (static dims from either), None if they conflict."""
    if not isinstance(declared, TensorType) or not isinstance(inferred, TensorType):
        return None
    if declared.element_type != inferred.element_type:
        return None
    a, b = dims_of(declared), dims_of(inferred)
    if len(a) != len(b):
        return None
    dims: list[int | None] = []
    for x, y in zip(a, b, strict=True):
        if x is not None and y is not None and x != y:
            return None
        dims.append(x if x is not None else y)
    return tensor_type(declared.element_type, dims)


def inferred_types(op: InferOp, operand_types: Sequence[Attribute]) -> list[Attribute]:
    """`op`'s shape rule applied to `operand_types` (instead of its operands' own types)."""
    if isinstance(op, CastOp):
        return [tensor_type(element_of(op.result.type), dims_of(operand_types[0]))]
    if isinstance(op, ReshapeOp) and op.shape is None:
        return ReshapeOp.static_shape_rule(operand_types[0], op.result.type)
    return type(op).shape_rule(operand_types, op.properties)


def static_result_types(op: InferOp) -> list[TensorType] | None:
    """The result types with every dim static (declared, or given by the shape rule), else None."""
    try:
        inferred = op.inferred_result_types()
    except (ShapeError, NotImplementedError):
        return None
    types: list[TensorType] = []
    for result, rule in zip(op.results, inferred, strict=True):
        t = meet(result.type, rule)
        if t is None or not t.has_static_shape():
            return None
        types.append(t)
    return types


def refinements(op: Operation, new_types: Sequence[Attribute]) -> list[tuple[SSAValue, Attribute]] | None:
    """The result types to refine after `op`'s results take `new_types`: each user's
    shape rule may now give static dims its declared types leave dynamic. None if a
    changed type would reach an op that cannot take it (a `func.return`, an op of
    another dialect) or contradict a declared type."""
    changed: dict[SSAValue, Attribute] = {r: t for r, t in zip(op.results, new_types, strict=True) if r.type != t}
    refined: dict[SSAValue, Attribute] = {}
    queue = list(changed)
    while queue:
        value = queue.pop(0)
        for use in value.uses:
            user = use.operation
            if not isinstance(user, InferOp):
                return None
            try:
                inferred = inferred_types(user, [changed.get(v, v.type) for v in user.operands])
            except (ShapeError, NotImplementedError):
                return None
            for result, rule in zip(user.results, inferred, strict=True):
                current = changed.get(result, result.type)
                new = meet(current, rule)
                if new is None:
                    return None
                if new != current:
                    changed[result] = refined[result] = new
                    queue.append(result)
    return list(refined.items())


def replace_with_constants(rewriter: PatternRewriter, op: Operation, constants: Sequence[ConstantOp]) -> None:
    """Replaces `op`'s results by `constants` (at `op`'s location), refining users' types."""
    refined = refinements(op, [c.result.type for c in constants])
    if refined is None:
        return
    for constant in constants:
        constant.location = op.location
    rewriter.replace(op, list(constants), [c.result for c in constants])
    for value, t in refined:
        rewriter.replace_value_with_new_type(value, t)


def splat_constant(value: float | int | np.generic, t: TensorType) -> ConstantOp:
    """A constant of type `t` (static) with every element `value`: stored as one element,
    except for a one-element type, whose constant holds that element in its own shape."""
    if t.element_count() == 1:
        array = np.asarray(value, dtype=to_numpy(t.element_type)).reshape(t.get_shape())
        return ConstantOp(numpy_to_dense(array, t), t)
    return ConstantOp.splat(value, t)


def dense_constant(array: np.ndarray, t: TensorType) -> ConstantOp:
    """A constant of type `t` (static) holding `array`, as a splat if its elements are all equal."""
    if array.size > 1 and uniform(array):
        return splat_constant(array.reshape(-1)[0], t)
    return ConstantOp(numpy_to_dense(np.asarray(array), t), t)


def has_numpy_types(values: Sequence[SSAValue]) -> bool:
    """True if every value is a tensor of an element type numpy can hold (not bf16, f8, ...)."""
    for value in values:
        if not isinstance(value.type, TensorType):
            return False
        try:
            to_numpy(value.type.element_type)
        except UnsupportedElementType:
            return False
    return True


def foldable(op: Operation) -> bool:
    """An `infer` op (not a constant) without side effects that has reference
    semantics, on element types numpy can hold."""
    return (
        isinstance(op, InferOp)
        and not isinstance(op, ConstantOp)
        and is_side_effect_free(op)
        and has_semantics(type(op))
        and has_numpy_types([*op.operands, *op.results])
    )


def run(op: Operation, operands: Sequence[np.ndarray]) -> list[np.ndarray] | None:
    """The op's results through its reference semantics; None where it fails (left for run time)."""
    try:
        return execute(op, operands)
    except InferError:
        return None


# -- patterns --------------------------------------------------------------------------------------


class FoldShapeOf(RewritePattern):
    """`infer.shape_of` of static dims: a constant, whatever the value is."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ShapeOfOp, rewriter: PatternRewriter) -> None:
        dims = dims_of(op.input.type)[int(op.start.value.data) : int(op.end.value.data)]
        if any(d is None for d in dims):
            return
        replace_with_constants(rewriter, op, [ConstantOp(np.asarray(dims, dtype=np.int64).reshape(-1))])


SHAPE_DATA_OPERANDS: dict[type[InferOp], tuple[int, ...] | None] = {
    GatherOp: (0,),
    SliceOp: (0,),
    ReshapeOp: (0,),
    SqueezeOp: (0,),
    UnsqueezeOp: (0,),
    ConcatOp: None,
    SelectOp: (1, 2),
}
"""Ops that pick entries of a shape, and which of their operands carry entries
(None: all of them); the others (indices, a select's condition) must be constants."""


class FoldStaticShapeEntries(RewritePattern):
    """Entries picked from `infer.shape_of` of a partly dynamic value: a constant when
    every picked entry is a static dim (`gather(shape_of(x), 1)` of a `?x3x8x8`)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, InferOp) or type(op) not in SHAPE_DATA_OPERANDS or not foldable(op):
            return
        data = SHAPE_DATA_OPERANDS[type(op)]
        positions = range(len(op.operands)) if data is None else data
        values: list[np.ndarray] = []
        unknown: list[np.ndarray] = []
        for i, operand in enumerate(op.operands):
            owner = operand.owner
            if i in positions and isinstance(owner, ShapeOfOp):
                dims = dims_of(owner.input.type)[int_of(owner.start) : int_of(owner.end)]
                values.append(np.asarray([1 if d is None else d for d in dims], dtype=np.int64))
                unknown.append(np.asarray([d is None for d in dims], dtype=np.int64))
                continue
            array = constant_value(operand)
            if array is None:
                return
            values.append(array)
            unknown.append(np.zeros(array.shape, np.int64) if i in positions else array)
        if all(constant_value(v) is not None for v in op.operands):
            return  # plain constants: the other patterns fold them
        # The op picks entries: run it on the dims and on a mask of the dynamic ones.
        results, masks = run(op, values), run(op, unknown)
        if results is None or masks is None or any(m.any() for m in masks):
            return
        types = [TensorType(element_of(r.type), a.shape) for r, a in zip(op.results, results, strict=True)]
        replace_with_constants(rewriter, op, [dense_constant(a, t) for a, t in zip(results, types, strict=True)])


class FoldFill(RewritePattern):
    """`infer.fill` with a constant shape: a splat, without its bytes."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: FillOp, rewriter: PatternRewriter) -> None:
        shape = constant_value(op.shape)
        if shape is None or not has_numpy_types(op.results):
            return
        dims = [int(d) for d in shape.reshape(-1)]
        if any(d < 0 for d in dims):
            return
        t = TensorType(element_of(op.result.type), dims)
        replace_with_constants(rewriter, op, [splat_constant(op.value.value.data, t)])


class FoldSplatElementwise(RewritePattern):
    """An elementwise op on splats: computed on one element, the result a splat."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, ELEMENTWISE) or not foldable(op) or not op.operands:
            return
        elements = [splat_element(v) for v in op.operands]
        if any(e is None for e in elements):
            return
        types = static_result_types(op)
        if types is None or types[0].element_count() == 0:
            return
        rank = len(types[0].get_shape())
        # A stand-in of the op on one element: same operands and properties,
        # results of shape 1x...x1, so the reference semantics runs on 1 element.
        proxy = type(op).create(
            operands=list(op.operands),
            result_types=[TensorType(t.element_type, [1] * rank) for t in types],
            properties=dict(op.properties),
            attributes=dict(op.attributes),
        )
        try:
            results = run(proxy, [e.reshape((1,) * rank) for e in elements if e is not None])
        finally:
            proxy.drop_all_references()
        if results is None:
            return
        replace_with_constants(
            rewriter, op, [splat_constant(r.reshape(-1)[0], t) for r, t in zip(results, types, strict=True)]
        )


class FoldSplatMovement(RewritePattern):
    """A data-movement op of a splat: the splat's element in the result's shape."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, InferOp) or not foldable(op) or not op.operands:
            return
        element = splat_element(op.operands[0])
        if element is None:
            return
        arrays = [constant_value(v) for v in op.operands]
        if any(a is None for a in arrays):
            return
        operands = [a for a in arrays if a is not None]
        if isinstance(op, VIEW_OPS):
            results = run(op, operands)
            if results is None or any(r.size == 0 for r in results):
                return
            types: list[TensorType] = [TensorType(element_of(r.type), a.shape) for r, a in zip(op.results, results)]
        elif self.copies_splat(op, element, operands):
            static = static_result_types(op)
            if static is None or any(t.element_count() == 0 for t in static):
                return
            types = static
        else:
            return
        replace_with_constants(rewriter, op, [splat_constant(element.reshape(-1)[0], t) for t in types])

    @staticmethod
    def copies_splat(op: InferOp, element: np.ndarray, operands: Sequence[np.ndarray]) -> bool:
        """Whether a copying op (tile, concat, pad, gather) of a splat gives that splat,
        and cannot fail at run time."""
        if isinstance(op, TileOp):
            return True
        if isinstance(op, ConcatOp):
            others = [splat_element(v) for v in op.operands[1:]]
            return all(e is not None and e.tobytes() == element.tobytes() for e in others)
        if isinstance(op, PadOp):
            mode = string_of(op.mode, "constant")
            if mode != "constant" or all(p <= 0 for p in ints_of(op.pads)):
                return True
            try:
                fill = np.asarray(float_of(op.value)).astype(element.dtype)
            except (ValueError, OverflowError):
                return False
            return fill.tobytes() == element.tobytes()
        if isinstance(op, GatherOp):
            indices = operands[1]
            size = dims_of(op.data.type)[int(op.axis.value.data)]
            return size is not None and (indices.size == 0 or (indices.min() >= -size and indices.max() < size))
        return False


@dataclass
class FoldConstantOperands(RewritePattern):
    """Any op with constant operands, evaluated; results above `max_elements` stay."""

    max_elements: int

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not foldable(op) or not op.operands:
            return
        arrays = [constant_value(v) for v in op.operands]
        if any(a is None for a in arrays):
            return
        assert isinstance(op, InferOp)
        static = static_result_types(op)
        if static is not None and any(t.element_count() > self.max_elements for t in static):
            return
        results = run(op, [a for a in arrays if a is not None])
        if results is None:
            return
        constants: list[ConstantOp] = []
        for result, array in zip(op.results, results, strict=True):
            if array.size > self.max_elements and not uniform(array):
                return
            constants.append(dense_constant(array, TensorType(element_of(result.type), array.shape)))
        replace_with_constants(rewriter, op, constants)


@dataclass(frozen=True)
class FoldConstantsPass(ModulePass):
    """Evaluates ops whose operands are constants (and static `infer.shape_of`s) at compile time.

    Each such op runs once through its reference semantics and becomes an
    `infer.constant` at the op's location, in one walk to a fixpoint. Fills,
    elementwise ops of splats and data movement of splats fold to splats
    without materializing their bytes; other results are kept only up to
    `max-elements` elements. See the module docstring for the details.
    """

    name = "fold-constants"

    max_elements: int = DEFAULT_MAX_ELEMENTS
    """The largest number of elements a folded (non-splat) result may have;
    larger ones stay as ops, computed at run time."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        patterns: list[RewritePattern] = [
            FoldShapeOf(),
            FoldStaticShapeEntries(),
            FoldFill(),
            FoldSplatElementwise(),
            FoldSplatMovement(),
            FoldConstantOperands(self.max_elements),
        ]
        PatternRewriteWalker(GreedyRewritePatternApplier(patterns), apply_recursively=True).rewrite_module(op)
