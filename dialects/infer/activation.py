"""Composite activations: ops with parameters or several forms, each with a decomposition.

Each is elementwise on a floating-point tensor (PRelu on integers too), keeps
the input's type, states its parameters as f64 properties, and decomposes into
core elementwise ops (`decompose-composites`):

    %a = infer.leaky_relu %x {alpha = 1.000000e-02 : f64} : (tensor<?x64xf32>) -> tensor<?x64xf32>
    %p = infer.prelu %x, %slope : (tensor<?x64x?x?xf32>, tensor<1x64x1x1xf32>) -> tensor<?x64x?x?xf32>
    %e = infer.elu %x {alpha = 1.000000e+00 : f64} : (tensor<4xf32>) -> tensor<4xf32>
    %s = infer.selu %x {alpha = 1.6732632000000001 : f64, gamma = 1.0507010000000001 : f64}
           : (tensor<4xf32>) -> tensor<4xf32>
    %c = infer.celu %x {alpha = 1.000000e+00 : f64} : (tensor<4xf32>) -> tensor<4xf32>
    %t = infer.thresholded_relu %x {alpha = 1.000000e+00 : f64} : (tensor<4xf32>) -> tensor<4xf32>
    %h = infer.hard_sigmoid %x {alpha = 2.000000e-01 : f64, beta = 5.000000e-01 : f64}
           : (tensor<4xf32>) -> tensor<4xf32>
    %w = infer.hard_swish %x : (tensor<4xf32>) -> tensor<4xf32>
    %k = infer.shrink %x {bias = 0.000000e+00 : f64, lambd = 5.000000e-01 : f64} : (tensor<4xf32>) -> tensor<4xf32>
    %g = infer.gelu %x {approximate = "tanh"} : (tensor<?x768xf32>) -> tensor<?x768xf32>
    %u = infer.softplus %x : (tensor<4xf32>) -> tensor<4xf32>
    %n = infer.softsign %x : (tensor<4xf32>) -> tensor<4xf32>
    %m = infer.mish %x : (tensor<4xf32>) -> tensor<4xf32>
    %l = infer.silu %x : (tensor<4xf32>) -> tensor<4xf32>
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import ClassVar

import numpy as np
from xdsl.builder import Builder
from xdsl.dialects.builtin import FloatAttr, StringAttr, TensorType, f64
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.irdl import irdl_op_definition, operand_def, prop_def, result_def, traits_def
from xdsl.traits import Pure

from infer.dialects.dtypes import to_numpy
from infer.dialects.infer.base import (
    CompositeOp,
    InferOp,
    ShapeError,
    dims_of,
    element_of,
    float_of,
    is_float,
    string_of,
)
from infer.dialects.infer.constant import ConstantOp
from infer.dialects.infer.elementwise import (
    AbsOp,
    AddOp,
    ClipOp,
    DivOp,
    ErfOp,
    ExpOp,
    GreaterOp,
    LessOp,
    LogOp,
    MinOp,
    MulOp,
    NegOp,
    ReluOp,
    SelectOp,
    SigmoidOp,
    SubOp,
    TanhOp,
    is_numeric,
)

GELU_APPROXIMATIONS = ("none", "tanh")


def _f64(value: float) -> FloatAttr:
    return FloatAttr(float(value), f64)


class _Emitter:
    """Builds a decomposition: inserts ops, makes scalar constants like a value."""

    def __init__(self, builder: Builder, like: SSAValue) -> None:
        self.builder = builder
        self.dtype = to_numpy(element_of(like.type))
        self.rank = len(dims_of(like.type))

    def __call__(self, op: Operation) -> SSAValue:
        return self.builder.insert(op).results[0]

    def scalar(self, value: float) -> SSAValue:
        """A constant of shape [1] * rank (it broadcasts against any operand)."""
        return self(ConstantOp(np.full([1] * self.rank, value, self.dtype)))


class ActivationOp(CompositeOp):
    """Base of the unary composite activations: the result has the input's type."""

    input = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    INTS: ClassVar[bool] = False

    def __init__(self, input: SSAValue) -> None:
        self._build([input])

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        t = operand_types[0]
        dims_of(t)
        element = element_of(t)
        if cls.INTS and not is_numeric(element):
            raise ShapeError(f"{cls.name} needs an integer or floating-point tensor, got {t}")
        if not cls.INTS and not is_float(element):
            raise ShapeError(f"{cls.name} needs a floating-point tensor, got {t}")
        return [t]

    def param(self, name: str) -> float:
        """The value of the float property `name`."""
        return float_of(self.properties[name])


