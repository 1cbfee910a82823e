"""`recompose-layer-norm`: rebuilds `infer.layer_norm` from the ops exporters write for it.

Before ONNX had LayerNormalization (opset 17), exporters spelled it out;
PyTorch's legacy exporter writes, for `nn.LayerNorm`:

    m = ReduceMean(x, last axes)      d = x - m
    v = ReduceMean(Pow(d, 2), axes)   y = d / Sqrt(v + eps)      y * weight + bias

Others square with `d * d`, or multiply by the reciprocal (`Reciprocal`, `1 /`,
`Pow(., -0.5)`) instead of dividing, or take the root with `Pow(., 0.5)`.
`infer.layer_norm` keeps the whole as one op for kernels (one pass over the
data instead of five).
"""

from __future__ import annotations

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

from infer.dialects.dtypes import to_numpy
from infer.dialects.infer.base import dims_of, element_of
from infer.dialects.infer.constant import ConstantOp
from infer.dialects.infer.elementwise import AddOp, DivOp, MulOp, PowOp, ReciprocalOp, SqrtOp, SubOp
from infer.dialects.infer.normalization import LayerNormOp
from infer.dialects.infer.reduction import ReduceMeanOp
from infer.transforms.patterns import close, replace_pattern, tolerance, uniform_value


def _operand_pairs(op: Operation) -> tuple[tuple[SSAValue, SSAValue], tuple[SSAValue, SSAValue]]:
    """The two operands of a commutative binary op, in both orders."""
    a, b = op.operands
    return (a, b), (b, a)


def _power(value: SSAValue, exponent: float) -> PowOp | None:
    """The op of `value = Pow(base, exponent)`, else None."""
    op = value.owner
    if isinstance(op, PowOp) and uniform_value(op.rhs) == exponent:
        return op
    return None


@dataclass
class Normalization:
    """A matched `(x - mean(x)) / sqrt(var(x) + eps)`: its input, axis, epsilon and ops."""

    x: SSAValue
    axis: int
    epsilon: float
    ops: list[Operation]


def _mean(value: SSAValue) -> tuple[ReduceMeanOp, int] | None:
    """A reduce_mean over trailing axes, with keepdims, and the first axis it reduces."""
    op = value.owner
    if not isinstance(op, ReduceMeanOp) or op.keepdims is None:
        return None
    axes = op.axes_list
    rank = len(dims_of(op.input.type))
    if axes != list(range(axes[0], rank)):
        return None
    return op, axes[0]


def _variance_root(value: SSAValue, centered: SubOp, ops: list[Operation]) -> tuple[float, int] | None:
    """`sqrt(mean(centered^2) + eps)` (or `pow(..., 0.5)`): (eps, first axis) of the mean."""
    op = value.owner
    root = op if isinstance(op, SqrtOp) else _power(value, 0.5)
    if root is None:
        return None
    ops.append(root)
    return _variance_plus_eps(root.operands[0], centered, ops)


def _variance_plus_eps(value: SSAValue, centered: SubOp, ops: list[Operation]) -> tuple[float, int] | None:
    """`mean(centered^2) + eps`, eps a constant: (eps, first axis of the mean)."""
    add = value.owner
    if not isinstance(add, AddOp):
        return None
    for var, eps in _operand_pairs(add):
        epsilon = uniform_value(eps)
        mean = _mean(var)
        if epsilon is None or epsilon < 0 or mean is None:
            continue
        reduce, axis = mean
        square = _square_of(reduce.input, centered.result)
        if square is None:
            continue
        ops.extend([add, reduce, square])
        return epsilon, axis
    return None


def _square_of(value: SSAValue, base: SSAValue) -> Operation | None:
    """The op of `value = base * base` or `Pow(base, 2)`, else None."""
    op = value.owner
    if isinstance(op, MulOp) and op.lhs is base and op.rhs is base:
        return op
    power = _power(value, 2.0)
    return power if power is not None and power.lhs is base else None


