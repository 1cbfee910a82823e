"""Scalar arithmetic by element type: the bodies of `linalg.generic` and of loops.

`Scalar` wraps a builder and picks the `arith` / `math` op for the element
type of its operands, so that one rule serves floats, signed and unsigned
integers and i1 alike:

    s = Scalar(builder)
    y = s.select(s.cmp("lt", x, s.zero(t)), s.zero(t), x)    # relu, any numeric type

Element kinds: `float` (f16, bf16, f32, f64), `signed` (signless i8 ... i64,
signed like the `infer` dialect reads them), `unsigned` (ui8 ... ui64, with
the unsigned variants of division, remainder, comparison and extension), `bool`
(i1: compared and extended as unsigned, so that true > false) and `index`.

Integer division and remainder are total here, as the reference interpreter
defines them: by zero they give 0, and `MIN / -1` wraps around to `MIN`
(instead of trapping as C and `arith` would). Float-to-integer casts saturate
(see `cast`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np
from xdsl.builder import Builder
from xdsl.dialects import arith, math, scf
from xdsl.dialects.builtin import (
    AnyFloat,
    BFloat16Type,
    Float4E2M1FNType,
    Float6E2M3FNType,
    Float6E3M2FNType,
    Float8E4M3FNType,
    Float8E4M3FNUZType,
    Float8E5M2FNUZType,
    Float8E5M2Type,
    Float8E8M0FNUType,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    Signedness,
    StringAttr,
    UnitAttr,
    f32,
    f64,
    i1,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.rewriter import InsertPoint

from infer.dialects.dtypes import to_numpy

FLOAT, SIGNED, UNSIGNED, BOOL, INDEX = "float", "signed", "unsigned", "bool", "index"

OpMaker = Callable[..., Operation]
"""An op class, as called to build one."""


def kind(t: Attribute) -> str:
    """The element kind of a scalar type (see the module docstring)."""
    if isinstance(t, AnyFloat):
        return FLOAT
    if isinstance(t, IndexType):
        return INDEX
    if isinstance(t, IntegerType):
        if t.width.data == 1:
            return BOOL
        return UNSIGNED if t.signedness.data == Signedness.UNSIGNED else SIGNED
    raise ValueError(f"no scalar arithmetic for {t}")


NARROW_FLOATS = (
    BFloat16Type,
    Float8E4M3FNType,
    Float8E4M3FNUZType,
    Float8E5M2Type,
    Float8E5M2FNUZType,
    Float8E8M0FNUType,
    Float4E2M1FNType,
    Float6E2M3FNType,
    Float6E3M2FNType,
)
"""Floats that ops compute on in f32 (the C target stores them as bits)."""


def is_narrow_float(t: Attribute) -> bool:
    return isinstance(t, NARROW_FLOATS)


def width(t: Attribute) -> int:
    if isinstance(t, IntegerType):
        return t.width.data
    if isinstance(t, IndexType):
        return 64
    assert isinstance(t, AnyFloat)
    return t.bitwidth


def is_float(t: Attribute) -> bool:
    return isinstance(t, AnyFloat)


def int_range(t: Attribute) -> tuple[int, int]:
    n = width(t)
    if kind(t) in (UNSIGNED, BOOL):
        return 0, (1 << n) - 1
    return -(1 << (n - 1)), (1 << (n - 1)) - 1


def _wrap(value: int, t: Attribute) -> int:
    """`value` modulo 2^width, in the signed range for signless types."""
    n = width(t)
    value &= (1 << n) - 1
    if kind(t) in (SIGNED, INDEX) and value >= 1 << (n - 1):
        value -= 1 << n
    return value


def float_value(value: float, t: Attribute) -> float:
    """`value` rounded to the float type `t` (as the reference's numpy does)."""
    try:
        with np.errstate(over="ignore"):
            return float(np.asarray(value, dtype=to_numpy(t)))
    except ValueError:  # bf16 and other types numpy lacks: the attribute rounds
        return float(value)


CmpPredicate = str
"""`eq`, `ne`, `lt`, `le`, `gt` or `ge`."""

_SIGNED_PRED = {"eq": "eq", "ne": "ne", "lt": "slt", "le": "sle", "gt": "sgt", "ge": "sge"}
_UNSIGNED_PRED = {"eq": "eq", "ne": "ne", "lt": "ult", "le": "ule", "gt": "ugt", "ge": "uge"}
# Ordered comparisons are false on NaN; `ne` is unordered so that NaN != NaN.
_FLOAT_PRED = {"eq": "oeq", "ne": "une", "lt": "olt", "le": "ole", "gt": "ogt", "ge": "oge"}


class Scalar:
    """Typed scalar arithmetic inserted with `builder` (see the module docstring)."""

    def __init__(self, builder: Builder) -> None:
        self.builder = builder

    def insert(self, op: Operation) -> SSAValue:
        self.builder.insert(op)
        return op.results[0]

    # -- constants ------------------------------------------------------------------------

    def const(self, value: float | int | bool, t: Attribute) -> SSAValue:
        """A constant of scalar type `t`: floats rounded to `t`, integers wrapped around
        (an unsigned one is a signless `arith.constant` and an `arith.bitcast`)."""
        if is_float(t):
            return self.insert(arith.ConstantOp(FloatAttr(float_value(float(value), t), cast(Any, t))))
        if kind(t) == BOOL:
            return self.insert(arith.ConstantOp(IntegerAttr(1 if value else 0, i1)))
        if kind(t) == UNSIGNED:
            # arith.constant takes signless integers only: the bits, reinterpreted.
            signless = IntegerType(width(t))
            bits = self.insert(arith.ConstantOp(IntegerAttr(_wrap(int(value), signless), signless)))
            return self.insert(arith.BitcastOp(bits, t))
        return self.insert(arith.ConstantOp(IntegerAttr(_wrap(int(value), t), cast(Any, t))))

    def zero(self, t: Attribute) -> SSAValue:
        return self.const(0, t)

    def one(self, t: Attribute) -> SSAValue:
        return self.const(1, t)

    def lowest(self, t: Attribute) -> SSAValue:
        """-inf, the least integer, or false: the identity of max."""
        if is_float(t):
            return self.const(-np.inf, t)
        return self.const(int_range(t)[0], t)

    def highest(self, t: Attribute) -> SSAValue:
        """+inf, the greatest integer, or true: the identity of min."""
        if is_float(t):
            return self.const(np.inf, t)
        return self.const(int_range(t)[1], t)

    # -- arithmetic ---------------------------------------------------------------------------

    def _binary(self, a: SSAValue, b: SSAValue, on_float: OpMaker, on_int: OpMaker) -> SSAValue:
        op_class = on_float if is_float(a.type) else on_int
        return self.insert(op_class(a, b))

    def add(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._binary(a, b, arith.AddfOp, arith.AddiOp)

    def sub(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._binary(a, b, arith.SubfOp, arith.SubiOp)

    def mul(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._binary(a, b, arith.MulfOp, arith.MuliOp)

    def neg(self, x: SSAValue) -> SSAValue:
        if is_float(x.type):
            return self.insert(arith.NegfOp(x))
        return self.sub(self.zero(x.type), x)

    def div(self, a: SSAValue, b: SSAValue) -> SSAValue:
        """`a / b`; integers truncate towards zero, by zero give 0, and `MIN / -1` wraps."""
        t = a.type
        if is_float(t):
            return self.insert(arith.DivfOp(a, b))
        zero = self.zero(t)
        b_zero = self.cmp("eq", b, zero)
        if kind(t) in (UNSIGNED, BOOL):
            safe = self.select(b_zero, self.one(t), b)
            return self.select(b_zero, zero, self.insert(arith.DivUIOp(a, safe)))
        minus_one = self.const(-1, t)
        b_minus_one = self.cmp("eq", b, minus_one)
        safe = self.select(self.or_(b_zero, b_minus_one), self.one(t), b)
        quotient = self.select(b_minus_one, self.neg(a), self.insert(arith.DivSIOp(a, safe)))
        return self.select(b_zero, zero, quotient)

    def rem(self, a: SSAValue, b: SSAValue) -> SSAValue:
        """Integer remainder with the sign of `a` (C's `%`); by zero (and by -1) gives 0."""
        t = a.type
        zero = self.zero(t)
        b_zero = self.cmp("eq", b, zero)
        if kind(t) in (UNSIGNED, BOOL):
            safe = self.select(b_zero, self.one(t), b)
            return self.select(b_zero, zero, self.insert(arith.RemUIOp(a, safe)))
        trivial = self.or_(b_zero, self.cmp("eq", b, self.const(-1, t)))
        safe = self.select(trivial, self.one(t), b)
        return self.select(trivial, zero, self.insert(arith.RemSIOp(a, safe)))

    def max(self, a: SSAValue, b: SSAValue) -> SSAValue:
        """The larger; NaN if either is NaN; logical or on i1."""
        match kind(a.type):
            case "float":
                return self.insert(arith.MaximumfOp(a, b))
            case "bool":
                return self.or_(a, b)
            case "unsigned":
                return self.insert(arith.MaxUIOp(a, b))
        return self.insert(arith.MaxSIOp(a, b))

    def min(self, a: SSAValue, b: SSAValue) -> SSAValue:
        """The smaller; NaN if either is NaN; logical and on i1."""
        match kind(a.type):
            case "float":
                return self.insert(arith.MinimumfOp(a, b))
            case "bool":
                return self.and_(a, b)
            case "unsigned":
                return self.insert(arith.MinUIOp(a, b))
        return self.insert(arith.MinSIOp(a, b))

    def abs(self, x: SSAValue) -> SSAValue:
        match kind(x.type):
            case "float":
                return self.insert(math.AbsFOp(x))
            case "unsigned" | "bool":
                return x
        return self.select(self.cmp("lt", x, self.zero(x.type)), self.neg(x), x)

    # -- comparisons and logic ------------------------------------------------------------------

    def cmp(self, predicate: CmpPredicate, a: SSAValue, b: SSAValue) -> SSAValue:
        """An i1 comparison; on floats ordered (false with NaN) except `ne`."""
        match kind(a.type):
            case "float":
                return self.insert(arith.CmpfOp(a, b, _FLOAT_PRED[predicate]))
            case "unsigned" | "bool":
                return self.insert(arith.CmpiOp(a, b, _UNSIGNED_PRED[predicate]))
        return self.insert(arith.CmpiOp(a, b, _SIGNED_PRED[predicate]))

    def is_nan(self, x: SSAValue) -> SSAValue:
        return self.insert(arith.CmpfOp(x, x, "uno"))

    def select(self, condition: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.insert(arith.SelectOp(condition, a, b))

    def and_(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.insert(arith.AndIOp(a, b))

    def or_(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.insert(arith.OrIOp(a, b))

    def xor(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.insert(arith.XOrIOp(a, b))

    def not_(self, x: SSAValue) -> SSAValue:
        return self.xor(x, self.const(True, i1))

    # -- math ---------------------------------------------------------------------------------

    def math(self, op_class: OpMaker, *operands: SSAValue) -> SSAValue:
        """A `math` op on float operands (`math.ExpOp`, `math.PowFOp`, ...)."""
        return self.insert(op_class(*operands))

    def copysign(self, magnitude: SSAValue, sign: SSAValue) -> SSAValue:
        return self.insert(math.CopySignOp(magnitude, sign))

    # -- loops ----------------------------------------------------------------------------------

    def while_loop(
        self,
        initial: Sequence[SSAValue],
        condition: Callable[[Scalar, list[SSAValue]], SSAValue],
        step: Callable[[Scalar, list[SSAValue]], Sequence[SSAValue]],
    ) -> list[SSAValue]:
        """`while condition(values): values = step(values)` as an `scf.while`; the final values."""
        types = [v.type for v in initial]
        before, after = Block(arg_types=types), Block(arg_types=types)
        head = Scalar(Builder(InsertPoint.at_end(before)))
        head.builder.insert(scf.ConditionOp(condition(head, list(before.args)), *before.args))
        body = Scalar(Builder(InsertPoint.at_end(after)))
        body.builder.insert(scf.YieldOp(*step(body, list(after.args))))
        loop = scf.WhileOp(initial, types, Region(before), Region(after))
        self.builder.insert(loop)
        return list(loop.results)

    def fmod(self, a: SSAValue, b: SSAValue) -> SSAValue:
        """C's `fmod` (remainder of the truncated quotient, sign of `a`), exactly.

        `arith` has no `remf` here, and `a - trunc(a / b) * b` is not exact: the
        remainder is computed by binary long division, each subtraction exact
        (Sterbenz): `t = |b| * 2^k` doubled up to `|a|`, then halved back to
        `|b|`, subtracted whenever it fits. NaN for NaN operands, infinite `a`
        or `b == 0`; `a` for infinite `b`."""
        t = a.type
        zero, one = self.zero(t), self.one(t)
        inf = self.const(np.inf, t)
        magnitude, divisor = self.abs(a), self.abs(b)
        undefined = self.or_(
            self.or_(self.is_nan(a), self.is_nan(b)),
            self.or_(self.cmp("eq", magnitude, inf), self.cmp("eq", b, zero)),
        )
        infinite_b = self.cmp("eq", divisor, inf)
        trivial = self.or_(undefined, infinite_b)
        # Trivial cases run the loops on (0, 1), which end at once.
        r0 = self.select(trivial, zero, magnitude)
        d = self.select(trivial, one, divisor)

        def doubling(s: Scalar, v: list[SSAValue]) -> SSAValue:
            return s.cmp("le", v[0], s.sub(r0, v[0]))

        (top,) = self.while_loop([d], doubling, lambda s, v: [s.add(v[0], v[0])])

        def halving(s: Scalar, v: list[SSAValue]) -> SSAValue:
            return s.cmp("ge", v[1], d)

        def subtract(s: Scalar, v: list[SSAValue]) -> list[SSAValue]:
            r, step = v
            r = s.select(s.cmp("ge", r, step), s.sub(r, step), r)
            return [r, s.mul(step, s.const(0.5, t))]

        remainder, _ = self.while_loop([r0, top], halving, subtract)
        result = self.copysign(remainder, a)
        result = self.select(infinite_b, a, result)
        return self.select(undefined, self.const(np.nan, t), result)

    def ipow(self, a: SSAValue, b: SSAValue) -> SSAValue:
        """Integer `a ^ b` by squaring, wrapping around like repeated products; for a
        negative `b`, the truncated `1 / a^-b` (0 unless `a` is 1 or -1)."""
        t = a.type
        zero, one = self.zero(t), self.one(t)
        signed = kind(t) == SIGNED
        negative = self.cmp("lt", b, zero) if signed else None
        exponent = self.select(negative, zero, b) if negative is not None else b

        def more(s: Scalar, v: list[SSAValue]) -> SSAValue:
            return s.cmp("ne", v[2], zero)

        def square(s: Scalar, v: list[SSAValue]) -> list[SSAValue]:
            result, base, e = v
            odd = s.cmp("ne", s.and_(e, one), zero)
            result = s.select(odd, s.mul(result, base), result)
            return [result, s.mul(base, base), s.insert(arith.ShRUIOp(e, one))]

        power, _, _ = self.while_loop([one, a, exponent], more, square)
        if negative is None:
            return power
        minus_one = self.const(-1, t)
        odd_b = self.cmp("ne", self.and_(b, one), zero)
        at_minus_one = self.select(odd_b, minus_one, one)
        inverse = self.select(
            self.cmp("eq", a, one), one, self.select(self.cmp("eq", a, minus_one), at_minus_one, zero)
        )
        return self.select(negative, inverse, power)

    # -- conversions ------------------------------------------------------------------------------

    def widen(self, x: SSAValue) -> SSAValue:
        """A narrow float as f32 (exact); any other value as it is."""
        return self.insert(arith.ExtFOp(x, f32)) if is_narrow_float(x.type) else x

    def cast(self, x: SSAValue, to: Attribute, saturate: bool = False, round_mode: str | None = None) -> SSAValue:
        """`x` converted to the scalar type `to`, as `infer.cast` defines it.

        To i1: nonzero (and NaN) is true. Float to integer truncates towards
        zero and saturates: NaN gives 0, values beyond the range give its
        bounds (the reference's numpy leaves those to the platform; the
        lowering must not, since C makes them undefined); to the sub-byte
        integers it saturates to i64 and then wraps. Integers wrap around
        to narrower ones, and extend by their own signedness. Narrow floats
        widen to f32 first; a conversion to one is an `arith.truncf` from a
        float (integers go through f64) carrying `infer.saturate` and
        `infer.round_mode` (f8E8M0FNU) as attributes."""
        source = x.type
        if source == to:
            return x
        if is_narrow_float(source):
            x = self.widen(x)
            return self.cast(x, to, saturate, round_mode)
        if is_narrow_float(to):
            if kind(source) != FLOAT:
                x = self.cast(x, f64)
            op = arith.TruncFOp(x, to)
            if saturate:
                op.attributes["infer.saturate"] = UnitAttr()
            if round_mode is not None:
                op.attributes["infer.round_mode"] = StringAttr(round_mode)
            return self.insert(op)
        if kind(source) == FLOAT and kind(to) in (SIGNED, UNSIGNED) and width(to) < 8:
            return self.cast(self._float_to_int(x, i64), to)
        k_from, k_to = kind(source), kind(to)
        op_class: OpMaker
        if k_to == BOOL:
            return self.cmp("ne", x, self.zero(source))
        if k_from == FLOAT and k_to == FLOAT:
            op_class = arith.ExtFOp if width(to) > width(source) else arith.TruncFOp
            return self.insert(op_class(x, to))
        if k_to == FLOAT:
            op_class = arith.SIToFPOp if k_from in (SIGNED, INDEX) else arith.UIToFPOp
            return self.insert(op_class(x, cast(Any, to)))
        if k_from == FLOAT:
            return self._float_to_int(x, to)
        if k_from == INDEX or k_to == INDEX:
            return self.insert(arith.IndexCastOp(x, to))
        n_from, n_to = width(source), width(to)
        if n_to < n_from:
            return self.insert(arith.TruncIOp(x, cast(Any, to)))
        if n_to > n_from:
            op_class = arith.ExtSIOp if k_from == SIGNED else arith.ExtUIOp
            return self.insert(op_class(x, cast(Any, to)))
        return self.insert(arith.BitcastOp(x, to))

    def _float_to_int(self, x: SSAValue, to: Attribute) -> SSAValue:
        low, high = int_range(to)
        t = x.type
        # Open bounds as floats: 2^(n-1) (2^n unsigned) is exact, or infinite where
        # the float type cannot hold it; -2^(n-1) - 1 rounds to -2^(n-1) in narrow
        # floats, so the lower test is `<=` that bound (-1 for unsigned types).
        above = self.const(float(high) + 1.0, t)
        below = self.const(-1.0 if kind(to) == UNSIGNED else float(low), t)
        inside = self.and_(self.cmp("gt", x, below), self.cmp("lt", x, above))  # false for NaN
        # Only values in range are converted (anything else is undefined in C).
        safe = self.select(inside, x, self.zero(t))
        op_class: OpMaker = arith.FPToUIOp if kind(to) == UNSIGNED else arith.FPToSIOp
        converted = self.insert(op_class(safe, to))
        low_value = 0 if kind(to) == UNSIGNED else low
        outside = self.select(self.cmp("ge", x, above), self.const(high, to), self.const(low_value, to))
        outside = self.select(self.is_nan(x), self.zero(to), outside)
        return self.select(inside, converted, outside)

    def index(self, x: SSAValue) -> SSAValue:
        """An integer as an `index`."""
        return self.insert(arith.IndexCastOp(x, IndexType()))


ScalarRule = Callable[[Scalar, list[SSAValue]], SSAValue]
"""Computes one element of a result from one element of each operand."""
