"""`fuse-matmul-add`: a matrix product followed by the add of a bias becomes one `infer.gemm` with `c` = bias.

    %y = infer.matmul %x, %w : (tensor<?x256xf32>, tensor<256x10xf32>) -> tensor<?x10xf32>
    %z = infer.add %y, %b : (tensor<?x10xf32>, tensor<1x10xf32>) -> tensor<?x10xf32>
      ->
    %z = infer.gemm %x, %w, %b : (tensor<?x256xf32>, tensor<256x10xf32>, tensor<1x10xf32>) -> tensor<?x10xf32>

The bias broadcasts to the product and never the reverse: each of its dims is
1 or the product's (static) dim, so `[1, N]` (a bias per column, the usual
fully connected layer), `[M, 1]`, `[M, N]` and `[1, 1]` all fit. It is the add's
other operand whether it comes first or second; it need not be a constant.
The product may have no other use. Forms covered:

- a rank-2 `infer.matmul`; an operand that is an `infer.transpose` (perm
  `[1, 0]`) used only by the matmul is absorbed as `trans_a` / `trans_b`
  (PyTorch's `Linear` exports as `MatMul(x, Transpose(W))` + `Add`);
- the converter's vector forms: a 1-D operand is unsqueezed to a matrix and the
  product squeezed back (`x[K] @ W[K, N] + b[N]`); the gemm takes the bias
  unsqueezed the same way, and its result is squeezed;
- an `infer.gemm` without an epilogue: the bias becomes its `c` (it had none),
  or is added to a constant `c` (`beta * c + bias`, in float64, then `beta` 1);
- a batched product `[..., M, K] x [1, ..., 1, K, N]` (a shared weight:
  transformer projections, `[B, S, K] x [K, N] + [N]`) with a bias that varies
  along N only: the batch dims are collapsed into the rows,
  `reshape(gemm(reshape(x, [B * S, K]), W, b), [B, S, N])`. Reshapes of
  contiguous tensors are free; `infer.gemm` stays the BLAS-like 2-D op its
  kernels (and the C backend) implement, rather than growing batch semantics.
  The reshape back is static, so this applies when at most one of the leading
  dims is dynamic; with `dynamic-batch` (default off) two or more dynamic
  leading dims are handled too, the result shape read at run time
  (`infer.shape_of` + `infer.concat`), at the price of three more small ops.

For f32, f64 and integers the gemm computes the same numbers as the pair; for
f16 and bf16 it rounds once instead of twice (the gemm adds `c` before
rounding the product to the result type). The op giving the add's value (the
gemm, or the squeeze or reshape back) gets the fused location of the replaced
ops, the ops made to feed it locations derived from it (`add#gemm2`: they
stand for no node); constants left without uses are erased.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from infer.dialects.infer.base import Dim, InferOp, dims_of, element_of, ints_of, tensor_type
from infer.dialects.infer.constant import ConstantOp, constant_value
from infer.dialects.infer.elementwise import AddOp
from infer.dialects.infer.matmul import GemmOp, MatmulOp
from infer.dialects.infer.tensor import ConcatOp, ReshapeOp, ShapeOfOp, SqueezeOp, TransposeOp
from infer.transforms.fuse_conv_bn import make_constant, replace_fused, with_result_type
from infer.transforms.patterns import only_use_is


def bias_fits(bias: Sequence[Dim], result: Sequence[Dim]) -> bool:
    """True when a bias of dims `bias` broadcasts to `result` without stretching it:
    each dim is 1 or the result's static dim."""
    return len(bias) == len(result) and all(b == 1 or (b is not None and b == r) for b, r in zip(bias, result))


def reshaped(value: SSAValue, dims: Sequence[Dim], new_ops: list[InferOp]) -> SSAValue:
    """`value` with the same elements in shape `dims`: a new constant when it is
    one (a splat stays a splat), else an `infer.reshape` (appended to `new_ops`)."""
    if list(dims_of(value.type)) == list(dims):
        return value
    array = constant_value(value)
    if array is not None and all(d is not None for d in dims):
        t = tensor_type(element_of(value.type), dims)
        assert isinstance(t, TensorType)
        owner = value.owner
        if isinstance(owner, ConstantOp) and owner.is_splat:
            constant = ConstantOp.splat(array.reshape(-1)[0], t)
        else:
            constant = ConstantOp(np.ascontiguousarray(array).reshape([d or 0 for d in dims]))
        new_ops.append(constant)
        return constant.result
    reshape = ReshapeOp.to(value, dims)
    new_ops.append(reshape)
    return reshape.result


