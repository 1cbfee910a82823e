"""Matrix products: `infer.matmul` (core) and `infer.gemm` (composite).

`infer.matmul` multiplies the two innermost dims, `[..., M, K] x [..., K, N]`;
both operands have the same rank (>= 2) and their batch dims broadcast by the
rank-equal rule (a dim of size 1 stretches). Numpy's 1-D operands are the
lowering's business (it unsqueezes, then squeezes the result).

Products of floats narrower than f32 (f16, bf16) accumulate in f32.

`infer.gemm` is BLAS's `alpha * op(a) * op(b) + beta * c` on rank-2 operands,
`op` transposing when `trans_a` / `trans_b` is set; `c` is optional and
broadcasts to `[M, N]` (each of its two dims is 1 or equal to the result's).
It may carry an epilogue: an optional `residual` (a tensor of the result's
type) added to that sum, then an `activation` (with its `activation_params`)
applied last, in the result's element type (see `epilogue.py`).

    %y = infer.matmul %a, %b : (tensor<?x8x16xf32>, tensor<1x16x4xf32>) -> tensor<?x8x4xf32>
    %g = infer.gemm %x, %w, %c {alpha = 5.000000e-01 : f64, trans_b}
           : (tensor<?x256xf32>, tensor<1000x256xf32>, tensor<1x1000xf32>) -> tensor<?x1000xf32>
    %r = infer.gemm %x, %w, %c {activation = "leaky_relu", activation_params = array<f64: 0.1>}
           : (tensor<?x256xf32>, tensor<256x64xf32>, tensor<1x64xf32>) -> tensor<?x64xf32>
    %s = infer.gemm %x, %w, %c residual %h {trans_b, activation = "relu"}
           : (tensor<?x256xf32>, tensor<256x256xf32>, tensor<1x256xf32>) -> tensor<?x256xf32>
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

import numpy as np
from xdsl.builder import Builder
from xdsl.dialects.builtin import DenseArrayBase, FloatAttr, StringAttr, TensorType, UnitAttr, f64
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    AttrSizedOperandSegments,
    ParsePropInAttrDict,
    VarConstraint,
    base,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure

from infer.dialects.dtypes import to_numpy
from infer.dialects.infer.base import (
    CompositeOp,
    Dim,
    InferOp,
    ShapeError,
    broadcast_shapes,
    dims_of,
    element_of,
    float_of,
    is_float,
    is_int,
    tensor_type,
)
from infer.dialects.infer.constant import ConstantOp
from infer.dialects.infer.elementwise import AddOp, MulOp
from infer.dialects.infer.epilogue import (
    Epilogue,
    check_epilogue,
    emit_activation,
    epilogue_of,
    epilogue_properties,
    segments,
    split_operands,
)
from infer.dialects.infer.nn import check_residual
from infer.dialects.infer.tensor import TransposeOp


def _numeric(cls_name: str, t: Attribute) -> Attribute:
    element = element_of(t)
    if not (is_float(element) or (is_int(element) and element.bitwidth > 1)):  # type: ignore[attr-defined]
        raise ShapeError(f"{cls_name} needs numeric operands, got {t}")
    return element


def _contracted(k_lhs: Dim, k_rhs: Dim, what: str) -> None:
    if k_lhs is not None and k_rhs is not None and k_lhs != k_rhs:
        raise ShapeError(f"{what} contracts dims of different sizes {k_lhs} and {k_rhs}")


@irdl_op_definition
class MatmulOp(InferOp):
    """Batched matrix product `[..., M, K] x [..., K, N] -> [..., M, N]`, batch dims broadcast."""

    name = "infer.matmul"
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue) -> None:
        self._build([lhs, rhs])

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        a, b = operand_types
        element = _numeric("infer.matmul", a)
        if element_of(b) != element:
            raise ShapeError(f"infer.matmul operands must have one element type, got {a} and {b}")
        x, y = dims_of(a), dims_of(b)
        if len(x) < 2 or len(x) != len(y):
            raise ShapeError(f"infer.matmul needs operands of equal rank >= 2, got ranks {len(x)} and {len(y)}")
        _contracted(x[-1], y[-2], "infer.matmul")
        batch = broadcast_shapes([x[:-2], y[:-2]], "infer.matmul batch dims")
        return [tensor_type(element, [*batch, x[-2], y[-1]])]


@irdl_op_definition
class GemmOp(CompositeOp):
    """`alpha * op(a) * op(b) + beta * c` on matrices, `op` transposing when `trans_a` / `trans_b` is set.

    An optional `residual` (a tensor of the result's type) is added to that
    sum, in the result's type, and an optional epilogue `activation` (with its
    `activation_params`) is applied last (see `epilogue.py`).
    """

    name = "infer.gemm"
    T: ClassVar = VarConstraint("T", base(TensorType))
    a = operand_def(TensorType)
    b = operand_def(TensorType)
    c = opt_operand_def(TensorType)
    residual = opt_operand_def(T)
    result = result_def(T)
    alpha = opt_prop_def(FloatAttr)
    beta = opt_prop_def(FloatAttr)
    trans_a = opt_prop_def(UnitAttr)
    trans_b = opt_prop_def(UnitAttr)
    activation = opt_prop_def(StringAttr)
    activation_params = opt_prop_def(DenseArrayBase)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(), AttrSizedOperandSegments(as_property=True))  # type: ignore[assignment]
    # The residual has the result's type: the functional type lists the others.
    assembly_format = (
        "$a `,` $b (`,` $c^)? (`residual` $residual^)? attr-dict `:` "
        "`(` type($a) `,` type($b) (`,` type($c)^)? `)` `->` type($result)"
    )

    def __init__(
        self,
        a: SSAValue,
        b: SSAValue,
        c: SSAValue | None = None,
        *,
        alpha: float = 1.0,
        beta: float = 1.0,
        trans_a: bool = False,
        trans_b: bool = False,
        epilogue: Epilogue | None = None,
        residual: SSAValue | None = None,
    ) -> None:
        self._build(
            [a, b, c, residual],
            {
                "alpha": None if alpha == 1.0 else FloatAttr(alpha, f64),
                "beta": None if beta == 1.0 else FloatAttr(beta, f64),
                "trans_a": UnitAttr() if trans_a else None,
                "trans_b": UnitAttr() if trans_b else None,
                **epilogue_properties(epilogue),
                **segments(a, b, c, residual),
            },
        )

    @property
    def epilogue(self) -> Epilogue | None:
        """The activation applied last, if any."""
        return epilogue_of(self)

    @property
    def alpha_value(self) -> float:
        return float_of(self.alpha, 1.0)

    @property
    def beta_value(self) -> float:
        return float_of(self.beta, 1.0)

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        element = _numeric("infer.gemm", operand_types[0])
        if any(element_of(t) != element for t in operand_types):
            raise ShapeError(f"infer.gemm operands must have one element type, got {list(operand_types)}")
        optional = split_operands(operand_types, properties, 2, ("c", "residual"))
        c_type, residual = optional["c"], optional["residual"]
        a, b = dims_of(operand_types[0]), dims_of(operand_types[1])
        if len(a) != 2 or len(b) != 2:
            raise ShapeError(f"infer.gemm needs rank-2 a and b, got ranks {len(a)} and {len(b)}")
        if is_int(element):
            for name in ("alpha", "beta"):
                value = float_of(properties.get(name), 1.0)
                if value != int(value):
                    raise ShapeError(f"infer.gemm on integers needs an integral {name}, got {value}")
        m, k = (a[1], a[0]) if "trans_a" in properties else a
        k_b, n = (b[1], b[0]) if "trans_b" in properties else b
        _contracted(k, k_b, "infer.gemm")
        if c_type is not None:
            c = dims_of(c_type)
            if len(c) != 2:
                raise ShapeError(f"infer.gemm c must have rank 2 (insert infer.unsqueeze), got rank {len(c)}")
            for dim, size in zip(c, (m, n), strict=True):
                if dim not in (1, None) and size is not None and dim != size:
                    raise ShapeError(f"infer.gemm c of shape {list(c)} does not broadcast to [{m}, {n}]")
        check_epilogue(properties, element)
        return [check_residual(residual, tensor_type(element, [m, n]), "infer.gemm")]

    def decompose(self, builder: Builder) -> list[SSAValue]:
        element = element_of(self.result.type)
        dtype = to_numpy(element)

        def scaled(value: SSAValue, factor: float) -> SSAValue:
            if factor == 1.0:
                return value
            scale = builder.insert(ConstantOp(np.full((1, 1), factor, dtype))).result
            return builder.insert(MulOp(value, scale)).result

        a: SSAValue = self.a
        b: SSAValue = self.b
        if self.trans_a is not None:
            a = builder.insert(TransposeOp(a, [1, 0])).result
        if self.trans_b is not None:
            b = builder.insert(TransposeOp(b, [1, 0])).result
        y = scaled(builder.insert(MatmulOp(a, b)).result, self.alpha_value)
        if self.c is not None:
            y = builder.insert(AddOp(y, scaled(self.c, self.beta_value))).result
        if self.residual is not None:
            y = builder.insert(AddOp(y, self.residual)).result
        return [emit_activation(builder, y, self.epilogue)]


MATMUL_OPS: list[type[InferOp]] = [MatmulOp, GemmOp]
