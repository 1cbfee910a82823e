"""Elementwise ops: one `linalg.generic` each, broadcasting in the indexing maps.

Each op is one scalar rule (`Scalar` picks the `arith` / `math` op for the
element type), applied by one shared lowering that allocates the result,
broadcasts the operands (a static dim of size 1 is read at index 0) and turns
constant operands holding one value into constants of the body:

    %r = infer.add %x, %b : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
    // becomes
    %d = memref.dim %x, %c0 : memref<?x4xf32>
    %r = memref.alloc(%d) : memref<?x4xf32>
    linalg.generic {indexing_maps = [(d0, d1) -> (d0, d1), (d0, d1) -> (0, d1), (d0, d1) -> (d0, d1)],
                    iterator_types = ["parallel", "parallel"]} ins(%x, %b ...) outs(%r ...) {
      ^bb0(%a: f32, %c: f32, %o: f32):
        %s = arith.addf %a, %c : f32
        linalg.yield %s : f32
    }

The rules follow the reference interpreter (`runtime/reference/elementwise.py`):
integer division truncates and gives 0 by zero, `mod` takes the divisor's
sign (numpy's `%`) unless `fmod`, `round` halves to even, `sigmoid` uses the
reference's overflow-free form, and `cast` saturates floats converted to
integers (see `Scalar.cast`). Ops on narrow floats (bf16, float8, ...) compute
in f32 and round their result back (`elementwise`), as the interpreter does.
"""

from __future__ import annotations

import math as pymath
from collections.abc import Callable, Sequence

import numpy as np
from xdsl.dialects import math
from xdsl.dialects.builtin import FloatAttr, IntegerAttr, i1
from xdsl.ir import Attribute, SSAValue

from infer.diagnostics import UnsupportedError
from infer.dialects.infer import elementwise as ew
from infer.dialects.infer.base import dims_of, element_of
from infer.dialects.infer.epilogue import Epilogue
from infer.lowering.infer_to_linalg.core import Lowering, lowering
from infer.lowering.infer_to_linalg.scalar import FLOAT, UNSIGNED, Scalar, int_range, is_narrow_float, kind
from infer.lowering.infer_to_linalg.structured import Operand, broadcast_sizes, map_elements

Rule = Callable[[Scalar, list[SSAValue]], SSAValue]


def elementwise(l: Lowering, rule: Rule, operands: Sequence[int] | None = None, widen: bool = True) -> SSAValue:
    """Lowers an elementwise op: result `i` of `rule` on the (broadcast) operands.

    Constant operands that hold one element enter the body as constants. On
    narrow floats (bf16, float8, ...) the rule computes in f32: operands widen
    before it, its result rounds back to the element type (unless `widen` is
    false: the rule handles them itself)."""
    indices = list(range(len(l.op.operands))) if operands is None else list(operands)
    elements = [element_of(l.op.operands[i].type) for i in indices]
    result_element = element_of(l.op.results[0].type)
    if widen and any(is_narrow_float(e) for e in [*elements, result_element]):
        exact = rule

        def rule(s: Scalar, v: list[SSAValue]) -> SSAValue:
            r = exact(s, [s.widen(x) for x in v])
            return s.cast(r, result_element) if r.type != result_element else r

    inputs: list[Operand] = []
    shapes = []
    for i in indices:
        value = l.one_element(i)
        if value is not None:
            inputs.append(value)
            shapes.append([l.static(d or 1) for d in dims_of(l.op.operands[i].type)])
        else:
            memref_value = l.operand(i)
            inputs.append(memref_value)
            shapes.append(l.sizes(memref_value))
    output = l.alloc_result(0, broadcast_sizes(l, shapes))
    return map_elements(l, inputs, rule, output)


# -- unary --------------------------------------------------------------------------------------


def _math(op_class: type) -> Rule:
    return lambda s, v: s.math(op_class, v[0])


def _sign(s: Scalar, v: list[SSAValue]) -> SSAValue:
    x = v[0]
    t = x.type
    zero = s.zero(t)
    # Zeros of either sign give +0 (as numpy's sign); NaN stays NaN.
    rest = s.select(s.cmp("eq", x, zero), zero, x) if kind(t) == FLOAT else zero
    return s.select(s.cmp("gt", x, zero), s.one(t), s.select(s.cmp("lt", x, zero), s.const(-1, t), rest))


def _sigmoid(s: Scalar, v: list[SSAValue]) -> SSAValue:
    # exp of a non-positive number only: neither branch overflows (as the reference).
    x = v[0]
    one = s.one(x.type)
    e = s.math(math.ExpOp, s.neg(s.abs(x)))
    total = s.add(one, e)
    return s.select(s.cmp("ge", x, s.zero(x.type)), s.div(one, total), s.div(e, total))


