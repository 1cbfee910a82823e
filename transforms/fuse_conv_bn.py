"""`fuse-conv-bn`: folds a batch norm after a conv, conv_transpose, gemm or matmul into its weights and bias.

An inference batch norm is a per-channel affine map, `y = x * factor + shift`
with `factor = scale / sqrt(var + eps)` and `shift = bias - mean * factor`.
After a producer that is linear per output channel it folds into that
producer's constants:

    W'[o, ...] = W[o, ...] * factor[o]        b'[o] = b[o] * factor[o] + shift[o]

- `infer.conv`: per output channel, the weight's dim 0 (`[O, C/groups, k...]`);
  a conv without bias gets one (unless the shift is all zeros).
- `infer.conv_transpose`: output channel `o = g * O_g + j` is column `j` of the
  weight rows of group `g` (`[C_in, O/groups, k...]`): the weight is scaled as
  `[groups, C_in/groups, O_g, k...]` by `factor` seen as `[groups, 1, O_g, 1...]`.
- `infer.gemm` with a constant `b`: per output column (`b`'s dim 1, or dim 0
  with `trans_b`); the new `c` is `beta * c * factor + shift`, with `beta` 1.
- `infer.matmul` with a constant rhs: per output column (the last dim); a
  rank-2 matmul becomes an `infer.gemm` whose `c` is the shift, a batched one
  a matmul and an add of the shift.

The batch norm's channel axis must be the producer's output-channel axis
(same `layout` for convs; the last dim for matrix products), the producer's
result may have no other use, it may carry no epilogue (an activation
between them blocks the fold), and its weights, bias and the batch norm's
parameters must be constants. Folding works for any size of the other
(dynamic) dims.

With `scales` (on by default), a per-channel constant `infer.mul` after such
a producer (Caffe's Scale layer; the mul that `batch-norm-to-scale-shift`
makes) folds the same way, with a zero shift.

The numbers are computed with numpy in float64 and cast once to the
weights' element type, so the result differs from the unfused pair by
rounding only. A weight that is a splat scaled by a uniform factor stays a
splat. The fused op gets the fused location of the producer and the batch
norm (it stands for the batch norm's value), the new constants locations
derived from it (`bn#constant0`: they stand for no node; see
`epilogue.derived_location`), as do ops left feeding the fused op that carried
the name of a node it consumed. Constants left without uses are erased. The
producer's discardable attributes (`infer.depthwise`) stay on the fused op.
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
from xdsl.rewriter import InsertPoint, Rewriter

from infer.dialects.dtypes import to_numpy
from infer.dialects.infer.base import (
    InferOp,
    compatible,
    dims_of,
    element_of,
    float_of,
    int_of,
    ints_of,
    string_of,
    tensor_type,
)
from infer.dialects.infer.constant import ConstantOp, constant_value
from infer.dialects.infer.elementwise import AddOp, MulOp
from infer.dialects.infer.epilogue import derived_location, fused_location, residual_of
from infer.dialects.infer.matmul import GemmOp, MatmulOp
from infer.dialects.infer.nn import ConvOp, ConvTransposeOp, channel_axis
from infer.dialects.infer.normalization import BatchNormOp
from infer.transforms.patterns import erase_dead_constants, float_dtype, only_use_is, per_channel
from infer.verify_each import node_of

Producer = ConvOp | ConvTransposeOp | GemmOp | MatmulOp
"""An op that is linear per output channel, whose weights can absorb a per-channel affine map."""


# -- helpers shared by the fusion passes --------------------------------------------------


def output_axis(producer: Operation) -> int | None:
    """The axis of `producer`'s result that indexes its output channels (columns)."""
    rank = len(dims_of(producer.results[0].type))
    if isinstance(producer, ConvOp | ConvTransposeOp):
        return channel_axis(string_of(producer.layout, "nchw"), rank)
    if isinstance(producer, GemmOp | MatmulOp):
        return rank - 1
    return None


def make_constant(values: np.ndarray, result_type: TensorType) -> ConstantOp:
    """A constant of `result_type` holding `values` (broadcast to its shape, cast to
    its element type); a splat when every element is equal."""
    dtype = to_numpy(result_type.element_type)
    cast = np.asarray(values).astype(dtype, copy=False)
    first = cast.reshape(-1)[:1]
    if first.size and bool((cast == first[0]).all()):
        return ConstantOp.splat(first[0], result_type)
    shape = tuple(result_type.get_shape())
    return ConstantOp(np.ascontiguousarray(np.broadcast_to(cast, shape)))