@irdl_op_definition
class LeakyReluOp(ActivationOp):
    """`x` where `x >= 0`, else `alpha * x`."""

    name = "infer.leaky_relu"
    alpha = prop_def(FloatAttr)

    def __init__(self, input: SSAValue, alpha: float = 0.01) -> None:
        self._build([input], {"alpha": _f64(alpha)})

    def decompose(self, builder: Builder) -> list[SSAValue]:
        e, x = _Emitter(builder, self.input), self.input
        negative = e(LessOp(x, e.scalar(0)))
        return [e(SelectOp(negative, e(MulOp(x, e.scalar(self.param("alpha")))), x))]


@irdl_op_definition
class PReluOp(CompositeOp):
    """`x` where `x >= 0`, else `slope * x`; `slope` has the input's rank and each of
    its dims is 1 or the input's (it broadcasts to the input, never the reverse)."""

    name = "infer.prelu"
    input = operand_def(TensorType)
    slope = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input `,` $slope attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, slope: SSAValue) -> None:
        self._build([input, slope])

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        x, slope = operand_types
        if element_of(x) != element_of(slope):
            raise ShapeError(f"infer.prelu input and slope must have one element type, got {x} and {slope}")
        if not is_numeric(element_of(x)):
            raise ShapeError(f"infer.prelu needs an integer or floating-point tensor, got {x}")
        x_dims, slope_dims = dims_of(x), dims_of(slope)
        if len(x_dims) != len(slope_dims):
            raise ShapeError(
                f"infer.prelu slope must have the input's rank {len(x_dims)} (insert infer.unsqueeze), "
                f"got {len(slope_dims)}"
            )
        for i, (d, s) in enumerate(zip(x_dims, slope_dims, strict=True)):
            if s not in (1, None) and d is not None and d != s:
                raise ShapeError(f"infer.prelu slope dim {i} is {s}, it must be 1 or the input's {d}")
        return [x]

    def decompose(self, builder: Builder) -> list[SSAValue]:
        e, x = _Emitter(builder, self.input), self.input
        negative = e(LessOp(x, e.scalar(0)))
        return [e(SelectOp(negative, e(MulOp(x, self.slope)), x))]


@irdl_op_definition
class EluOp(ActivationOp):
    """`x` where `x >= 0`, else `alpha * (exp(x) - 1)`."""

    name = "infer.elu"
    alpha = prop_def(FloatAttr)

    def __init__(self, input: SSAValue, alpha: float = 1.0) -> None:
        self._build([input], {"alpha": _f64(alpha)})

    def decompose(self, builder: Builder) -> list[SSAValue]:
        e, x = _Emitter(builder, self.input), self.input
        negative = e(LessOp(x, e.scalar(0)))
        expm1 = e(SubOp(e(ExpOp(x)), e.scalar(1)))
        return [e(SelectOp(negative, e(MulOp(expm1, e.scalar(self.param("alpha")))), x))]


