"""C for `math`: libm for floats (the `f` variants for f32; f16 computes in float),
and helpers from `infer_rt.h` where C has no exact equivalent.

`math.round` rounds half away from zero (C's `round`), `math.roundeven` half to
even; `rsqrt` is `1 / sqrt`; `fpowi` is `pow` with the integer exponent converted
exactly (through double); `ipowi` wraps, and a negative exponent gives 0 unless
the base is 1 or -1; `ctlz`/`cttz` of 0 give the bit width.
"""

from __future__ import annotations

from xdsl.dialects import math
from xdsl.ir import Operation

from infer.runtime.c.ctype import CType
from infer.runtime.c.emitter import BodyEmitter
from infer.runtime.c.rules import rule
from infer.runtime.c.rules.arith import down, isuffix, up

UNARY: dict[type[Operation], str] = {
    math.AbsFOp: "fabs",
    math.AcosOp: "acos",
    math.AcoshOp: "acosh",
    math.AsinOp: "asin",
    math.AsinhOp: "asinh",
    math.AtanOp: "atan",
    math.AtanhOp: "atanh",
    math.CbrtOp: "cbrt",
    math.CeilOp: "ceil",
    math.CosOp: "cos",
    math.CoshOp: "cosh",
    math.ErfOp: "erf",
    math.Exp2Op: "exp2",
    math.ExpM1Op: "expm1",
    math.ExpOp: "exp",
    math.FloorOp: "floor",
    math.Log10Op: "log10",
    math.Log1pOp: "log1p",
    math.Log2Op: "log2",
    math.LogOp: "log",
    math.RoundEvenOp: "__builtin_roundeven",
    math.RoundOp: "round",
    math.SinOp: "sin",
    math.SinhOp: "sinh",
    math.SqrtOp: "sqrt",
    math.TanOp: "tan",
    math.TanhOp: "tanh",
    math.TruncOp: "trunc",
}
BINARY: dict[type[Operation], str] = {math.Atan2Op: "atan2", math.CopySignOp: "copysign", math.PowFOp: "pow"}


def libm(name: str, t: CType) -> str:
    """The libm function for a type: `expf` for f32 and f16, `exp` for f64."""
    return name if t.bits == 64 else f"{name}f"


@rule(*UNARY)
def unary(op: Operation, fe: BodyEmitter) -> None:
    t = fe.ctype(op.results[0])
    x = up(t, fe.scalar(op.operands[0]))
    fe.define(op.results[0], down(t, f"{libm(UNARY[type(op)], t)}({x})"))


@rule(*BINARY)
def binary(op: Operation, fe: BodyEmitter) -> None:
    t = fe.ctype(op.results[0])
    a, b = (up(t, fe.scalar(v)) for v in op.operands)
    fe.define(op.results[0], down(t, f"{libm(BINARY[type(op)], t)}({a}, {b})"))


@rule(math.FmaOp)
def fma(op: math.FmaOp, fe: BodyEmitter) -> None:
    t = fe.ctype(op.result)
    a, b, c = (up(t, fe.scalar(v)) for v in op.operands)
    fe.define(op.result, down(t, f"{libm('fma', t)}({a}, {b}, {c})"))


@rule(math.RsqrtOp)
def rsqrt(op: math.RsqrtOp, fe: BodyEmitter) -> None:
    t = fe.ctype(op.result)
    one = "1.0" if t.bits == 64 else "1.0f"
    fe.define(op.result, down(t, f"{one} / {libm('sqrt', t)}({up(t, fe.scalar(op.operand))})"))


@rule(math.FPowIOp)
def fpowi(op: math.FPowIOp, fe: BodyEmitter) -> None:
    t, n_t = fe.ctype(op.result), fe.ctype(op.rhs)
    x, n = fe.scalar(op.lhs), n_t.signed(fe.scalar(op.rhs))
    fe.define(op.result, f"({t.name})pow((double){x}, (double){n})")


@rule(math.IPowIOp)
def ipowi(op: math.IPowIOp, fe: BodyEmitter) -> None:
    t = fe.ctype(op.result)
    x, n = t.signed(fe.scalar(op.lhs)), t.signed(fe.scalar(op.rhs))
    fe.define(op.result, t.wrap(f"infer_ipowi_64({x}, {n})"))


@rule(math.AbsIOp)
def absi(op: math.AbsIOp, fe: BodyEmitter) -> None:
    t = fe.ctype(op.result)
    x = fe.scalar(op.operand)
    fe.define(op.result, f"{t.signed(x)} < 0 ? {t.wrap(f'({t.wide_unsigned})0 - ({t.wide_unsigned}){x}')} : {x}")


BIT_COUNTS: dict[type[Operation], str] = {
    math.CountLeadingZerosOp: "ctlz",
    math.CountTrailingZerosOp: "cttz",
    math.CtPopOp: "ctpop",
}


@rule(*BIT_COUNTS)
def bit_count(op: Operation, fe: BodyEmitter) -> None:
    t = fe.ctype(op.results[0])
    x = t.unsigned(fe.scalar(op.operands[0]))
    fe.define(op.results[0], t.wrap(f"infer_{BIT_COUNTS[type(op)]}_{isuffix(t)}({x}, {t.bits})"))