def scaled_weight(weight: SSAValue, factor: np.ndarray, layout: Sequence[int], view: Sequence[int]) -> ConstantOp:
    """`weight` (a constant) times `factor`, in float64 then cast back: the weight
    is seen with shape `layout` and `factor` with shape `view` (broadcastable)."""
    array = constant_value(weight)
    assert array is not None
    t = weight.type
    assert isinstance(t, TensorType)
    owner = weight.owner
    factor_view = factor.reshape(view)
    new = _scaled_weight(array, owner, t, factor_view, layout)
    new.result.name_hint = weight.name_hint
    return new


def _scaled_weight(
    array: np.ndarray, owner: object, t: TensorType, factor_view: np.ndarray, layout: Sequence[int]
) -> ConstantOp:
    if isinstance(owner, ConstantOp) and owner.is_splat:
        # Keep the splat compact: its one value times each factor, broadcast at the end.
        per_factor = np.float64(array.reshape(-1)[0]) * factor_view
        if bool((per_factor == per_factor.reshape(-1)[0]).all()):
            return ConstantOp.splat(to_numpy(t.element_type).type(per_factor.reshape(-1)[0]), t)
        dtype = to_numpy(t.element_type)
        full = np.broadcast_to(per_factor.astype(dtype), tuple(layout)).reshape(t.get_shape())
        return ConstantOp(np.ascontiguousarray(full))
    scaled = np.asarray(array, np.float64).reshape(layout) * factor_view
    return ConstantOp(scaled.astype(array.dtype).reshape(array.shape))


def with_result_type(op: InferOp, result_type: Attribute) -> InferOp:
    """`op` (not yet inserted) with its result typed `result_type` when that is a
    refinement of what its shape rule gave (the type of the value it replaces)."""
    current = op.results[0].type
    if current != result_type and compatible(result_type, current):
        Rewriter.replace_value_with_new_type(op.results[0], result_type)
    return op


def keep_attributes(old: Operation, new_ops: Sequence[Operation]) -> None:
    """Copies `old`'s discardable attributes (marks such as `infer.depthwise`) to the
    new ops of its type that replace it."""
    for new_op in new_ops:
        if type(new_op) is type(old):
            new_op.attributes.update(old.attributes)


def replace_fused(
    rewriter: PatternRewriter,
    ops: Sequence[Operation],
    new_ops: Sequence[Operation],
    result: SSAValue,
) -> None:
    """Replaces the chain `ops` (in program order; only the last one's value is
    used outside it) by `new_ops`, whose value `result` stands for the last one.
    The op of `result` gets the chain's fused location, the others (constants,
    reshapes) locations derived from it; the chain's operands that were constants
    and are left without uses are erased."""
    location = fused_location(ops)
    _rename_partial_inputs(ops, node_of(location))
    for index, new_op in enumerate(new_ops):
        if result in new_op.results:
            new_op.location = location
        else:
            new_op.location = derived_location(location, f"{new_op.name.removeprefix('infer.')}{index}")
    last = ops[-1]
    operands = [v for op in ops for v in op.operands]
    # New constants go first, under their own names (replace would name them like the result).
    constants = [op for op in new_ops if isinstance(op, ConstantOp)]
    for constant in constants:
        rewriter.insert(constant, InsertPoint.before(last))
    rewriter.replace(last, [op for op in new_ops if not isinstance(op, ConstantOp)], [result])
    for op in reversed(ops[:-1]):
        rewriter.erase(op)
    erase_dead_constants(rewriter, operands)


def _rename_partial_inputs(ops: Sequence[Operation], final: str | None) -> None:
    """Gives a derived location to the ops left feeding the chain that carry the name
    of a node the chain consumes (a converter may make several ops for one node:
    the unsqueeze before a vector matmul): once the node's last op is gone, they
    would stand for its value."""
    consumed = {node_of(op.location) for op in ops} - {None, final}
    for op in ops:
        for operand in op.operands:
            owner = operand.owner
            if isinstance(owner, Operation) and owner not in ops and node_of(owner.location) in consumed:
                owner.location = derived_location(owner.location, owner.name.removeprefix("infer."))


# -- folding an affine map into a producer ---------------------------------------------------