_UNARY: dict[type, Rule] = {
    ew.NegOp: lambda s, v: s.neg(v[0]),
    ew.AbsOp: lambda s, v: s.abs(v[0]),
    ew.SignOp: _sign,
    ew.ReluOp: lambda s, v: s.max(v[0], s.zero(v[0].type)),  # NaN stays NaN
    ew.ExpOp: _math(math.ExpOp),
    ew.LogOp: _math(math.LogOp),
    ew.SqrtOp: _math(math.SqrtOp),
    ew.ReciprocalOp: lambda s, v: s.div(s.one(v[0].type), v[0]),
    ew.TanhOp: _math(math.TanhOp),
    ew.SigmoidOp: _sigmoid,
    ew.ErfOp: _math(math.ErfOp),
    ew.FloorOp: _math(math.FloorOp),
    ew.CeilOp: _math(math.CeilOp),
    ew.RoundOp: _math(math.RoundEvenOp),  # halves to even
    ew.SinOp: _math(math.SinOp),
    ew.CosOp: _math(math.CosOp),
    ew.TanOp: _math(math.TanOp),
    ew.AsinOp: _math(math.AsinOp),
    ew.AcosOp: _math(math.AcosOp),
    ew.AtanOp: _math(math.AtanOp),
    ew.SinhOp: _math(math.SinhOp),
    ew.CoshOp: _math(math.CoshOp),
    ew.AsinhOp: _math(math.AsinhOp),
    ew.AcoshOp: _math(math.AcoshOp),
    ew.AtanhOp: _math(math.AtanhOp),
    ew.NotOp: lambda s, v: s.not_(v[0]),
    ew.IdentityOp: lambda s, v: v[0],
    ew.IsNaNOp: lambda s, v: s.is_nan(v[0]),
}


@lowering(*_UNARY)
def unary(l: Lowering) -> SSAValue:
    return elementwise(l, _UNARY[type(l.op)])


@lowering(ew.IsInfOp)
def is_inf(l: Lowering) -> SSAValue:
    assert isinstance(l.op, ew.IsInfOp)
    positive = bool(l.op.detect_positive.value.data)
    negative = bool(l.op.detect_negative.value.data)

    def rule(s: Scalar, v: list[SSAValue]) -> SSAValue:
        x = v[0]
        if positive and negative:
            return s.cmp("eq", s.abs(x), s.const(np.inf, x.type))
        if positive or negative:
            return s.cmp("eq", x, s.const(np.inf if positive else -np.inf, x.type))
        return s.const(False, i1)

    return elementwise(l, rule)


# -- binary ---------------------------------------------------------------------------------------


def _pow(s: Scalar, v: list[SSAValue]) -> SSAValue:
    a, b = v
    if kind(a.type) == FLOAT:
        return s.math(math.PowFOp, a, b)
    return s.ipow(a, b)


def _mod(fmod: bool) -> Rule:
    def rule(s: Scalar, v: list[SSAValue]) -> SSAValue:
        a, b = v
        t = a.type
        if kind(t) == FLOAT:
            r = s.fmod(a, b)
        else:
            r = s.rem(a, b)
        if fmod or kind(t) == UNSIGNED:
            return r
        # numpy's `%`: the remainder takes the divisor's sign.
        zero = s.zero(t)
        differ = s.xor(s.cmp("lt", r, zero), s.cmp("lt", b, zero))
        adjusted = s.select(s.and_(s.cmp("ne", r, zero), differ), s.add(r, b), r)
        if kind(t) == FLOAT:
            # A zero remainder is a zero of the divisor's sign.
            adjusted = s.select(s.cmp("eq", adjusted, zero), s.copysign(zero, b), adjusted)
        return adjusted

    return rule


_BINARY: dict[type, Rule] = {
    ew.AddOp: lambda s, v: s.add(*v),
    ew.SubOp: lambda s, v: s.sub(*v),
    ew.MulOp: lambda s, v: s.mul(*v),
    ew.DivOp: lambda s, v: s.div(*v),
    ew.PowOp: _pow,
    ew.MaxOp: lambda s, v: s.max(*v),
    ew.MinOp: lambda s, v: s.min(*v),
    ew.EqualOp: lambda s, v: s.cmp("eq", *v),
    ew.LessOp: lambda s, v: s.cmp("lt", *v),
    ew.LessEqualOp: lambda s, v: s.cmp("le", *v),
    ew.GreaterOp: lambda s, v: s.cmp("gt", *v),
    ew.GreaterEqualOp: lambda s, v: s.cmp("ge", *v),
    ew.AndOp: lambda s, v: s.and_(*v),
    ew.OrOp: lambda s, v: s.or_(*v),
    ew.XorOp: lambda s, v: s.xor(*v),
}


