"""Activations with parameters or several forms: they become composite ops of
`infer.dialects.infer.activation` (Relu, Sigmoid and Tanh are core elementwise ops).

ONNX float attributes are float32; a parameter is kept as the shortest decimal
that rounds to the same float32 (0.01, not 0.009999999776482582), which gives
float32 tensors the framework's exact parameter.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from xdsl.dialects.builtin import f64
from xdsl.ir import SSAValue

from infer.dialects.infer import activation as act
from infer.dialects.infer import elementwise as ew
from infer.dialects.infer.base import is_float
from infer.dialects.infer.tensor import UnsqueezeOp
from infer.lowering.onnx_to_infer.core import Conversion, converter


def _param(c: Conversion, name: str) -> float:
    """Float attribute `name` (with the schema's default) as its shortest float32 decimal."""
    value = c.attr(name)
    if value is None:
        c.error(f"attribute '{name}' is missing")
    return float(str(np.float32(value)))


def _unary(op_class: type[act.ActivationOp]) -> Callable[[Conversion], SSAValue]:
    def convert(c: Conversion) -> SSAValue:
        return c.emit(op_class(c.input(0)))

    return convert


for _name, _class in (
    ("Softplus", act.SoftplusOp),
    ("Softsign", act.SoftsignOp),
    ("HardSwish", act.HardSwishOp),
    ("Mish", act.MishOp),
):
    converter(_name)(_unary(_class))


@converter("LeakyRelu")
def leaky_relu(c: Conversion) -> SSAValue:
    return c.emit(act.LeakyReluOp(c.input(0), alpha=_param(c, "alpha")))


@converter("PRelu")
def prelu(c: Conversion) -> SSAValue:
    # Unidirectional broadcasting: the slope stretches to the input, never the reverse.
    x = c.input(0)
    slope = c.input(1)
    if c.version < 7 and c.rank(slope) == 1 and c.rank(x) >= 2 and c.shape(slope)[0] != 1:
        # PRelu-1/6: a 1-D slope holds one value per channel (dim 1).
        slope = c.emit(UnsqueezeOp(c.to_rank(slope, 2), list(range(2, c.rank(x)))))
    slope = c.to_rank(slope, c.rank(x))
    for d, s in zip(c.shape(x), c.shape(slope), strict=True):
        if s not in (1, None) and d is not None and d != s:
            c.error(f"slope of shape {list(c.shape(c.input(1)))} does not broadcast to the input's {list(c.shape(x))}")
    return c.emit(act.PReluOp(x, slope))


@converter("Elu")
def elu(c: Conversion) -> SSAValue:
    return c.emit(act.EluOp(c.input(0), alpha=_param(c, "alpha")))


@converter("Selu")
def selu(c: Conversion) -> SSAValue:
    return c.emit(act.SeluOp(c.input(0), alpha=_param(c, "alpha"), gamma=_param(c, "gamma")))


@converter("Celu")
def celu(c: Conversion) -> SSAValue:
    return c.emit(act.CeluOp(c.input(0), alpha=_param(c, "alpha")))


@converter("ThresholdedRelu")
def thresholded_relu(c: Conversion) -> SSAValue:
    return c.emit(act.ThresholdedReluOp(c.input(0), alpha=_param(c, "alpha")))


@converter("HardSigmoid")
def hard_sigmoid(c: Conversion) -> SSAValue:
    return c.emit(act.HardSigmoidOp(c.input(0), alpha=_param(c, "alpha"), beta=_param(c, "beta")))


@converter("Shrink")
def shrink(c: Conversion) -> SSAValue:
    x = c.input(0)
    bias, lambd = _param(c, "bias"), _param(c, "lambd")
    element = c.element(x)
    if is_float(element):
        return c.emit(act.ShrinkOp(x, bias=bias, lambd=lambd))
    # Integers: compared with and shifted by the float parameters, then truncated.
    wide = c.emit(ew.CastOp(x, f64))
    return c.emit(ew.CastOp(c.emit(act.ShrinkOp(wide, bias=bias, lambd=lambd)), element))


@converter("Gelu")
def gelu(c: Conversion) -> SSAValue:
    approximate = c.attr("approximate", "none")
    if approximate not in act.GELU_APPROXIMATIONS:
        c.unsupported_attr("approximate", approximate, ", ".join(act.GELU_APPROXIMATIONS))
    return c.emit(act.GeluOp(c.input(0), approximate=approximate))


@converter("Swish")
def swish(c: Conversion) -> SSAValue:
    """`x * sigmoid(alpha * x)`: `infer.silu` when alpha is 1."""
    x = c.input(0)
    alpha = _param(c, "alpha")
    if alpha == 1.0:
        return c.emit(act.SiluOp(x))
    scaled = c.emit(ew.MulOp(x, c.scalar_like(alpha, x)))
    return c.emit(ew.MulOp(x, c.emit(ew.SigmoidOp(scaled))))