def fold_affine(
    rewriter: PatternRewriter,
    producer: Producer,
    consumer: Operation,
    factor: np.ndarray | None,
    shift: np.ndarray | None,
) -> bool:
    """Replaces `producer` followed by `consumer` (computing `producer * factor +
    shift` per output channel, float64 `[C]` vectors, None for 1 and 0) by one
    producer with folded constants. Returns False (changing nothing) when what
    must absorb them is not constant: the weights (with a factor), the bias or `c`."""
    result_type = consumer.results[0].type
    if isinstance(producer, ConvOp | ConvTransposeOp):
        new_ops = _fold_into_conv(producer, factor, shift)
    elif isinstance(producer, GemmOp):
        new_ops = _fold_into_gemm(producer, factor, shift)
    else:
        new_ops = _fold_into_matmul(producer, factor, shift)
    if new_ops is None:
        return False
    keep_attributes(producer, new_ops)
    with_result_type(new_ops[-1], result_type)  # type: ignore[arg-type]
    replace_fused(rewriter, [producer, consumer], new_ops, new_ops[-1].results[0])
    return True


def _new_bias(old: SSAValue | None, factor: np.ndarray | None, shift: np.ndarray | None) -> np.ndarray | None:
    """The folded `[C]` bias in float64 (`old` is a constant or absent); None when there is none."""
    array = None if old is None else constant_value(old)
    bias = None if array is None else np.asarray(array, np.float64)
    if bias is not None and factor is not None:
        bias = bias * factor
    if shift is not None and (bias is not None or bool(shift.any())):
        bias = shift if bias is None else bias + shift
    return bias


