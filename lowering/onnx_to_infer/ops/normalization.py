"""BatchNormalization, InstanceNormalization, LayerNormalization (inference only).

Training-mode batch normalization (batch statistics, running-statistics outputs)
is a diagnostic. LayerNormalization's Mean and InvStdDev outputs, when used,
are computed beside the composite from core ops.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import f32
from xdsl.ir import SSAValue

from infer.dialects.dtypes import to_numpy
from infer.dialects.infer import constant_value
from infer.dialects.infer.elementwise import AddOp, CastOp, DivOp, MulOp, ReciprocalOp, SqrtOp, SubOp
from infer.dialects.infer.normalization import BatchNormOp, InstanceNormOp, LayerNormOp
from infer.dialects.infer.reduction import ReduceMeanOp
from infer.lowering.onnx_to_infer.core import Conversion, converter
from infer.lowering.onnx_to_infer.ops.reduction import normalize_axis, onnx_float, shape_checked


def _like_input(c: Conversion, value: SSAValue, x: SSAValue) -> SSAValue:
    """`value` in `x`'s element type (BatchNormalization-15 allows other types for its parameters)."""
    element = c.element(x)
    if c.element(value) == element:
        return value
    array = constant_value(value)
    if array is not None:
        return c.constant(array.astype(to_numpy(element)))
    return c.emit(CastOp(value, element))


def _reject_used_outputs(c: Conversion, what: str) -> None:
    used = [c.op.OUTPUTS[i] for i, r in enumerate(c.op.results) if i > 0 and r.uses]
    if used:
        c.error(
            f"output(s) {', '.join(map(repr, used))} of {what} are not supported",
            hint="export the model for inference (only Y)",
        )


def _params(c: Conversion, x: SSAValue, indices: Sequence[int]) -> list[SSAValue]:
    return [_like_input(c, c.input(i), x) for i in indices]


@converter("BatchNormalization")
@shape_checked
def batch_normalization(c: Conversion) -> SSAValue:
    x = c.input(0)
    if c.version < 7 and not c.attr("is_test", 0):
        c.error("training mode (is_test = 0) is not supported", hint="set is_test = 1 for inference")
    if c.attr("training_mode", 0):
        c.error("training mode (training_mode = 1) is not supported", hint="set training_mode = 0 for inference")
    _reject_used_outputs(c, "training mode")
    scale, bias, mean, var = _params(c, x, [1, 2, 3, 4])
    epsilon = onnx_float(c.attr("epsilon", 1e-5))
    if c.version < 9 and not c.attr("spatial", 1):
        return _per_activation_batch_norm(c, x, scale, bias, mean, var, epsilon)
    return c.emit(BatchNormOp(x, scale, bias, mean, var, epsilon=epsilon))


def _per_activation_batch_norm(
    c: Conversion, x: SSAValue, scale: SSAValue, bias: SSAValue, mean: SSAValue, var: SSAValue, epsilon: float
) -> SSAValue:
    """`spatial = 0` (before version 9): parameters of shape [C, D1, ...], one per activation."""
    rank = c.rank(x)
    for p in (scale, bias, mean, var):
        if c.rank(p) != rank - 1:
            c.error(f"with spatial = 0, parameters must have rank {rank - 1} ([C, D1, ...]), got rank {c.rank(p)}")
    x, scale, bias, mean, var = c.broadcast(x, scale, bias, mean, var)
    std = c.emit(SqrtOp(c.emit(AddOp(var, c.scalar_like(epsilon, var)))))
    normalized = c.emit(DivOp(*c.broadcast(c.emit(SubOp(x, mean)), std)))
    return c.emit(AddOp(c.emit(MulOp(normalized, scale)), bias))


@converter("InstanceNormalization")
@shape_checked
def instance_normalization(c: Conversion) -> SSAValue:
    x = c.input(0)
    if c.rank(x) < 3:
        c.error(f"input must have rank >= 3 ([N, C, spatial...]), got rank {c.rank(x)}")
    scale, bias = _params(c, x, [1, 2])
    return c.emit(InstanceNormOp(x, scale, bias, epsilon=onnx_float(c.attr("epsilon", 1e-5))))


@converter("LayerNormalization")
@shape_checked
def layer_normalization(c: Conversion) -> list[SSAValue | None]:
    x = c.input(0)
    rank = c.rank(x)
    if c.attr("stash_type", 1) != 1:
        c.unsupported_attr("stash_type", c.attr("stash_type"), "1 (statistics in float32)")
    axis = normalize_axis(c, c.attr("axis", -1), rank)
    scale = c.to_rank(c.input(1), rank)
    bias = c.optional_input(2)
    if bias is not None:
        bias = c.to_rank(bias, rank)
    epsilon = onnx_float(c.attr("epsilon", 1e-5))
    y = c.emit(LayerNormOp(x, scale, bias, axis=axis, epsilon=epsilon))
    if not (c.op.results[1].uses or c.op.results[2].uses):
        return [y, None, None]
    return [y, *_layer_norm_statistics(c, x, list(range(axis, rank)), epsilon)]


def _layer_norm_statistics(c: Conversion, x: SSAValue, axes: list[int], epsilon: float) -> list[SSAValue]:
    """LayerNormalization's Mean and InvStdDev outputs, in float32 (stash_type 1), dims
    `axes` kept as 1: the composite's statistics, built from core ops."""
    if c.element(x) != f32:
        x = c.emit(CastOp(x, f32))
    mean = c.emit(ReduceMeanOp(x, axes, keepdims=True))
    centered = c.emit(SubOp(x, mean))
    var = c.emit(ReduceMeanOp(c.emit(MulOp(centered, centered)), axes, keepdims=True))
    inv_std = c.emit(ReciprocalOp(c.emit(SqrtOp(c.emit(AddOp(var, c.scalar_like(epsilon, var)))))))
    return [mean, inv_std]