@irdl_op_definition
class SeluOp(ActivationOp):
    """`gamma * x` where `x > 0`, else `gamma * alpha * (exp(x) - 1)`."""

    name = "infer.selu"
    alpha = prop_def(FloatAttr)
    gamma = prop_def(FloatAttr)

    def __init__(self, input: SSAValue, alpha: float = 1.6732632, gamma: float = 1.050701) -> None:
        self._build([input], {"alpha": _f64(alpha), "gamma": _f64(gamma)})

    def decompose(self, builder: Builder) -> list[SSAValue]:
        e, x = _Emitter(builder, self.input), self.input
        positive = e(GreaterOp(x, e.scalar(0)))
        expm1 = e(SubOp(e(ExpOp(x)), e.scalar(1)))
        negative_part = e(MulOp(expm1, e.scalar(self.param("alpha"))))
        return [e(MulOp(e(SelectOp(positive, x, negative_part)), e.scalar(self.param("gamma"))))]


@irdl_op_definition
class CeluOp(ActivationOp):
    """`max(0, x) + min(0, alpha * (exp(x / alpha) - 1))`."""

    name = "infer.celu"
    alpha = prop_def(FloatAttr)

    def __init__(self, input: SSAValue, alpha: float = 1.0) -> None:
        self._build([input], {"alpha": _f64(alpha)})

    def decompose(self, builder: Builder) -> list[SSAValue]:
        e, x = _Emitter(builder, self.input), self.input
        alpha = e.scalar(self.param("alpha"))
        expm1 = e(SubOp(e(ExpOp(e(DivOp(x, alpha)))), e.scalar(1)))
        negative_part = e(MinOp(e(MulOp(alpha, expm1)), e.scalar(0)))
        return [e(AddOp(e(ReluOp(x)), negative_part))]


@irdl_op_definition
class ThresholdedReluOp(ActivationOp):
    """`x` where `x > alpha`, else 0."""

    name = "infer.thresholded_relu"
    alpha = prop_def(FloatAttr)

    def __init__(self, input: SSAValue, alpha: float = 1.0) -> None:
        self._build([input], {"alpha": _f64(alpha)})

    def decompose(self, builder: Builder) -> list[SSAValue]:
        e, x = _Emitter(builder, self.input), self.input
        above = e(GreaterOp(x, e.scalar(self.param("alpha"))))
        return [e(SelectOp(above, x, e.scalar(0)))]


@irdl_op_definition
class HardSigmoidOp(ActivationOp):
    """`max(0, min(1, alpha * x + beta))`."""

    name = "infer.hard_sigmoid"
    alpha = prop_def(FloatAttr)
    beta = prop_def(FloatAttr)

    def __init__(self, input: SSAValue, alpha: float = 0.2, beta: float = 0.5) -> None:
        self._build([input], {"alpha": _f64(alpha), "beta": _f64(beta)})

    def decompose(self, builder: Builder) -> list[SSAValue]:
        e, x = _Emitter(builder, self.input), self.input
        linear = e(AddOp(e(MulOp(x, e.scalar(self.param("alpha")))), e.scalar(self.param("beta"))))
        return [e(ClipOp(linear, 0.0, 1.0))]


@irdl_op_definition
class HardSwishOp(ActivationOp):
    """`x * max(0, min(1, x / 6 + 1 / 2))`."""

    name = "infer.hard_swish"

    def decompose(self, builder: Builder) -> list[SSAValue]:
        e, x = _Emitter(builder, self.input), self.input
        return [e(MulOp(x, e(HardSigmoidOp(x, alpha=1 / 6, beta=0.5))))]


@irdl_op_definition
class ShrinkOp(ActivationOp):
    """`x + bias` where `x < -lambd`, `x - bias` where `x > lambd`, else 0."""

    name = "infer.shrink"
    bias = prop_def(FloatAttr)
    lambd = prop_def(FloatAttr)

    def __init__(self, input: SSAValue, bias: float = 0.0, lambd: float = 0.5) -> None:
        self._build([input], {"bias": _f64(bias), "lambd": _f64(lambd)})

    def decompose(self, builder: Builder) -> list[SSAValue]:
        e, x = _Emitter(builder, self.input), self.input
        bias, lambd = self.param("bias"), self.param("lambd")
        below = e(LessOp(x, e.scalar(-lambd)))
        above = e(GreaterOp(x, e.scalar(lambd)))
        zero = e.scalar(0)
        upper = e(SelectOp(above, e(SubOp(x, e.scalar(bias))), zero))
        return [e(SelectOp(below, e(AddOp(x, e.scalar(bias))), upper))]


