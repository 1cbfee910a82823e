"""Runs loop-level IR (func, scf, arith, math, memref) with xDSL's interpreter, on numpy.

Test support for the lowering to loops: small cases only (xDSL's
interpreter takes tens of microseconds per op executed). xDSL's own
implementations of arith, math and memref are incomplete (no `divf`, `negf`,
casts, most of `math`, dynamic `memref.alloc`, `memref.dim`, `memref.copy`)
and compute floats in double precision; this module replaces them with
numpy-based ones that compute in each op's own type, so that an f32 body
rounds like C's f32 arithmetic and integers wrap around at their width. xDSL's
`scf` and `func` implementations are used as they are.

Values: a memref is a C-contiguous numpy array (inputs and constant globals
read-only, so that a store into them fails), an `index` a Python int, an
integer or float a numpy scalar of its exact dtype (i1: `np.bool_`).
Behaviour that C leaves undefined fails loudly instead of giving a value:
division by zero, `fptosi` out of range, loads out of bounds, use of a
deallocated buffer.

    outputs = run_loops(module, [x, y])            # the entry function (@main_graph)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from xdsl.dialects import arith, memref
from xdsl.dialects import math as mathd
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    Signedness,
)
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls
from xdsl.interpreters.func import FuncFunctions
from xdsl.interpreters.scf import ScfFunctions
from xdsl.ir import Attribute, Operation
from xdsl.traits import SymbolTable
from xdsl.utils.exceptions import InterpretationError

from infer.dialects.constants import dense_to_numpy
from infer.dialects.dtypes import to_numpy
from infer.runtime.interpreter import entry_function
from infer.runtime.reference.elementwise import erf

# -- types ------------------------------------------------------------------------------------


def _dtype(t: Attribute) -> np.dtype:
    return to_numpy(t)


def _is_index(t: Attribute) -> bool:
    return isinstance(t, IndexType)


def _unsigned(t: Attribute) -> bool:
    return isinstance(t, IntegerType) and (t.signedness.data == Signedness.UNSIGNED or t.width.data == 1)


def _width(t: Attribute) -> int:
    return 64 if _is_index(t) else t.width.data  # type: ignore[attr-defined]


def _to_int(value: Any, t: Attribute, unsigned: bool | None = None) -> int:
    """A scalar as a Python int, read as signed or unsigned (by its type by default)."""
    v = int(value)
    n = _width(t)
    v &= (1 << n) - 1
    if unsigned is None:
        unsigned = _unsigned(t)
    if not unsigned and v >= 1 << (n - 1):
        v -= 1 << n
    return v


def _from_int(value: int, t: Attribute) -> Any:
    """A Python int wrapped around into the integer type `t` (an int for index)."""
    n = _width(t)
    v = value & ((1 << n) - 1)
    if _is_index(t):
        return v - (1 << n) if v >= 1 << (n - 1) else v
    dtype = _dtype(t)
    if dtype == np.bool_:
        return np.bool_(v & 1)
    unsigned = np.dtype(f"u{dtype.itemsize}")
    return np.array(v, dtype=unsigned).view(dtype)[()]


def _float(value: Any, t: Attribute) -> Any:
    with np.errstate(all="ignore"):
        return _dtype(t).type(value)


# -- arith --------------------------------------------------------------------------------------


def _int_binary(op: Operation, args: PythonValues, fn: Any, unsigned: bool | None = None) -> PythonValues:
    t = op.results[0].type
    a, b = (_to_int(x, t, unsigned) for x in args)
    return (_from_int(fn(a, b), t),)


def _float_binary(op: Operation, args: PythonValues, fn: Any) -> PythonValues:
    t = op.results[0].type
    with np.errstate(all="ignore"):
        return (_float(fn(*args), t),)


def _trunc_div(a: int, b: int) -> int:
    if b == 0:
        raise InterpretationError("integer division by zero (undefined in C)")
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _check_nonzero(b: int) -> int:
    if b == 0:
        raise InterpretationError("integer division by zero (undefined in C)")
    return b


_INT_PREDICATES = {
    0: lambda a, b: a == b,
    1: lambda a, b: a != b,
    2: lambda a, b: a < b,
    3: lambda a, b: a <= b,
    4: lambda a, b: a > b,
    5: lambda a, b: a >= b,
    6: lambda a, b: a < b,
    7: lambda a, b: a <= b,
    8: lambda a, b: a > b,
    9: lambda a, b: a >= b,
}


def _cmpf(predicate: int, x: Any, y: Any) -> bool:
    ordered = not (np.isnan(x) or np.isnan(y))
    match predicate:
        case 0:
            return False
        case 1:
            return ordered and x == y
        case 2:
            return ordered and x > y
        case 3:
            return ordered and x >= y
        case 4:
            return ordered and x < y
        case 5:
            return ordered and x <= y
        case 6:
            return ordered and x != y
        case 7:
            return ordered
        case 8:
            return not ordered or x == y
        case 9:
            return not ordered or x > y
        case 10:
            return not ordered or x >= y
        case 11:
            return not ordered or x < y
        case 12:
            return not ordered or x <= y
        case 13:
            return not ordered or x != y
        case 14:
            return not ordered
    return True


def _maximum(a: Any, b: Any) -> Any:
    """IEEE maximum: NaN if either is; +0 above -0."""
    if np.isnan(a) or np.isnan(b):
        return a if np.isnan(a) else b
    if a == b:
        return b if np.signbit(a) else a
    return a if a > b else b


def _minimum(a: Any, b: Any) -> Any:
    if np.isnan(a) or np.isnan(b):
        return a if np.isnan(a) else b
    if a == b:
        return a if np.signbit(a) else b
    return a if a < b else b


@register_impls
class ArithFunctions(InterpreterFunctions):
    """`arith` computed in each op's own type."""

    @impl(arith.ConstantOp)
    def run_constant(self, interpreter: Interpreter, op: arith.ConstantOp, args: PythonValues) -> PythonValues:
        value = op.value
        t = op.result.type
        if isinstance(value, FloatAttr):
            return (_float(value.value.data, t),)
        if isinstance(value, IntegerAttr):
            return (_from_int(value.value.data, t),)
        raise InterpretationError(f"arith.constant of {value} is not supported by this interpreter")

    @impl(arith.AddiOp)
    def run_addi(self, interpreter: Interpreter, op: arith.AddiOp, args: PythonValues) -> PythonValues:
        return _int_binary(op, args, lambda a, b: a + b)

    @impl(arith.SubiOp)
    def run_subi(self, interpreter: Interpreter, op: arith.SubiOp, args: PythonValues) -> PythonValues:
        return _int_binary(op, args, lambda a, b: a - b)

    @impl(arith.MuliOp)
    def run_muli(self, interpreter: Interpreter, op: arith.MuliOp, args: PythonValues) -> PythonValues:
        return _int_binary(op, args, lambda a, b: a * b)

    @impl(arith.DivSIOp)
    def run_divsi(self, interpreter: Interpreter, op: arith.DivSIOp, args: PythonValues) -> PythonValues:
        t = op.result.type
        a, b = (_to_int(x, t, False) for x in args)
        if b == -1 and a == -(1 << (_width(t) - 1)):
            raise InterpretationError("arith.divsi overflows (MIN / -1 is undefined in C)")
        return (_from_int(_trunc_div(a, b), t),)

    @impl(arith.DivUIOp)
    def run_divui(self, interpreter: Interpreter, op: arith.DivUIOp, args: PythonValues) -> PythonValues:
        return _int_binary(op, args, lambda a, b: a // _check_nonzero(b), unsigned=True)

    @impl(arith.RemSIOp)
    def run_remsi(self, interpreter: Interpreter, op: arith.RemSIOp, args: PythonValues) -> PythonValues:
        t = op.result.type
        a, b = (_to_int(x, t, False) for x in args)
        if b == -1 and a == -(1 << (_width(t) - 1)):
            raise InterpretationError("arith.remsi overflows (MIN % -1 is undefined in C)")
        return (_from_int(a - _trunc_div(a, b) * b, t),)

    @impl(arith.RemUIOp)
    def run_remui(self, interpreter: Interpreter, op: arith.RemUIOp, args: PythonValues) -> PythonValues:
        return _int_binary(op, args, lambda a, b: a % _check_nonzero(b), unsigned=True)

    @impl(arith.FloorDivSIOp)
    def run_floordivsi(self, interpreter: Interpreter, op: arith.FloorDivSIOp, args: PythonValues) -> PythonValues:
        return _int_binary(op, args, lambda a, b: a // _check_nonzero(b), unsigned=False)

    @impl(arith.CeilDivSIOp)
    def run_ceildivsi(self, interpreter: Interpreter, op: arith.CeilDivSIOp, args: PythonValues) -> PythonValues:
        return _int_binary(op, args, lambda a, b: -(-a // _check_nonzero(b)), unsigned=False)

    @impl(arith.MaxSIOp)
    def run_maxsi(self, interpreter: Interpreter, op: arith.MaxSIOp, args: PythonValues) -> PythonValues:
        return _int_binary(op, args, max, unsigned=False)

    @impl(arith.MinSIOp)
    def run_minsi(self, interpreter: Interpreter, op: arith.MinSIOp, args: PythonValues) -> PythonValues:
        return _int_binary(op, args, min, unsigned=False)

    @impl(arith.MaxUIOp)
    def run_maxui(self, interpreter: Interpreter, op: arith.MaxUIOp, args: PythonValues) -> PythonValues:
        return _int_binary(op, args, max, unsigned=True)

    @impl(arith.MinUIOp)
    def run_minui(self, interpreter: Interpreter, op: arith.MinUIOp, args: PythonValues) -> PythonValues:
        return _int_binary(op, args, min, unsigned=True)

    @impl(arith.AndIOp)
    def run_andi(self, interpreter: Interpreter, op: arith.AndIOp, args: PythonValues) -> PythonValues:
        return _int_binary(op, args, lambda a, b: a & b)

    @impl(arith.OrIOp)
    def run_ori(self, interpreter: Interpreter, op: arith.OrIOp, args: PythonValues) -> PythonValues:
        return _int_binary(op, args, lambda a, b: a | b)

    @impl(arith.XOrIOp)
    def run_xori(self, interpreter: Interpreter, op: arith.XOrIOp, args: PythonValues) -> PythonValues:
        return _int_binary(op, args, lambda a, b: a ^ b)

    @impl(arith.ShLIOp)
    def run_shli(self, interpreter: Interpreter, op: arith.ShLIOp, args: PythonValues) -> PythonValues:
        return _int_binary(op, args, lambda a, b: a << b, unsigned=True)

    @impl(arith.ShRUIOp)
    def run_shrui(self, interpreter: Interpreter, op: arith.ShRUIOp, args: PythonValues) -> PythonValues:
        return _int_binary(op, args, lambda a, b: a >> b, unsigned=True)

    @impl(arith.ShRSIOp)
    def run_shrsi(self, interpreter: Interpreter, op: arith.ShRSIOp, args: PythonValues) -> PythonValues:
        t = op.result.type
        return (_from_int(_to_int(args[0], t, False) >> _to_int(args[1], t, True), t),)

    @impl(arith.CmpiOp)
    def run_cmpi(self, interpreter: Interpreter, op: arith.CmpiOp, args: PythonValues) -> PythonValues:
        predicate = op.predicate.value.data
        t = op.lhs.type
        a, b = (_to_int(x, t, predicate >= 6) for x in args)
        return (np.bool_(_INT_PREDICATES[predicate](a, b)),)

    @impl(arith.CmpfOp)
    def run_cmpf(self, interpreter: Interpreter, op: arith.CmpfOp, args: PythonValues) -> PythonValues:
        return (np.bool_(_cmpf(op.predicate.value.data, *args)),)

    @impl(arith.SelectOp)
    def run_select(self, interpreter: Interpreter, op: arith.SelectOp, args: PythonValues) -> PythonValues:
        condition, a, b = args
        return (a if condition else b,)

    @impl(arith.AddfOp)
    def run_addf(self, interpreter: Interpreter, op: arith.AddfOp, args: PythonValues) -> PythonValues:
        return _float_binary(op, args, lambda a, b: a + b)

    @impl(arith.SubfOp)
    def run_subf(self, interpreter: Interpreter, op: arith.SubfOp, args: PythonValues) -> PythonValues:
        return _float_binary(op, args, lambda a, b: a - b)

    @impl(arith.MulfOp)
    def run_mulf(self, interpreter: Interpreter, op: arith.MulfOp, args: PythonValues) -> PythonValues:
        return _float_binary(op, args, lambda a, b: a * b)

    @impl(arith.DivfOp)
    def run_divf(self, interpreter: Interpreter, op: arith.DivfOp, args: PythonValues) -> PythonValues:
        return _float_binary(op, args, lambda a, b: a / b)

    @impl(arith.NegfOp)
    def run_negf(self, interpreter: Interpreter, op: arith.NegfOp, args: PythonValues) -> PythonValues:
        return (-args[0],)

    @impl(arith.MaximumfOp)
    def run_maximumf(self, interpreter: Interpreter, op: arith.MaximumfOp, args: PythonValues) -> PythonValues:
        return (_maximum(*args),)

    @impl(arith.MinimumfOp)
    def run_minimumf(self, interpreter: Interpreter, op: arith.MinimumfOp, args: PythonValues) -> PythonValues:
        return (_minimum(*args),)

    @impl(arith.MaxnumfOp)
    def run_maxnumf(self, interpreter: Interpreter, op: arith.MaxnumfOp, args: PythonValues) -> PythonValues:
        return (_float(np.fmax(*args), op.result.type),)

    @impl(arith.MinnumfOp)
    def run_minnumf(self, interpreter: Interpreter, op: arith.MinnumfOp, args: PythonValues) -> PythonValues:
        return (_float(np.fmin(*args), op.result.type),)

    @impl(arith.ExtFOp)
    def run_extf(self, interpreter: Interpreter, op: arith.ExtFOp, args: PythonValues) -> PythonValues:
        return (_float(args[0], op.result.type),)

    @impl(arith.TruncFOp)
    def run_truncf(self, interpreter: Interpreter, op: arith.TruncFOp, args: PythonValues) -> PythonValues:
        return (_float(args[0], op.result.type),)

    @impl(arith.SIToFPOp)
    def run_sitofp(self, interpreter: Interpreter, op: arith.SIToFPOp, args: PythonValues) -> PythonValues:
        return (_float(_to_int(args[0], op.input.type, False), op.result.type),)

    @impl(arith.UIToFPOp)
    def run_uitofp(self, interpreter: Interpreter, op: arith.UIToFPOp, args: PythonValues) -> PythonValues:
        return (_float(_to_int(args[0], op.input.type, True), op.result.type),)

    @impl(arith.FPToSIOp)
    def run_fptosi(self, interpreter: Interpreter, op: arith.FPToSIOp, args: PythonValues) -> PythonValues:
        return (self._to_integer(op, args[0], unsigned=False),)

    @impl(arith.FPToUIOp)
    def run_fptoui(self, interpreter: Interpreter, op: arith.FPToUIOp, args: PythonValues) -> PythonValues:
        return (self._to_integer(op, args[0], unsigned=True),)

    @staticmethod
    def _to_integer(op: Operation, value: Any, unsigned: bool) -> Any:
        t = op.results[0].type
        n = _width(t)
        low, high = (0, (1 << n) - 1) if unsigned else (-(1 << (n - 1)), (1 << (n - 1)) - 1)
        if not np.isfinite(value) or not low <= math.trunc(float(value)) <= high:
            raise InterpretationError(f"{op.name} of {value} to {t} is out of range (undefined in C)")
        return _from_int(math.trunc(float(value)), t)

    @impl(arith.ExtSIOp)
    def run_extsi(self, interpreter: Interpreter, op: arith.ExtSIOp, args: PythonValues) -> PythonValues:
        return (_from_int(_to_int(args[0], op.input.type, False), op.result.type),)

    @impl(arith.ExtUIOp)
    def run_extui(self, interpreter: Interpreter, op: arith.ExtUIOp, args: PythonValues) -> PythonValues:
        return (_from_int(_to_int(args[0], op.input.type, True), op.result.type),)

    @impl(arith.TruncIOp)
    def run_trunci(self, interpreter: Interpreter, op: arith.TruncIOp, args: PythonValues) -> PythonValues:
        return (_from_int(_to_int(args[0], op.input.type), op.result.type),)

    @impl(arith.IndexCastOp)
    def run_index_cast(self, interpreter: Interpreter, op: arith.IndexCastOp, args: PythonValues) -> PythonValues:
        return (_from_int(_to_int(args[0], op.input.type, False), op.result.type),)

    @impl(arith.BitcastOp)
    def run_bitcast(self, interpreter: Interpreter, op: arith.BitcastOp, args: PythonValues) -> PythonValues:
        target = _dtype(op.result.type)
        return (np.array(args[0]).view(target)[()],)


# -- math ---------------------------------------------------------------------------------------

_MATH_UNARY: dict[type[Operation], Any] = {
    mathd.AbsFOp: np.abs,
    mathd.ExpOp: np.exp,
    mathd.LogOp: np.log,
    mathd.SqrtOp: np.sqrt,
    mathd.TanhOp: np.tanh,
    mathd.FloorOp: np.floor,
    mathd.CeilOp: np.ceil,
    mathd.RoundEvenOp: np.rint,
    mathd.SinOp: np.sin,
    mathd.CosOp: np.cos,
    mathd.TanOp: np.tan,
    mathd.AsinOp: np.arcsin,
    mathd.AcosOp: np.arccos,
    mathd.AtanOp: np.arctan,
    mathd.SinhOp: np.sinh,
    mathd.CoshOp: np.cosh,
    mathd.AsinhOp: np.arcsinh,
    mathd.AcoshOp: np.arccosh,
    mathd.AtanhOp: np.arctanh,
    mathd.ErfOp: lambda x: erf(np.asarray(x))[()],
    mathd.Log1pOp: np.log1p,
    mathd.ExpM1Op: np.expm1,
    mathd.RsqrtOp: lambda x: 1 / np.sqrt(x),
}

_MATH_BINARY: dict[type[Operation], Any] = {
    mathd.PowFOp: np.power,
    mathd.CopySignOp: np.copysign,
    mathd.Atan2Op: np.arctan2,
}


class MathFunctions(InterpreterFunctions):
    """`math` on floats of the op's type (numpy's ufuncs, the reference's erf)."""

    @impl(mathd.AbsIOp)
    def run_absi(self, interpreter: Interpreter, op: mathd.AbsIOp, args: PythonValues) -> PythonValues:
        t = op.result.type
        return (_from_int(abs(_to_int(args[0], t, False)), t),)


def _run_unary(ft: MathFunctions, interpreter: Interpreter, op: Operation, args: PythonValues) -> PythonValues:
    with np.errstate(all="ignore"):
        return (_float(_MATH_UNARY[type(op)](args[0]), op.results[0].type),)


def _run_binary(ft: MathFunctions, interpreter: Interpreter, op: Operation, args: PythonValues) -> PythonValues:
    with np.errstate(all="ignore"):
        return (_float(_MATH_BINARY[type(op)](*args), op.results[0].type),)


for _op_class in _MATH_UNARY:
    setattr(MathFunctions, f"run_{_op_class.__name__}", impl(_op_class)(_run_unary))  # type: ignore[arg-type]
for _op_class in _MATH_BINARY:
    setattr(MathFunctions, f"run_{_op_class.__name__}", impl(_op_class)(_run_binary))  # type: ignore[arg-type]
register_impls(MathFunctions)


# -- memref ----------------------------------------------------------------------------------------


class _Freed:
    """What a deallocated buffer becomes: any use of it fails."""

    def __init__(self, op: Operation) -> None:
        self.op = op


@register_impls
class MemRefFunctions(InterpreterFunctions):
    """Buffers as numpy arrays; out-of-bounds accesses and stores into read-only buffers fail."""

    def __init__(self) -> None:
        self.freed: set[int] = set()

    def _live(self, interpreter: Interpreter, buffer: Any) -> np.ndarray:
        if not isinstance(buffer, np.ndarray) or id(buffer) in self.freed:
            raise InterpretationError("use of a deallocated (or not allocated) buffer")
        return buffer

    def _alloc(self, op: memref.AllocOp | memref.AllocaOp, args: PythonValues) -> PythonValues:
        t = op.memref.type
        assert isinstance(t, MemRefType)
        dynamic = iter(args)
        shape = [next(dynamic) if d < 0 else d for d in t.get_shape()]
        if any(d < 0 for d in shape):
            raise InterpretationError(f"{op.name} with a negative size {shape}")
        # Filled with a pattern, not zeros: a lowering must not rely on fresh memory.
        buffer = np.empty(shape, dtype=_dtype(t.element_type))
        if buffer.dtype.kind == "f":
            buffer.fill(np.nan)
        elif buffer.dtype.kind in "iu":
            buffer.fill(np.iinfo(buffer.dtype).max // 3)
        else:
            buffer.fill(True)
        return (buffer,)

    @impl(memref.AllocOp)
    def run_alloc(self, interpreter: Interpreter, op: memref.AllocOp, args: PythonValues) -> PythonValues:
        return self._alloc(op, args)

    @impl(memref.AllocaOp)
    def run_alloca(self, interpreter: Interpreter, op: memref.AllocaOp, args: PythonValues) -> PythonValues:
        return self._alloc(op, args)

    @impl(memref.DeallocOp)
    def run_dealloc(self, interpreter: Interpreter, op: memref.DeallocOp, args: PythonValues) -> PythonValues:
        self.freed.add(id(self._live(interpreter, args[0])))
        return ()

    @impl(memref.LoadOp)
    def run_load(self, interpreter: Interpreter, op: memref.LoadOp, args: PythonValues) -> PythonValues:
        buffer, *indices = args
        array = self._live(interpreter, buffer)
        self._check(op, array, indices)
        return (array[tuple(indices)],)

    @impl(memref.StoreOp)
    def run_store(self, interpreter: Interpreter, op: memref.StoreOp, args: PythonValues) -> PythonValues:
        value, buffer, *indices = args
        array = self._live(interpreter, buffer)
        self._check(op, array, indices)
        if not array.flags.writeable:
            raise InterpretationError("memref.store into a read-only buffer (an input or a constant)")
        array[tuple(indices)] = value
        return ()

    @staticmethod
    def _check(op: Operation, array: np.ndarray, indices: Sequence[int]) -> None:
        if len(indices) != array.ndim or any(not 0 <= i < d for i, d in zip(indices, array.shape, strict=True)):
            raise InterpretationError(f"{op.name} at {list(indices)} is out of bounds of shape {list(array.shape)}")

    @impl(memref.DimOp)
    def run_dim(self, interpreter: Interpreter, op: memref.DimOp, args: PythonValues) -> PythonValues:
        buffer, index = args
        return (int(self._live(interpreter, buffer).shape[index]),)

    @impl(memref.CopyOp)
    def run_copy(self, interpreter: Interpreter, op: memref.CopyOp, args: PythonValues) -> PythonValues:
        source, target = (self._live(interpreter, a) for a in args)
        if source.shape != target.shape:
            raise InterpretationError(f"memref.copy from shape {source.shape} to {target.shape}")
        np.copyto(target, source)
        return ()

    def _view(self, interpreter: Interpreter, op: Operation, source: Any, shape: Sequence[int]) -> PythonValues:
        # The same memory in another shape (a numpy view): views alias like in C.
        array = self._live(interpreter, source)
        if int(np.prod(shape, dtype=np.int64)) != array.size:
            raise InterpretationError(f"{op.name} of shape {list(array.shape)} to {list(shape)}")
        return (array.reshape(shape),)

    @impl(memref.CollapseShapeOp)
    def run_collapse_shape(
        self, interpreter: Interpreter, op: memref.CollapseShapeOp, args: PythonValues
    ) -> PythonValues:
        array = self._live(interpreter, args[0])
        groups = [[int(i.value.data) for i in group] for group in op.reassociation]  # type: ignore[attr-defined]
        return self._view(interpreter, op, array, [int(np.prod([array.shape[i] for i in g])) for g in groups])

    @impl(memref.ExpandShapeOp)
    def run_expand_shape(self, interpreter: Interpreter, op: memref.ExpandShapeOp, args: PythonValues) -> PythonValues:
        source, *dynamic = args
        sizes = iter(dynamic)
        shape = [next(sizes) if d < 0 else d for d in op.static_output_shape.get_values()]
        return self._view(interpreter, op, source, shape)

    @impl(memref.CastOp)
    def run_cast(self, interpreter: Interpreter, op: memref.CastOp, args: PythonValues) -> PythonValues:
        array = self._live(interpreter, args[0])
        t = op.dest.type
        assert isinstance(t, MemRefType)
        if any(d >= 0 and d != s for d, s in zip(t.get_shape(), array.shape, strict=True)):
            raise InterpretationError(f"memref.cast of shape {list(array.shape)} to {t}")
        return (array,)

    @impl(memref.GetGlobalOp)
    def run_get_global(self, interpreter: Interpreter, op: memref.GetGlobalOp, args: PythonValues) -> PythonValues:
        found = SymbolTable.lookup_symbol(op, op.name_)
        if not isinstance(found, memref.GlobalOp) or not isinstance(found.initial_value, DenseIntOrFPElementsAttr):
            raise InterpretationError(f"memref.get_global of {op.name_}: no global with a dense value")
        t = found.type
        array = dense_to_numpy(found.initial_value)
        # A splat (one element for a larger type) reads the same everywhere.
        array = np.broadcast_to(array.reshape(-1)[:1].reshape(()), t.get_shape()) if array.size == 1 else array
        return (np.ascontiguousarray(array) if array.size == 1 else array,)


# -- running ----------------------------------------------------------------------------------------


def _read_only(array: np.ndarray) -> np.ndarray:
    copy = np.array(array, copy=True, order="C")
    copy.flags.writeable = False
    return copy


def run_loops(module: ModuleOp, inputs: Sequence[np.ndarray], entry: str | None = None) -> list[np.ndarray]:
    """Runs the entry function of loop-level IR on `inputs` (in argument order)."""
    function = entry_function(module, entry)
    for arg, value in zip(function.args, inputs, strict=True):
        t = arg.type
        if isinstance(t, MemRefType):
            shape = t.get_shape()
            if np.asarray(value).ndim != len(shape) or any(
                d >= 0 and d != s for d, s in zip(shape, np.asarray(value).shape, strict=True)
            ):
                raise ValueError(f"input of shape {np.asarray(value).shape} for an argument of type {t}")
            if np.asarray(value).dtype != _dtype(t.element_type):
                raise ValueError(f"input of dtype {np.asarray(value).dtype} for an argument of type {t}")
    interpreter = Interpreter(module)
    interpreter.register_implementations(ScfFunctions())
    interpreter.register_implementations(FuncFunctions())
    interpreter.register_implementations(ArithFunctions())
    interpreter.register_implementations(MathFunctions())
    interpreter.register_implementations(MemRefFunctions())
    args = tuple(_read_only(np.asarray(v)) for v in inputs)
    results = interpreter.call_op(function.sym_name.data, args)
    return [np.array(r) for r in results]


def is_loop_level(module: ModuleOp) -> bool:
    """True if every op is one this interpreter runs (no linalg, affine or infer left)."""
    allowed = ("builtin.", "func.", "scf.", "arith.", "math.", "memref.")
    return all(op.name.startswith(allowed) for op in module.walk())


__all__ = ["is_loop_level", "run_loops"]