def _untransposed(value: SSAValue, matmul: MatmulOp) -> tuple[SSAValue, bool, Operation | None]:
    """`value`, or the input of the 2-D transpose producing it (only used by `matmul`),
    with the transpose flag and the transpose op."""
    owner = value.owner
    if isinstance(owner, TransposeOp) and ints_of(owner.perm) == (1, 0) and only_use_is(value, matmul):
        return owner.input, True, owner
    return value, False, None


def _in_order(ops: Sequence[Operation | None]) -> list[Operation]:
    """The ops that are not None, in program order (all in one block)."""
    present = [op for op in ops if op is not None]
    block = present[-1].parent
    assert block is not None
    return sorted(present, key=block.get_operation_index)


class FuseMatmulAdd(RewritePattern):
    """`add(matmul(a, b), bias)` (and the vector, gemm and batched forms) -> `gemm(a, b, bias)`."""

    def __init__(self, dynamic_batch: bool = False) -> None:
        self.dynamic_batch = dynamic_batch

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: AddOp, rewriter: PatternRewriter) -> None:
        for value, bias in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            if dims_of(value.type) != dims_of(op.result.type) or value is bias:
                continue
            owner = value.owner
            if not only_use_is(value, op):
                continue
            if isinstance(owner, GemmOp) and self._into_gemm(owner, bias, op, rewriter):
                return
            if isinstance(owner, MatmulOp) and self._matrix(owner, bias, op, rewriter):
                return
            if isinstance(owner, SqueezeOp) and self._vector(owner, bias, op, rewriter):
                return

    def _gemm(self, matmul: MatmulOp, c: SSAValue, new_ops: list[InferOp]) -> GemmOp:
        a, trans_a, _ = _untransposed(matmul.lhs, matmul)
        b, trans_b, _ = _untransposed(matmul.rhs, matmul)
        gemm = GemmOp(a, b, c, trans_a=trans_a, trans_b=trans_b)
        new_ops.append(gemm)
        return gemm

    def _chain(self, matmul: MatmulOp, *rest: Operation) -> list[Operation]:
        transposes = [_untransposed(v, matmul)[2] for v in (matmul.lhs, matmul.rhs)]
        return [*_in_order([*transposes, matmul]), *rest]

    def _matrix(self, matmul: MatmulOp, bias: SSAValue, add: AddOp, rewriter: PatternRewriter) -> bool:
        result = dims_of(matmul.result.type)
        if len(result) == 2:
            if not bias_fits(dims_of(bias.type), result):
                return False
            new_ops: list[InferOp] = []
            gemm = self._gemm(matmul, bias, new_ops)
            with_result_type(gemm, add.result.type)
            replace_fused(rewriter, self._chain(matmul, add), new_ops, gemm.result)
            return True
        return self._batched(matmul, bias, add, rewriter)

    def _vector(self, squeeze: SqueezeOp, bias: SSAValue, add: AddOp, rewriter: PatternRewriter) -> bool:
        """`squeeze(matmul(a, b), axes) + bias` -> `squeeze(gemm(a, b, unsqueeze(bias, axes)), axes)`."""
        matmul = squeeze.input.owner
        axes = list(ints_of(squeeze.axes))
        if not isinstance(matmul, MatmulOp) or not only_use_is(squeeze.input, squeeze):
            return False
        result = dims_of(matmul.result.type)
        if len(result) != 2 or not set(axes) <= {0, 1}:
            return False
        bias_dims = list(dims_of(bias.type))
        for axis in axes:
            bias_dims.insert(axis, 1)
        if not bias_fits(bias_dims, result):
            return False
        new_ops: list[InferOp] = []
        c = reshaped(bias, bias_dims, new_ops)
        gemm = self._gemm(matmul, c, new_ops)
        back = SqueezeOp(gemm.result, axes)
        new_ops.append(with_result_type(back, add.result.type))
        replace_fused(rewriter, self._chain(matmul, squeeze, add), new_ops, back.result)
        return True

    def _into_gemm(self, gemm: GemmOp, bias: SSAValue, add: AddOp, rewriter: PatternRewriter) -> bool:
        """`gemm(a, b) + bias` -> `gemm(a, b, bias)`; `gemm(a, b, c) + bias` with both
        constant -> `gemm(a, b, beta * c + bias)`."""
        result = dims_of(gemm.result.type)
        if gemm.epilogue is not None or gemm.residual is not None or not bias_fits(dims_of(bias.type), result):
            return False
        new_ops: list[InferOp] = []
        c: SSAValue = bias
        if gemm.c is not None:
            c_array, bias_array = constant_value(gemm.c), constant_value(bias)
            if c_array is None or bias_array is None:
                return False
            total = np.asarray(c_array, np.float64) * gemm.beta_value + np.asarray(bias_array, np.float64)
            constant = make_constant(total, tensor_type(element_of(bias.type), total.shape))  # type: ignore[arg-type]
            new_ops.append(constant)
            c = constant.result
        fused = GemmOp(
            gemm.a,
            gemm.b,
            c,
            alpha=gemm.alpha_value,
            trans_a=gemm.trans_a is not None,
            trans_b=gemm.trans_b is not None,
        )
        new_ops.append(with_result_type(fused, add.result.type))
        replace_fused(rewriter, [gemm, add], new_ops, fused.result)
        return True

    def _batched(self, matmul: MatmulOp, bias: SSAValue, add: AddOp, rewriter: PatternRewriter) -> bool:
        """`[..., M, K] x [1, ..., 1, K, N] + [1, ..., 1, N]` -> reshape, gemm, reshape back."""
        x, w = dims_of(matmul.lhs.type), dims_of(matmul.rhs.type)
        result = dims_of(add.result.type)
        k, n = w[-2], w[-1]
        if any(d != 1 for d in w[:-2]) or k is None or n is None or len(x) != len(result):
            return False
        bias_dims = dims_of(bias.type)
        if any(d != 1 for d in bias_dims[:-1]) or bias_dims[-1] not in (1, n):
            return False
        leading = list(result[:-1])
        dynamic = sum(d is None for d in leading)
        if dynamic > 1 and not self.dynamic_batch:
            return False
        rows = None if dynamic else int(np.prod([d or 0 for d in leading], dtype=np.int64))
        new_ops: list[InferOp] = []
        a = reshaped(matmul.lhs, [rows, k], new_ops)
        b = reshaped(matmul.rhs, [k, n], new_ops)
        c = reshaped(bias, [1, bias_dims[-1]], new_ops)
        gemm = GemmOp(a, b, c)
        new_ops.append(gemm)
        if dynamic <= 1:
            back = ReshapeOp.to(gemm.result, result)
        else:
            sizes = ShapeOfOp(matmul.lhs, 0, len(x) - 1)
            columns = ConstantOp(np.array([n], np.int64))
            shape = ConcatOp([sizes.result, columns.result], 0)
            new_ops += [sizes, columns, shape]
            back = ReshapeOp(gemm.result, shape.result, add.result.type)
        new_ops.append(back)
        replace_fused(rewriter, [matmul, add], new_ops, back.result)
        return True


@dataclass(frozen=True)
class FuseMatmulAddPass(ModulePass):
    """Fuses a matrix product and the add of a bias into one `infer.gemm` with `c` = bias.

    Options:
      dynamic-batch: also fuse batched products with two or more dynamic leading
        dims, reading the result shape at run time (default false).
    """

    name = "fuse-matmul-add"

    dynamic_batch: bool = False
    """Fuse batched products whose reshape back needs a run-time shape (two or more dynamic leading dims)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        pattern = FuseMatmulAdd(self.dynamic_batch)
        PatternRewriteWalker(GreedyRewritePatternApplier([pattern]), apply_recursively=True).rewrite_module(op)