@irdl_op_definition
class SoftplusOp(ActivationOp):
    """`log(1 + exp(x))`, computed stably as `max(x, 0) + log(1 + exp(-|x|))`."""

    name = "infer.softplus"

    def decompose(self, builder: Builder) -> list[SSAValue]:
        e, x = _Emitter(builder, self.input), self.input
        tail = e(LogOp(e(AddOp(e.scalar(1), e(ExpOp(e(NegOp(e(AbsOp(x))))))))))
        return [e(AddOp(e(ReluOp(x)), tail))]


@irdl_op_definition
class SoftsignOp(ActivationOp):
    """`x / (1 + |x|)`."""

    name = "infer.softsign"

    def decompose(self, builder: Builder) -> list[SSAValue]:
        e, x = _Emitter(builder, self.input), self.input
        return [e(DivOp(x, e(AddOp(e.scalar(1), e(AbsOp(x))))))]


@irdl_op_definition
class MishOp(ActivationOp):
    """`x * tanh(softplus(x))`."""

    name = "infer.mish"

    def decompose(self, builder: Builder) -> list[SSAValue]:
        e, x = _Emitter(builder, self.input), self.input
        return [e(MulOp(x, e(TanhOp(e(SoftplusOp(x))))))]


@irdl_op_definition
class GeluOp(ActivationOp):
    """`x * Phi(x)`, Phi the standard normal CDF: `0.5 * x * (1 + erf(x / sqrt(2)))`; with
    `approximate = "tanh"`, `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))`."""

    name = "infer.gelu"
    approximate = prop_def(StringAttr, default_value=StringAttr("none"))

    def __init__(self, input: SSAValue, approximate: str = "none") -> None:
        self._build([input], {"approximate": StringAttr(approximate)})

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        approximate = string_of(properties.get("approximate"), "none")
        if approximate not in GELU_APPROXIMATIONS:
            raise ShapeError(f"infer.gelu approximate must be one of {GELU_APPROXIMATIONS}, got '{approximate}'")
        return super().shape_rule(operand_types, properties)

    def decompose(self, builder: Builder) -> list[SSAValue]:
        e, x = _Emitter(builder, self.input), self.input
        if string_of(self.approximate, "none") == "tanh":
            cube = e(MulOp(e(MulOp(x, x)), x))
            inner = e(AddOp(x, e(MulOp(cube, e.scalar(0.044715)))))
            phi = e(TanhOp(e(MulOp(inner, e.scalar(math.sqrt(2 / math.pi))))))
        else:
            phi = e(ErfOp(e(MulOp(x, e.scalar(math.sqrt(0.5))))))
        half_x = e(MulOp(x, e.scalar(0.5)))
        return [e(MulOp(half_x, e(AddOp(phi, e.scalar(1)))))]


@irdl_op_definition
class SiluOp(ActivationOp):
    """`x * sigmoid(x)` (also called swish)."""

    name = "infer.silu"

    def decompose(self, builder: Builder) -> list[SSAValue]:
        e, x = _Emitter(builder, self.input), self.input
        return [e(MulOp(x, e(SigmoidOp(x))))]


ACTIVATION_OPS: list[type[InferOp]] = [
    LeakyReluOp, PReluOp, EluOp, SeluOp, CeluOp, ThresholdedReluOp, HardSigmoidOp, HardSwishOp,
    ShrinkOp, SoftplusOp, SoftsignOp, MishOp, GeluOp, SiluOp,
]  # fmt: skip