@lowering(*_BINARY)
def binary(l: Lowering) -> SSAValue:
    return elementwise(l, _BINARY[type(l.op)])


@lowering(ew.ModOp)
def mod(l: Lowering) -> SSAValue:
    assert isinstance(l.op, ew.ModOp)
    return elementwise(l, _mod(l.op.fmod is not None))


# -- others -----------------------------------------------------------------------------------------


@lowering(ew.SelectOp)
def select(l: Lowering) -> SSAValue:
    return elementwise(l, lambda s, v: s.select(*v))


def bound_in(value: float | int, element: Attribute) -> float | int:
    """A clip bound as the reference reads it: an integer one saturates to the element type."""
    if kind(element) == FLOAT:
        return float(value)
    low, high = int_range(element)
    return min(max(int(value), low), high)


def _clip_bound(attr: Attribute | None, element: Attribute) -> float | int | None:
    if attr is None:
        return None
    assert isinstance(attr, FloatAttr | IntegerAttr)
    return bound_in(attr.value.data, element)


@lowering(ew.ClipOp)
def clip(l: Lowering) -> SSAValue:
    assert isinstance(l.op, ew.ClipOp)
    element = element_of(l.op.input.type)
    low = _clip_bound(l.op.min, element)
    high = _clip_bound(l.op.max, element)

    def rule(s: Scalar, v: list[SSAValue]) -> SSAValue:
        # min(max(x, low), high): NaN stays NaN, low > high gives high.
        x = v[0]
        if low is not None:
            x = s.max(x, s.const(low, x.type))
        if high is not None:
            x = s.min(x, s.const(high, x.type))
        return x

    return elementwise(l, rule)


@lowering(ew.CastOp)
def cast(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, ew.CastOp)
    target = element_of(op.results[0].type)
    saturate = op.saturate is not None
    round_mode = None if op.round_mode is None else op.round_mode.data
    return elementwise(l, lambda s, v: s.cast(v[0], target, saturate, round_mode), widen=False)


# -- epilogues ----------------------------------------------------------------------------------------


def _hard_sigmoid(s: Scalar, x: SSAValue, alpha: float, beta: float) -> SSAValue:
    t = x.type
    linear = s.add(s.mul(x, s.const(alpha, t)), s.const(beta, t))
    return s.min(s.max(linear, s.zero(t)), s.one(t))  # NaN stays NaN


def _gelu(s: Scalar, x: SSAValue, approximate: bool) -> SSAValue:
    t = x.type
    half_x = s.mul(s.const(0.5, t), x)
    if approximate:
        cube = s.mul(s.mul(s.mul(s.const(0.044715, t), x), x), x)
        inner = s.mul(s.const(pymath.sqrt(2 / pymath.pi), t), s.add(x, cube))
        return s.mul(half_x, s.add(s.one(t), s.math(math.TanhOp, inner)))
    scaled = s.mul(x, s.const(pymath.sqrt(0.5), t))
    return s.mul(half_x, s.add(s.one(t), s.math(math.ErfOp, scaled)))


def activation_rule(epilogue: Epilogue) -> Rule:
    """The scalar rule of an epilogue activation (`dialects/infer/epilogue.py`), computed
    in the element type with its parameters rounded to it, as the reference's
    `apply_epilogue`; for `infer.conv` and the other ops that carry one."""
    p = epilogue.params

    def rule(s: Scalar, v: list[SSAValue]) -> SSAValue:
        x = v[0]
        t = x.type
        match epilogue.activation:
            case "relu":
                return s.max(x, s.zero(t))
            case "clip":
                low, high = (bound_in(b, t) for b in p)
                return s.min(s.max(x, s.const(low, t)), s.const(high, t))
            case "leaky_relu":
                return s.select(s.cmp("lt", x, s.zero(t)), s.mul(x, s.const(p[0], t)), x)
            case "sigmoid":
                return _sigmoid(s, [x])
            case "hard_sigmoid":
                return _hard_sigmoid(s, x, p[0], p[1])
            case "hard_swish":
                return s.mul(x, _hard_sigmoid(s, x, 1 / 6, 0.5))
            case "silu":
                return s.mul(x, _sigmoid(s, [x]))
            case "tanh":
                return s.math(math.TanhOp, x)
            case "gelu" | "gelu_tanh":
                return _gelu(s, x, approximate=epilogue.activation == "gelu_tanh")
        raise UnsupportedError(f"epilogue activation '{epilogue.activation}' has no lowering")

    return rule


def apply_epilogue(l: Lowering, buffer: SSAValue, epilogue: Epilogue | None) -> SSAValue:
    """Applies an op's epilogue activation to `buffer`, in place (nothing without one)."""
    if epilogue is not None:
        map_elements(l, [buffer], activation_rule(epilogue), buffer)
    return buffer