def match_normalization(op: DivOp | MulOp) -> Normalization | None:
    """`(x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps)` ending at `op`."""
    pairs = [(op.lhs, op.rhs)] if isinstance(op, DivOp) else list(_operand_pairs(op))
    for centered_value, scale in pairs:
        centered = centered_value.owner
        if not isinstance(centered, SubOp) or (mean := _mean(centered.rhs)) is None:
            continue
        reduce, axis = mean
        x = centered.lhs
        if reduce.input is not x:
            continue
        ops: list[Operation] = [op, centered, reduce]
        if isinstance(op, DivOp):
            found = _variance_root(scale, centered, ops)
        else:
            found = _inverse_root(scale, centered, ops)
        if found is None or found[1] != axis or op.result.type != x.type:
            continue
        # The shortest decimal that rounds to the constant in its type: 1e-05, not 9.99999974e-06.
        epsilon = float(str(to_numpy(element_of(x.type)).type(found[0])))
        return Normalization(x, axis, epsilon, ops)
    return None


def _inverse_root(value: SSAValue, centered: SubOp, ops: list[Operation]) -> tuple[float, int] | None:
    """`1 / sqrt(var + eps)` as a reciprocal, a division of one, or `pow(var + eps, -0.5)`."""
    op = value.owner
    if isinstance(op, ReciprocalOp):
        ops.append(op)
        return _variance_root(op.input, centered, ops)
    if isinstance(op, DivOp) and (one := uniform_value(op.lhs)) is not None and close(one, 1.0, tolerance(value)):
        ops.append(op)
        return _variance_root(op.rhs, centered, ops)
    if (power := _power(value, -0.5)) is not None:
        ops.append(power)
        return _variance_plus_eps(power.lhs, centered, ops)
    return None


def _affine_parameter(value: SSAValue, axis: int) -> bool:
    """A constant that varies along the normalized axes only (dims before `axis` are 1)."""
    if not isinstance(value.owner, ConstantOp):
        return False
    return all(d == 1 for d in dims_of(value.type)[:axis])


def _affine_step(value: SSAValue, kind: type[MulOp] | type[AddOp], axis: int) -> tuple[Operation, SSAValue] | None:
    """The one user of `value` if it is a `kind` op by an affine parameter: (op, parameter)."""
    user = value.get_user_of_unique_use()
    if not isinstance(user, kind) or user.result.type != value.type:
        return None
    for operand, parameter in _operand_pairs(user):
        if operand is value and parameter is not value and _affine_parameter(parameter, axis):
            return user, parameter
    return None


class RecomposeLayerNorm(RewritePattern):
    """The spelled-out layer normalization (and a following `* scale`, `+ bias`) -> `infer.layer_norm`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: DivOp | MulOp, rewriter: PatternRewriter) -> None:
        norm = match_normalization(op)
        if norm is None:
            return
        root: Operation = op
        ops = list(norm.ops)
        scale: SSAValue | None = None
        bias: SSAValue | None = None
        if (step := _affine_step(root.results[0], MulOp, norm.axis)) is not None:
            root, scale = step
            ops.append(root)
        if (step := _affine_step(root.results[0], AddOp, norm.axis)) is not None:
            root, bias = step
            ops.append(root)
        new_ops: list[Operation] = []
        if scale is None:
            x_type = norm.x.type
            assert isinstance(x_type, TensorType)
            ones = ConstantOp(np.ones([1] * len(dims_of(x_type)), to_numpy(x_type.element_type)))
            new_ops.append(ones)
            scale = ones.result
        new_ops.append(LayerNormOp(norm.x, scale, bias, axis=norm.axis, epsilon=norm.epsilon))
        replace_pattern(rewriter, root, ops, new_ops)


@dataclass(frozen=True)
class RecomposeLayerNormPass(ModulePass):
    """Rebuilds `infer.layer_norm` from its spelled-out form.

    Matches `d / sqrt(mean(d^2) + eps)` with `d = x - mean(x)`, both means with
    keepdims over the same trailing axes `[axis, rank)`, `eps` a constant;
    the square as `Pow(d, 2)` or `d * d`, the root as `Sqrt` or `Pow(., 0.5)`,
    the division as a `Div`, or a `Mul` by `Reciprocal(root)`, `1 / root` or
    `Pow(var + eps, -0.5)`. A following multiplication by a constant scale and
    addition of a constant bias (constants whose dims before `axis` are 1, so
    that they broadcast over the normalized axes only) become the op's scale
    and bias; without a scale, the scale is a splat of ones. Fires only when
    every intermediate value is used by the pattern alone and the result has
    the input's type. The layer norm is located at the fused locations of the
    matched nodes.
    """

    name = "recompose-layer-norm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(GreedyRewritePatternApplier([RecomposeLayerNorm()], dce_enabled=False)).rewrite_module(op)