def _fold_into_conv(
    conv: ConvOp | ConvTransposeOp, factor: np.ndarray | None, shift: np.ndarray | None
) -> list[InferOp] | None:
    if factor is not None and constant_value(conv.weight) is None:
        return None
    if conv.bias is not None and constant_value(conv.bias) is None:
        return None
    w_shape = dims_of(conv.weight.type)
    channels = dims_of(conv.results[0].type)[output_axis(conv) or 0]
    assert channels is not None
    bias = _new_bias(conv.bias, factor, shift)
    new_ops: list[InferOp] = []
    weight: SSAValue = conv.weight
    if factor is not None:
        taps = int(np.prod([d or 0 for d in w_shape[2:]], dtype=np.int64))
        if isinstance(conv, ConvOp):
            # [O, C/groups, k...]: output channel o is row o.
            layout, view = [channels, (w_shape[1] or 0) * taps], [channels, 1]
        else:
            # [C_in, O/groups, k...]: output channel g * O_g + j is column j of group g's rows.
            groups = int_of(conv.groups, 1)
            per_group = channels // groups
            layout = [groups, (w_shape[0] or 0) // groups, per_group, taps]
            view = [groups, 1, per_group, 1]
        new_weight = scaled_weight(conv.weight, factor, layout, view)
        new_ops.append(new_weight)
        weight = new_weight.result
    bias_value: SSAValue | None = conv.bias
    if bias is not None:
        element = element_of(conv.results[0].type)
        bias_op = make_constant(np.asarray(bias), tensor_type(element, [channels]))
        new_ops.append(bias_op)
        bias_value = bias_op.result
    common = {
        "strides": ints_of(conv.strides),
        "dilations": ints_of(conv.dilations),
        "pads": ints_of(conv.pads),
        "groups": int_of(conv.groups, 1),
        "layout": string_of(conv.layout, "nchw"),
        "epilogue": conv.epilogue,
    }
    if isinstance(conv, ConvOp):
        new_ops.append(ConvOp(conv.input, weight, bias_value, **common))  # type: ignore[arg-type]
    else:
        new_ops.append(
            ConvTransposeOp(
                conv.input,
                weight,
                bias_value,
                output_padding=ints_of(conv.output_padding),
                **common,  # type: ignore[arg-type]
            )
        )
    return new_ops


def _fold_into_gemm(gemm: GemmOp, factor: np.ndarray | None, shift: np.ndarray | None) -> list[InferOp] | None:
    if factor is not None and constant_value(gemm.b) is None:
        return None
    n = dims_of(gemm.results[0].type)[1]
    assert n is not None
    c_array = None if gemm.c is None else constant_value(gemm.c)
    if gemm.c is not None and c_array is None:
        return None
    new_ops: list[InferOp] = []
    b: SSAValue = gemm.b
    if factor is not None:
        b_dims = [d or 0 for d in dims_of(gemm.b.type)]
        view = [n, 1] if gemm.trans_b is not None else [1, n]
        new_b = scaled_weight(gemm.b, factor, b_dims, view)
        new_ops.append(new_b)
        b = new_b.result
    c: SSAValue | None = gemm.c
    beta = gemm.beta_value
    if c_array is None and shift is not None and not shift.any():
        shift = None  # no c, and nothing to add
    if c_array is not None or shift is not None:
        c64 = np.zeros((1, n)) if c_array is None else np.asarray(c_array, np.float64) * beta
        if factor is not None:
            c64 = c64 * factor.reshape(1, n)
        if shift is not None:
            c64 = c64 + shift.reshape(1, n)
        element = element_of(gemm.results[0].type)
        c_op = make_constant(c64, tensor_type(element, c64.shape))
        new_ops.append(c_op)
        c, beta = c_op.result, 1.0
    new_ops.append(
        GemmOp(
            gemm.a,
            b,
            c,
            alpha=gemm.alpha_value,
            beta=beta,
            trans_a=gemm.trans_a is not None,
            trans_b=gemm.trans_b is not None,
            epilogue=gemm.epilogue,
        )
    )
    return new_ops


def _fold_into_matmul(matmul: MatmulOp, factor: np.ndarray | None, shift: np.ndarray | None) -> list[InferOp] | None:
    if factor is not None and constant_value(matmul.rhs) is None:
        return None
    dims = dims_of(matmul.results[0].type)
    rank, n = len(dims), dims[-1]
    assert n is not None
    new_ops: list[InferOp] = []
    rhs: SSAValue = matmul.rhs
    if factor is not None:
        rhs_dims = [d or 0 for d in dims_of(matmul.rhs.type)]
        new_rhs = scaled_weight(matmul.rhs, factor, rhs_dims, [1] * (len(rhs_dims) - 1) + [n])
        new_ops.append(new_rhs)
        rhs = new_rhs.result
    element = element_of(matmul.results[0].type)
    if shift is None or not shift.any():
        new_ops.append(MatmulOp(matmul.lhs, rhs))
    elif rank == 2:
        c_op = make_constant(shift.reshape(1, n), tensor_type(element, [1, n]))
        new_ops += [c_op, GemmOp(matmul.lhs, rhs, c_op.result)]
    else:
        shift_op = make_constant(shift.reshape([1] * (rank - 1) + [n]), tensor_type(element, [1] * (rank - 1) + [n]))
        product = MatmulOp(matmul.lhs, rhs)
        new_ops += [product, shift_op, AddOp(product.result, shift_op.result)]
    return new_ops


def foldable_producer(value: SSAValue, consumer: Operation) -> Producer | None:
    """The conv / conv_transpose / gemm / matmul producing `value`, if `consumer` is
    its only user, it has no epilogue nor residual and its result is floating point."""
    producer = value.owner
    if not isinstance(producer, Producer):
        return None
    if not only_use_is(value, consumer) or float_dtype(value) is None:
        return None
    if not isinstance(producer, MatmulOp) and producer.epilogue is not None:
        return None
    if residual_of(producer) is not None:
        return None  # (y + residual) * factor + shift is not a producer with folded weights
    return producer


# -- patterns ------------------------------------------------------------------------------


class FoldBatchNorm(RewritePattern):
    """`batch_norm(producer(...))` -> `producer(...)` with the batch norm in its weights and bias."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: BatchNormOp, rewriter: PatternRewriter) -> None:
        producer = foldable_producer(op.input, op)
        if producer is None:
            return
        rank = len(dims_of(op.input.type))
        if channel_axis(string_of(op.layout, "nchw"), rank) != output_axis(producer):
            return
        params = [constant_value(v) for v in (op.scale, op.bias, op.mean, op.var)]
        if any(p is None for p in params):
            return
        scale, bias, mean, var = (np.asarray(p, np.float64) for p in params)  # type: ignore[arg-type]
        factor = scale / np.sqrt(var + float_of(op.epsilon))
        shift = bias - mean * factor
        fold_affine(rewriter, producer, op, factor, shift)


class FoldChannelScale(RewritePattern):
    """`producer(...) * c`, `c` a per-output-channel constant -> `producer` with scaled weights and bias."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: MulOp, rewriter: PatternRewriter) -> None:
        for value, other in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            producer = foldable_producer(value, op)
            if producer is None:
                continue
            axis = output_axis(producer)
            channels = dims_of(value.type)[axis] if axis is not None else None
            if axis is None or channels is None:
                continue
            factor = per_channel(other, axis, channels)
            if factor is not None and fold_affine(rewriter, producer, op, np.array(factor), None):
                return


@dataclass(frozen=True)
class FuseConvBnPass(ModulePass):
    """Folds batch norms (and per-channel constant scales) into the conv, conv_transpose,
    gemm or matmul before them.

    Options:
      scales: also fold a per-channel constant `infer.mul` (default true).
    """

    name = "fuse-conv-bn"

    scales: bool = True
    """Also fold a `infer.mul` by a per-output-channel constant."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        patterns: list[RewritePattern] = [FoldBatchNorm()]
        if self.scales:
            patterns.append(FoldChannelScale())
        PatternRewriteWalker(GreedyRewritePatternApplier(patterns), apply_recursively=True).rewrite_module(op)
