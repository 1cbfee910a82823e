"""C for `arith`: every op with MLIR's semantics, never C's undefined behaviour.

- Integer `addi`/`subi`/`muli`/`shli` wrap modulo 2^bits (computed in an unsigned
  type, never in a promoted `int`); on `index` they are plain `int64_t`
  arithmetic (sizes and offsets never overflow), which lets gcc analyse loops.
- Division and remainder by zero give 0, and `INT_MIN / -1` wraps (MLIR calls
  both undefined; numpy gives 0 for the first): no SIGFPE from a model's data.
- Shifts by the bit width or more give 0 (`shli`, `shrui`) or the sign (`shrsi`), as numpy does.
- `fptosi`/`fptoui` saturate, NaN gives 0 (out of range is undefined in C and poison in MLIR).
- `cmpf` implements ordered and unordered predicates exactly (the code is built without -ffast-math).
- `maximumf`/`minimumf` propagate NaN and order -0.0 < +0.0; `maxnumf`/`minnumf` return the number.
- f16 arithmetic is done in float and rounded back after each op (exact for + - * /).
- The narrow floats (bf16, float8, f4) are bits: `extf`/`truncf` call the runtime's
  conversions (`truncf` may carry `infer.saturate` and `infer.round_mode`); `select`
  and constants take the bits; `cmpf`, `negf` and max/min compare or compute on the
  widened values (exact: no rounding is involved). Other arithmetic on them is an
  emitter error (the lowering computes in f32, with `extf`/`truncf` around the op).
- i1 is `bool`; its signed value is -1 (`extsi`, `sitofp`, signed compares).
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.dialects import arith
from xdsl.dialects.builtin import FloatAttr, IntegerAttr, MemRefType, StringAttr
from xdsl.ir import Operation

from infer.runtime.c.ctype import F32, INDEX, CType, literal
from infer.runtime.c.emitter import UNKNOWN_ROOT, BodyEmitter, Literal, Memref, emit_error
from infer.runtime.c.rules import rule


def up(t: CType, x: str) -> str:
    """An operand in the type arithmetic is done in (an f16 literal is already exact as a
    float; a narrow float's bits widen to float)."""
    if t.is_narrow:
        return f"infer_{t.fmt}_to_f32({x})"
    if not t.is_f16:
        return x
    if isinstance(x, Literal) and x.startswith("(infer_f16)"):
        return x.removeprefix("(infer_f16)")
    return f"(float){x}"


def down(t: CType, expr: str) -> str:
    """A result computed in `t.compute`, rounded to `t`."""
    if t.is_narrow:
        return narrow_from_f32(t, expr)
    return f"(infer_f16)({expr})" if t.is_f16 else expr


def narrow_from_f32(t: CType, expr: str, saturate: int = 0) -> str:
    """A float expression rounded to the narrow float `t` (its bits)."""
    if t.fmt == "bf16" and not saturate:
        return f"infer_bf16_from_f32({expr})"
    if t.fmt == "e8m0":
        return f"infer_e8m0_from_f32({expr}, {saturate}, 0)"
    return f"infer_{t.fmt}_from_f64((double)({expr}), {saturate})"


def fsuffix(t: CType) -> str:
    """The suffix of the runtime helpers for a float type (f16 and the narrow floats use the float ones)."""
    return "f64" if t.bits == 64 and not t.is_narrow else "f32"


def isuffix(t: CType) -> str:
    """The width of the runtime's integer helpers for a type: 32 (narrower types are widened) or 64."""
    return "64" if t.bits > 32 else "32"


@rule(arith.ConstantOp)
def constant(op: arith.ConstantOp, fe: BodyEmitter) -> None:
    value = op.value
    if not isinstance(value, IntegerAttr | FloatAttr):
        raise emit_error(op, f"only scalar constants are loop-level ({value.type}: use a memref.global)")
    fe.bind(op.result, Literal(literal(value.value.data, fe.ctype(op.result))))


# ---------------------------------------------------------------- floating point

FLOAT_BINARY: dict[type[Operation], str] = {arith.AddfOp: "+", arith.SubfOp: "-", arith.MulfOp: "*", arith.DivfOp: "/"}


@rule(*FLOAT_BINARY)
def float_binary(op: arith.FloatingPointLikeBinaryOperation, fe: BodyEmitter) -> None:
    t = fe.ctype(op.result)
    a, b = fe.scalar(op.lhs), fe.scalar(op.rhs)
    fe.define(op.result, down(t, f"{up(t, a)} {FLOAT_BINARY[type(op)]} {up(t, b)}"))


@rule(arith.NegfOp)
def negf(op: arith.NegfOp, fe: BodyEmitter) -> None:
    t = fe.ctype(op.result)
    x = fe.scalar(op.operand)
    fe.define(op.result, down(t, f"-{up(t, x)}") if t.is_narrow else f"-{x}")


FLOAT_MINMAX: dict[type[Operation], str] = {
    arith.MaximumfOp: "maximumf",
    arith.MinimumfOp: "minimumf",
    arith.MaxnumfOp: "maxnumf",
    arith.MinnumfOp: "minnumf",
}


@rule(*FLOAT_MINMAX)
def float_minmax(op: arith.FloatingPointLikeBinaryOperation, fe: BodyEmitter) -> None:
    t = fe.ctype(op.result)
    a, b = up(t, fe.scalar(op.lhs)), up(t, fe.scalar(op.rhs))
    fe.define(op.result, down(t, f"infer_{FLOAT_MINMAX[type(op)]}_{fsuffix(t)}({a}, {b})"))


CMPF: dict[str, Callable[[str, str], str]] = {
    "false": lambda a, b: "false",
    "oeq": lambda a, b: f"{a} == {b}",
    "ogt": lambda a, b: f"{a} > {b}",
    "oge": lambda a, b: f"{a} >= {b}",
    "olt": lambda a, b: f"{a} < {b}",
    "ole": lambda a, b: f"{a} <= {b}",
    "one": lambda a, b: f"({a} < {b} || {a} > {b})",
    "ord": lambda a, b: f"({a} == {a} && {b} == {b})",
    "ueq": lambda a, b: f"!({a} < {b} || {a} > {b})",
    "ugt": lambda a, b: f"!({a} <= {b})",
    "uge": lambda a, b: f"!({a} < {b})",
    "ult": lambda a, b: f"!({a} >= {b})",
    "ule": lambda a, b: f"!({a} > {b})",
    "une": lambda a, b: f"{a} != {b}",
    "uno": lambda a, b: f"({a} != {a} || {b} != {b})",
    "true": lambda a, b: "true",
}


@rule(arith.CmpfOp)
def cmpf(op: arith.CmpfOp, fe: BodyEmitter) -> None:
    predicate = arith.CMPF_COMPARISON_OPERATIONS[op.predicate.value.data]
    t = fe.ctype(op.lhs)
    a, b = fe.scalar(op.lhs), fe.scalar(op.rhs)
    if t.is_narrow:
        # Widened once each (the predicates name their operands more than once).
        wide = []
        for x in (a, b):
            name = fe.fresh(None, "w")
            fe.out.line(f"const float {name} = {up(t, x)};")
            wide.append(name)
        a, b = wide
    fe.define(op.result, CMPF[predicate](a, b))


# ---------------------------------------------------------------- integers

WRAPPING: dict[type[Operation], str] = {arith.AddiOp: "+", arith.SubiOp: "-", arith.MuliOp: "*"}


@rule(*WRAPPING)
def wrapping(op: arith.SignlessIntegerBinaryOperation, fe: BodyEmitter) -> None:
    t = fe.ctype(op.result)
    a, b = fe.scalar(op.lhs), fe.scalar(op.rhs)
    symbol = WRAPPING[type(op)]
    if t.kind == "index":
        if symbol in "+-" and b.startswith("-") and b[1:].isdigit():  # a + -1 reads better as a - 1
            symbol, b = "-" if symbol == "+" else "+", b[1:]
        fe.define(op.result, f"{a} {symbol} {b}")
        return
    w = t.wide_unsigned
    fe.define(op.result, t.wrap(f"({w}){a} {symbol} ({w}){b}"))


BITWISE: dict[type[Operation], str] = {arith.AndIOp: "&", arith.OrIOp: "|", arith.XOrIOp: "^"}


@rule(*BITWISE)
def bitwise(op: arith.SignlessIntegerBinaryOperation, fe: BodyEmitter) -> None:
    a, b = fe.scalar(op.lhs), fe.scalar(op.rhs)
    fe.define(op.result, f"{a} {BITWISE[type(op)]} {b}")


SIGNED_DIVISION: dict[type[Operation], str] = {
    arith.DivSIOp: "divsi",
    arith.RemSIOp: "remsi",
    arith.FloorDivSIOp: "floordivsi",
    arith.CeilDivSIOp: "ceildivsi",
}
UNSIGNED_DIVISION: dict[type[Operation], str] = {
    arith.DivUIOp: "divui",
    arith.RemUIOp: "remui",
    arith.CeilDivUIOp: "ceildivui",
}


def _result(t: CType, expr: str, width: str) -> str:
    return expr if t.bits == 64 and width == "64" and t.kind in ("int", "index") else t.wrap(expr)


@rule(*SIGNED_DIVISION)
def signed_division(op: arith.SignlessIntegerBinaryOperation, fe: BodyEmitter) -> None:
    t = fe.ctype(op.result)
    a, b = t.signed(fe.scalar(op.lhs)), t.signed(fe.scalar(op.rhs))
    width = isuffix(t)
    fe.define(op.result, _result(t, f"infer_{SIGNED_DIVISION[type(op)]}_{width}({a}, {b})", width))


@rule(*UNSIGNED_DIVISION)
def unsigned_division(op: arith.SignlessIntegerBinaryOperation, fe: BodyEmitter) -> None:
    t = fe.ctype(op.result)
    a, b = t.unsigned(fe.scalar(op.lhs)), t.unsigned(fe.scalar(op.rhs))
    width = isuffix(t)
    fe.define(op.result, t.wrap(f"infer_{UNSIGNED_DIVISION[type(op)]}_{width}({a}, {b})"))


MINMAX: dict[type[Operation], tuple[str, bool]] = {
    arith.MinSIOp: ("<", True),
    arith.MaxSIOp: (">", True),
    arith.MinUIOp: ("<", False),
    arith.MaxUIOp: (">", False),
}


@rule(*MINMAX)
def int_minmax(op: arith.SignlessIntegerBinaryOperation, fe: BodyEmitter) -> None:
    t = fe.ctype(op.result)
    a, b = fe.scalar(op.lhs), fe.scalar(op.rhs)
    symbol, signed = MINMAX[type(op)]
    view = t.signed if signed else t.unsigned
    fe.define(op.result, f"{view(a)} {symbol} {view(b)} ? {a} : {b}")


@rule(arith.ShLIOp, arith.ShRUIOp, arith.ShRSIOp)
def shift(op: arith.SignlessIntegerBinaryOperation, fe: BodyEmitter) -> None:
    t = fe.ctype(op.result)
    a, s = fe.scalar(op.lhs), t.unsigned(fe.scalar(op.rhs))
    width = isuffix(t)
    if isinstance(op, arith.ShLIOp):
        expr = f"infer_shli_{width}({t.unsigned(a)}, {s}, {t.bits})"
    elif isinstance(op, arith.ShRUIOp):
        expr = f"infer_shrui_{width}({t.unsigned(a)}, {s}, {t.bits})"
    else:
        expr = f"infer_shrsi_{width}({t.signed(a)}, {s}, {t.bits})"
    fe.define(op.result, t.wrap(expr))


CMPI: dict[str, tuple[str, bool | None]] = {
    "eq": ("==", None),
    "ne": ("!=", None),
    "slt": ("<", True),
    "sle": ("<=", True),
    "sgt": (">", True),
    "sge": (">=", True),
    "ult": ("<", False),
    "ule": ("<=", False),
    "ugt": (">", False),
    "uge": (">=", False),
}


@rule(arith.CmpiOp)
def cmpi(op: arith.CmpiOp, fe: BodyEmitter) -> None:
    t = fe.ctype(op.lhs)
    a, b = fe.scalar(op.lhs), fe.scalar(op.rhs)
    symbol, signed = CMPI[arith.CMPI_COMPARISON_OPERATIONS[op.predicate.value.data]]
    if signed is True:
        a, b = t.signed(a), t.signed(b)
    elif signed is False:
        a, b = t.unsigned(a), t.unsigned(b)
    fe.define(op.result, f"{a} {symbol} {b}")


@rule(arith.AddUIExtendedOp)
def addui_extended(op: arith.AddUIExtendedOp, fe: BodyEmitter) -> None:
    t = fe.ctype(op.sum)
    a, b = t.unsigned(fe.scalar(op.lhs)), t.unsigned(fe.scalar(op.rhs))
    if t.bits == 64:
        total = fe.define(op.sum, t.wrap(f"(uint64_t){a} + (uint64_t){b}"))
        fe.define(op.overflow, f"(uint64_t){total} < (uint64_t){a}")
        return
    wide = fe.names.fresh("wide")
    fe.out.line(f"const uint64_t {wide} = (uint64_t){a} + (uint64_t){b};")
    fe.define(op.sum, t.wrap(wide))
    fe.define(op.overflow, f"({wide} >> {t.bits}) != 0")


@rule(arith.MulUIExtendedOp, arith.MulSIExtendedOp)
def mul_extended(op: arith.MulUIExtendedOp | arith.MulSIExtendedOp, fe: BodyEmitter) -> None:
    t = fe.ctype(op.low)
    signed = isinstance(op, arith.MulSIExtendedOp)
    a, b = fe.scalar(op.lhs), fe.scalar(op.rhs)
    if t.bits == 64:
        wide_t = "infer_i128" if signed else "infer_u128"
    else:
        wide_t = "int64_t" if signed else "uint64_t"
    view = t.signed if signed else t.unsigned
    wide = fe.names.fresh("product")
    fe.out.line(f"const {wide_t} {wide} = ({wide_t}){view(a)} * ({wide_t}){view(b)};")
    fe.define(op.low, t.wrap(wide))
    fe.define(op.high, t.wrap(f"{wide} >> {t.bits}"))


# ---------------------------------------------------------------- select and casts


@rule(arith.SelectOp)
def select(op: arith.SelectOp, fe: BodyEmitter) -> None:
    c = fe.scalar(op.cond)
    if isinstance(op.result.type, MemRefType):
        a, b = fe.memref(op.lhs), fe.memref(op.rhs)
        const = a.const or b.const
        qual = "const " if const else ""
        name = fe.fresh(op.result, "m")
        fe.out.line(f"{qual}{a.elem.name} *{name} = {c} ? {a.ptr} : {b.ptr};")
        dims = [da if da == db else fe.dim_value(f"{c} ? {da} : {db}") for da, db in zip(a.dims, b.dims)]
        fe.bind(op.result, Memref(name, dims, a.elem, UNKNOWN_ROOT, const))
        return
    fe.define(op.result, f"{c} ? {fe.scalar(op.lhs)} : {fe.scalar(op.rhs)}")


def _cast(op: Operation, fe: BodyEmitter, expr: Callable[[CType, CType, str], str]) -> None:
    source, result = op.operands[0], op.results[0]
    fe.define(result, expr(fe.ctype(source), fe.ctype(result), fe.scalar(source)))


SATURATE_ATTR = "infer.saturate"
"""On an `arith.truncf` to a float8 type: clamp to the largest finite value (see `infer.cast`)."""
ROUND_MODE_ATTR = "infer.round_mode"
"""On an `arith.truncf` to f8E8M0FNU: "up" (the default), "down" or "nearest"."""
_E8M0_ROUND_MODES = {"up": 0, "down": 1, "nearest": 2}


@rule(arith.ExtFOp, arith.TruncFOp)
def float_cast(op: Operation, fe: BodyEmitter) -> None:
    """Between C floats a C conversion; to and from the narrow floats the runtime's
    conversions (widening through float, narrowing from double in one rounding)."""
    saturate = 1 if SATURATE_ATTR in op.attributes else 0
    mode_attr = op.attributes.get(ROUND_MODE_ATTR)
    round_mode = _E8M0_ROUND_MODES[mode_attr.data] if isinstance(mode_attr, StringAttr) else 0

    def expr(s: CType, r: CType, x: str) -> str:
        if s.is_narrow:
            x, s = f"infer_{s.fmt}_to_f32({x})", F32
        if not r.is_narrow:
            return f"({r.name}){x}" if r != s else x
        wide = up(s, x)
        if r.fmt == "e8m0":
            return f"infer_e8m0_from_f32((float){wide}, {saturate}, {round_mode})"
        if r.fmt == "bf16" and s == F32 and not saturate:
            return f"infer_bf16_from_f32({x})"
        return f"infer_{r.fmt}_from_f64((double){wide}, {saturate})"

    _cast(op, fe, expr)


@rule(arith.ExtSIOp)
def extsi(op: Operation, fe: BodyEmitter) -> None:
    _cast(op, fe, lambda s, r, x: r.wrap(s.signed(x)))


@rule(arith.ExtUIOp)
def extui(op: Operation, fe: BodyEmitter) -> None:
    _cast(op, fe, lambda s, r, x: r.wrap(s.unsigned(x)))


@rule(arith.TruncIOp)
def trunci(op: Operation, fe: BodyEmitter) -> None:
    _cast(op, fe, lambda s, r, x: r.wrap(x))


@rule(arith.IndexCastOp)
def index_cast(op: Operation, fe: BodyEmitter) -> None:
    # Sign-extends into index, truncates out of it.
    _cast(op, fe, lambda s, r, x: f"(int64_t){s.signed(x)}" if r.kind == "index" else r.wrap(x))


@rule(arith.SIToFPOp)
def sitofp(op: Operation, fe: BodyEmitter) -> None:
    _cast(op, fe, lambda s, r, x: f"({r.name}){s.signed(x)}")


@rule(arith.UIToFPOp)
def uitofp(op: Operation, fe: BodyEmitter) -> None:
    _cast(op, fe, lambda s, r, x: f"({r.name}){s.unsigned(x)}")


@rule(arith.FPToSIOp)
def fptosi(op: Operation, fe: BodyEmitter) -> None:
    def expr(s: CType, r: CType, x: str) -> str:
        lo, hi = literal(r.min_value, INDEX), literal(r.max_value, INDEX)
        return r.wrap(f"infer_fptosi_{fsuffix(s)}({up(s, x)}, {lo}, {hi})")

    _cast(op, fe, expr)


@rule(arith.FPToUIOp)
def fptoui(op: Operation, fe: BodyEmitter) -> None:
    def expr(s: CType, r: CType, x: str) -> str:
        hi = f"UINT64_C({r.umax_value})"
        return r.wrap(f"infer_fptoui_{fsuffix(s)}({up(s, x)}, {hi})")

    _cast(op, fe, expr)


@rule(arith.BitcastOp)
def bitcast(op: arith.BitcastOp, fe: BodyEmitter) -> None:
    s, r = fe.ctype(op.input), fe.ctype(op.result)
    if s.size != r.size or s.kind == "bool":
        raise emit_error(op, f"bitcast from {op.input.type} to {op.result.type}")
    x = fe.scalar(op.input)
    name = fe.fresh(op.result)
    fe.out.line(f"{r.name} {name};")
    fe.out.line(f"{{ const {s.name} bits_ = {x}; memcpy(&{name}, &bits_, sizeof {name}); }}")
    fe.bind(op.result, name)
