"""`simplify-algebra`: algebraic identities on elementwise and data-movement ops.

The interpreter is the definition of correctness, so every rewrite here either
gives the same bits as the ops it replaces, for every input (NaN, infinities
and both zeros included; only a NaN's payload may change), or runs only under
the `fast-math` option. What is exact and why:

- neutral constants: `x + (-0.0)`, `x - (+0.0)`, `x * 1`, `x / 1` are `x`; but
  `x + (+0.0)` turns `x = -0.0` into `+0.0` and `x - (-0.0)` likewise, so those
  two drop only under fast-math. `x * -1`, `x / -1` and `(-0.0) - x` are `-x`.
  A constant that broadcasts `x` to a larger shape leaves an
  `infer.broadcast_to` of `x`. On integers (no signed zero) all of these are
  exact, and so are `x * 0 -> 0` and `x - x -> 0`; on floats those two need
  fast-math (`inf * 0` and `inf - inf` are NaN).
- negation: `-(-x) -> x`; `-c` of a constant is folded into the constant;
  `(-x) * c -> x * (-c)`, `-(x * c) -> x * (-c)`, and the same for a float
  division, `x + (-y) -> x - y`, `(-x) + y -> y - x`, `x - (-y) -> x + y`:
  rounding is symmetric, so all are exact.
- data movement: two transposes compose into one (none if the composition is
  the identity); chains of reshape, flatten, squeeze and unsqueeze become one
  reshape (or one squeeze or unsqueeze when several dims are dynamic, or
  nothing when the chain gives the input back). The dims are followed
  symbolically through the chain, so with dynamic dims the merged op is
  valid for every size, or the chain is left alone.
- clamps: `relu(relu(x)) -> relu(x)`; two clamps (clip or relu) compose into
  one clip with bounds `lo = g(lo1)`, `hi = g(hi1)`, `g` the outer clamp. The
  reference semantics break ties with signed zeros differently for relu,
  one-bound and two-bound clips (numpy's maximum, minimum and clip), so
  without fast-math a merge is made only after checking that the merged clip
  and the chain give the same bits on every input class: both zeros, the
  infinities, NaN, and each bound with its neighbours (a clamp chain is
  constant or the identity between consecutive bounds, so those points decide
  it).
- division by a constant whose every element is a power of two is a
  multiplication by its reciprocal, which is exact; other divisors only under
  fast-math (the reciprocal is rounded).
- powers with a single-valued exponent (a splat or one-element constant):
  `pow(x, 1) -> x` and `pow(x, 2) -> x * x` are exact (integers, and floats:
  numpy computes a power by a broadcast 1 or 2 as `x` and `x * x`; checked
  bit for bit over every float16 and float32). `pow(x, 0) -> 1` is exact on
  integers, float32 and float64 (C's `pow(x, 0)` is 1 even for NaN), not on
  float16 (numpy gives NaN there). `pow(x, 0.5) -> sqrt(x)` and
  `pow(x, -1) -> reciprocal(x)` only under fast-math: numpy happens to take
  those shortcuts for a broadcast exponent too, but C's `pow` gives
  `pow(-0.0, 0.5) = +0.0` and `pow(-inf, 0.5) = +inf` where `sqrt` gives
  `-0.0` and NaN, numpy's float16 `pow` does the same, and `pow(x, -1)` need
  not be correctly rounded. With an exponent held as a full tensor (not
  broadcast) numpy's `pow` is off by an ulp now and then, so there every
  power rewrite waits for fast-math.
- chains of multiplications and additions by constants (and `x - c`,
  `c - x`, negations; divisions under fast-math), each intermediate used once,
  become `x * S + B` with folded constants `S` and `B` (the decomposed
  batch-norm + Mul + Add chains of DenseNet and Inception-v2): reassociation,
  so only under fast-math on floats; on integers it is exact (arithmetic
  modulo 2^n is a ring).

An op that replaces one op keeps its location; an op that replaces a chain
gets the fused location of the chain's nodes. As in xDSL's greedy rewrite
driver, ops the walk finds without uses are erased.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import FloatAttr, IntegerAttr, LocationAttr, ModuleOp, TensorType
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from infer.dialects.dtypes import UnsupportedElementType, from_numpy, is_narrow, to_numpy
from infer.dialects.infer.base import Dim, InferOp, compatible, dims_of, element_of, float_of, int_of, ints_of
from infer.dialects.infer.constant import ConstantOp, FillOp, constant_value
from infer.dialects.infer.elementwise import (
    AddOp,
    ClipOp,
    DivOp,
    MulOp,
    NegOp,
    PowOp,
    ReciprocalOp,
    ReluOp,
    SqrtOp,
    SubOp,
)
from infer.dialects.infer.epilogue import fused_location
from infer.dialects.infer.tensor import (
    BroadcastToOp,
    FlattenOp,
    ReshapeOp,
    ShapeOfOp,
    SqueezeOp,
    TransposeOp,
    UnsqueezeOp,
)

# -- constants ---------------------------------------------------------------------------


def _dtype(value: SSAValue) -> np.dtype | None:
    """The numpy dtype of a tensor value, None if numpy has none of its own (the
    narrow types of ml_dtypes: bf16, f8, i4, ... are left as they are)."""
    try:
        dtype = to_numpy(element_of(value.type))
    except UnsupportedElementType:
        return None
    return None if is_narrow(dtype) else dtype


def _is_float(value: SSAValue) -> bool:
    dtype = _dtype(value)
    return dtype is not None and dtype.kind == "f"


def _is_int(value: SSAValue) -> bool:
    dtype = _dtype(value)
    return dtype is not None and dtype.kind in "iu"


def _constant(value: SSAValue) -> np.ndarray | None:
    """A constant's value as a compact array: 0-d for a splat or a one-element
    constant (never the broadcast splat itself), else the dense array."""
    owner = value.owner
    if not isinstance(owner, ConstantOp) or _dtype(value) is None:
        return None
    array = constant_value(value)
    if array is None or array.size == 0:
        return None
    if owner.is_splat or array.size == 1:
        return np.asarray(array[(0,) * array.ndim])
    return array


def _single(value: SSAValue) -> np.ndarray | None:
    """The one value (0-d) of a splat or one-element constant: numpy's `pow`
    sees it as a broadcast scalar."""
    array = _constant(value)
    return array if array is not None and array.ndim == 0 else None


def _all(value: SSAValue, predicate: Callable[[np.ndarray], np.ndarray]) -> bool:
    """True if `value` is a constant whose every element satisfies `predicate`."""
    array = _constant(value)
    if array is None:
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(predicate(array)))


def _is_one(a: np.ndarray) -> np.ndarray:
    return a == 1


def _is_minus_one(a: np.ndarray) -> np.ndarray:
    return a == -1


def _is_zero(a: np.ndarray) -> np.ndarray:
    return a == 0


def _is_plus_zero(a: np.ndarray) -> np.ndarray:
    return (a == 0) & ~np.signbit(a) if a.dtype.kind == "f" else a == 0


def _is_minus_zero(a: np.ndarray) -> np.ndarray:
    return (a == 0) & np.signbit(a) if a.dtype.kind == "f" else a == 0


def _is_power_of_two(a: np.ndarray) -> np.ndarray:
    """Finite ±2^k whose reciprocal is representable too (so `x / a == x * (1 / a)`)."""
    if a.dtype.kind != "f":
        return np.zeros(a.shape, bool)
    with np.errstate(all="ignore"):
        reciprocal = (np.asarray(1, a.dtype) / a).astype(a.dtype)
        mantissa, _ = np.frexp(a.astype(np.float64))
        r_mantissa, _ = np.frexp(reciprocal.astype(np.float64))
        return np.isfinite(a) & np.isfinite(reciprocal) & (np.abs(mantissa) == 0.5) & (np.abs(r_mantissa) == 0.5)


def _make_constant(array: np.ndarray, shape: Sequence[int], element: Attribute, location: LocationAttr) -> ConstantOp:
    """A constant of `shape` holding `array` (compact: 0-d becomes a splat)."""
    dtype = to_numpy(element)
    if array.size == 1:
        op = _filled(np.asarray(array).reshape(-1)[0], TensorType(element, list(shape)))
    else:
        op = ConstantOp(np.ascontiguousarray(np.broadcast_to(array, tuple(shape))).astype(dtype))
    op.location = location
    return op


def _filled(value: float | int | np.generic, t: TensorType) -> ConstantOp:
    """A constant of type `t` with every element `value`: a splat, or a dense
    value when `t` has one element (a one-element splat prints with the type of
    its 0-d value and would not parse back as `t`)."""
    if t.element_count() == 1:
        return ConstantOp(np.full(t.get_shape(), value, to_numpy(t.element_type)))
    return ConstantOp.splat(value, t)


def _static(dims: Sequence[Dim]) -> list[int] | None:
    return None if any(d is None for d in dims) else [d for d in dims if d is not None]


# -- building replacements ------------------------------------------------------------------


class _Emit:
    """Collects the new ops of one rewrite, all at one location."""

    def __init__(self, location: LocationAttr) -> None:
        self.location = location
        self.ops: list[Operation] = []

    def __call__(self, op: Operation) -> SSAValue:
        op.location = self.location
        self.ops.append(op)
        return op.results[0]

    def typed(self, op: InferOp, wanted: Attribute) -> SSAValue | None:
        """`op`'s result, retyped to `wanted` when that refines the shape rule's
        type (a replaced op may know its dims better than the rule)."""
        have = op.results[0].type
        if have == wanted:
            return self(op)
        if not compatible(wanted, have):
            op.drop_all_references()
            return None
        retyped = type(op).create(operands=list(op.operands), properties=dict(op.properties), result_types=[wanted])
        op.drop_all_references()
        return self(retyped)

    def shape(self, dims: Sequence[int]) -> SSAValue:
        return self(ConstantOp(np.asarray(dims, np.int64)))

    def as_type(self, x: SSAValue, wanted: Attribute) -> SSAValue | None:
        """`x` as a value of type `wanted`: itself, or broadcast where the type
        says a dim stretches (it does so for constants that broadcast `x`)."""
        if x.type == wanted:
            return x
        x_dims, dims = dims_of(x.type), dims_of(wanted)
        if len(x_dims) != len(dims) or element_of(x.type) != element_of(wanted):
            return None
        if any(a not in (1, None) and a != b for a, b in zip(x_dims, dims, strict=True)):
            return None
        # A `shape` entry of 1 keeps the input dim (static or dynamic).
        shape = self.shape([1 if d is None else d for d in dims])
        return self(BroadcastToOp(x, shape, wanted))

    def zeros(self, result: SSAValue, like: SSAValue, zero: SSAValue | None = None) -> SSAValue | None:
        """Zeros of `result`'s type. With dynamic dims: `zero` (a constant of zeros
        that broadcast with `like` to the result) stretched to `like`'s run-time
        shape, or else a fill of `like`'s shape, which must then be the result's."""
        t = result.type
        assert isinstance(t, TensorType)
        if _static(dims_of(t)) is not None:
            return self(_filled(0, t))
        if zero is not None:
            return self(BroadcastToOp(zero, self(ShapeOfOp(like)), t))
        if like.type != t:
            return None
        element = t.element_type
        value = FloatAttr(0.0, element) if _is_float(result) else IntegerAttr(0, element)  # type: ignore[arg-type]
        return self(FillOp(self(ShapeOfOp(like)), value, t))


def _replace(rewriter: PatternRewriter, op: Operation, emit: _Emit, value: SSAValue | None) -> bool:
    """Replaces `op`'s result by `value` (built by `emit`); False if there is none."""
    if value is None:
        for new in reversed(emit.ops):
            new.drop_all_references()
        return False
    rewriter.replace(op, emit.ops, [value])
    return True


def _forward(rewriter: PatternRewriter, op: InferOp, x: SSAValue) -> bool:
    """Replaces `op` by `x`, broadcast to `op`'s type where needed."""
    emit = _Emit(op.location)
    return _replace(rewriter, op, emit, emit.as_type(x, op.results[0].type))


def _neg_of(rewriter: PatternRewriter, op: InferOp, x: SSAValue) -> bool:
    """Replaces `op` by `-x`, broadcast to `op`'s type where needed."""
    emit = _Emit(op.location)
    return _replace(rewriter, op, emit, emit.as_type(emit(NegOp(x)), op.results[0].type))


def _zeros_of(rewriter: PatternRewriter, op: InferOp, like: SSAValue) -> bool:
    emit = _Emit(op.location)
    return _replace(rewriter, op, emit, emit.zeros(op.results[0], like))


def _negated(value: SSAValue, emit: _Emit) -> SSAValue | None:
    """A new constant holding `-value` (a constant), compact as the original."""
    array = _constant(value)
    if array is None:
        return None
    with np.errstate(all="ignore"):
        negated = np.negative(array)
    t = value.type
    assert isinstance(t, TensorType)
    return emit(_make_constant(negated, t.get_shape(), t.element_type, emit.location))


def _owner(value: SSAValue, cls: type[Operation]) -> Operation | None:
    owner = value.owner
    return owner if isinstance(owner, cls) else None


# -- neutral and absorbing constants ----------------------------------------------------------


@dataclass
class AddIdentity(RewritePattern):
    """`x + (-0.0) -> x` (and `x + (+0.0)` under fast-math); `x + (-y) -> x - y`."""

    fast_math: bool

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: AddOp, rewriter: PatternRewriter) -> None:
        neutral = _is_zero if self.fast_math else _is_minus_zero
        for x, c in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            if _all(c, neutral) and _forward(rewriter, op, x):
                return
        for x, negation in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            if (neg := _owner(negation, NegOp)) is not None:
                emit = _Emit(fused_location([neg, op]))
                _replace(rewriter, op, emit, emit.typed(SubOp(x, neg.operands[0]), op.results[0].type))
                return


@dataclass
class SubIdentity(RewritePattern):
    """`x - (+0.0) -> x`, `(-0.0) - x -> -x`, `x - (-y) -> x + y`; `x - x -> 0`
    on integers (on floats under fast-math)."""

    fast_math: bool

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: SubOp, rewriter: PatternRewriter) -> None:
        x, y = op.lhs, op.rhs
        if _all(y, _is_zero if self.fast_math else _is_plus_zero) and _forward(rewriter, op, x):
            return
        if _all(x, _is_zero if self.fast_math else _is_minus_zero) and _neg_of(rewriter, op, y):
            return
        if x is y and (self.fast_math or _is_int(x)) and _zeros_of(rewriter, op, x):
            return
        if (neg := _owner(y, NegOp)) is not None:
            emit = _Emit(fused_location([neg, op]))
            _replace(rewriter, op, emit, emit.typed(AddOp(x, neg.operands[0]), op.results[0].type))


@dataclass
class MulIdentity(RewritePattern):
    """`x * 1 -> x`, `x * -1 -> -x`; `x * 0 -> 0` on integers (on floats under
    fast-math); `(-x) * c -> x * (-c)` for a constant `c`."""

    fast_math: bool

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: MulOp, rewriter: PatternRewriter) -> None:
        for x, c in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            if _all(c, _is_one) and _forward(rewriter, op, x):
                return
            if _all(c, _is_minus_one) and _neg_of(rewriter, op, x):
                return
            if (self.fast_math or _is_int(x)) and _all(c, _is_zero):
                emit = _Emit(op.location)
                if _replace(rewriter, op, emit, emit.zeros(op.results[0], x, c)):
                    return
        for x, c in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            if (neg := _owner(x, NegOp)) is not None and _constant(c) is not None:
                emit = _Emit(fused_location([neg, op]))
                minus_c = _negated(c, emit)
                if minus_c is not None:
                    _replace(rewriter, op, emit, emit.typed(MulOp(neg.operands[0], minus_c), op.results[0].type))
                    return


@dataclass
class DivIdentity(RewritePattern):
    """`x / 1 -> x`, `x / -1 -> -x`, `x / 2^k -> x * 2^-k`, `x / c -> x * (1 / c)`
    under fast-math; `(-x) / c -> x / (-c)` on floats."""

    fast_math: bool

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: DivOp, rewriter: PatternRewriter) -> None:
        x, c = op.lhs, op.rhs
        if _all(c, _is_one) and _forward(rewriter, op, x):
            return
        if _all(c, _is_minus_one) and _neg_of(rewriter, op, x):
            return
        divisor = _constant(c)
        if divisor is None or not _is_float(x):
            return
        if self.fast_math or bool(np.all(_is_power_of_two(divisor))):
            with np.errstate(all="ignore"):
                reciprocal = (np.asarray(1, divisor.dtype) / divisor).astype(divisor.dtype)
            t = c.type
            assert isinstance(t, TensorType)
            emit = _Emit(op.location)
            factor = emit(_make_constant(reciprocal, t.get_shape(), t.element_type, op.location))
            _replace(rewriter, op, emit, emit.typed(MulOp(x, factor), op.results[0].type))
            return
        if (neg := _owner(x, NegOp)) is not None:
            emit = _Emit(fused_location([neg, op]))
            minus_c = _negated(c, emit)
            if minus_c is not None:
                _replace(rewriter, op, emit, emit.typed(DivOp(neg.operands[0], minus_c), op.results[0].type))


# -- negation --------------------------------------------------------------------------------


@dataclass
class NegFold(RewritePattern):
    """`-(-x) -> x`; `-c` folded into the constant; `-(x * c) -> x * (-c)` and
    `-(x / c) -> x / (-c)` (floats) when the product has no other use."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: NegOp, rewriter: PatternRewriter) -> None:
        x = op.operands[0]
        if (inner := _owner(x, NegOp)) is not None:
            rewriter.replace(op, [], [inner.operands[0]])
            return
        if isinstance(x.owner, ConstantOp):
            emit = _Emit(op.location)
            _replace(rewriter, op, emit, _negated(x, emit))
            return
        product = x.owner
        if not isinstance(product, MulOp | DivOp) or not x.has_one_use():
            return
        if isinstance(product, DivOp) and not _is_float(x):
            return
        sides = [(product.lhs, product.rhs)]
        if isinstance(product, MulOp):
            sides.append((product.rhs, product.lhs))
        for y, c in sides:
            if _constant(c) is None:
                continue
            emit = _Emit(fused_location([product, op]))
            minus_c = _negated(c, emit)
            cls = type(product)
            _replace(rewriter, op, emit, None if minus_c is None else emit.typed(cls(y, minus_c), op.results[0].type))
            return


# -- powers ----------------------------------------------------------------------------------


@dataclass
class PowByConstant(RewritePattern):
    """`pow(x, 1) -> x`, `pow(x, 2) -> x * x`, `pow(x, 0) -> 1`; under fast-math
    also `pow(x, 0.5) -> sqrt(x)` and `pow(x, -1) -> reciprocal(x)` (see the
    module docstring for what is exact)."""

    fast_math: bool

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: PowOp, rewriter: PatternRewriter) -> None:
        x, e = op.lhs, op.rhs
        dtype = _dtype(x)
        exponent = _single(e)
        if dtype is None:
            return
        if exponent is None:
            # A full exponent tensor goes through numpy's general `pow`, which is
            # not correctly rounded: only fast-math may rewrite it.
            array = _constant(e)
            if not self.fast_math or array is None or not bool(np.all(array == array.reshape(-1)[0])):
                return
            exponent = np.asarray(array.reshape(-1)[0])
        value = float(exponent)
        emit = _Emit(op.location)
        result_type = op.results[0].type
        if value == 1:
            _forward(rewriter, op, x)
        elif value == 2:
            _replace(rewriter, op, emit, emit.as_type(emit(MulOp(x, x)), result_type))
        elif value == 0 and (self.fast_math or dtype.kind in "iu" or dtype in (np.float32, np.float64)):
            _replace(rewriter, op, emit, self._ones(emit, op, x))
        elif value == 0.5 and self.fast_math and dtype.kind == "f":
            _replace(rewriter, op, emit, emit.as_type(emit(SqrtOp(x)), result_type))
        elif value == -1 and self.fast_math and dtype.kind == "f":
            _replace(rewriter, op, emit, emit.as_type(emit(ReciprocalOp(x)), result_type))

    @staticmethod
    def _ones(emit: _Emit, op: PowOp, x: SSAValue) -> SSAValue | None:
        t = op.results[0].type
        assert isinstance(t, TensorType)
        if _static(dims_of(t)) is not None:
            return emit(_filled(1, t))
        if x.type != t:
            return None
        one = FloatAttr(1.0, t.element_type) if _is_float(x) else IntegerAttr(1, t.element_type)  # type: ignore[arg-type]
        return emit(FillOp(emit(ShapeOfOp(x)), one, t))


# -- clamps ----------------------------------------------------------------------------------

Bound = float | int | None
"""A clip bound; None when absent."""


def _bounds(op: Operation) -> tuple[Bound, Bound] | None:
    """(lower, upper) of a clip or relu; None for other ops."""
    if isinstance(op, ReluOp):
        return (0.0 if _is_float(op.results[0]) else 0, None)
    if isinstance(op, ClipOp):

        def value(attr: Attribute | None) -> Bound:
            if attr is None:
                return None
            return float_of(attr) if isinstance(attr, FloatAttr) else int_of(attr)

        return (value(op.min), value(op.max))
    return None


def _compose(inner: tuple[Bound, Bound], outer: tuple[Bound, Bound]) -> tuple[Bound, Bound]:
    """The bounds of `outer ∘ inner` for clamps `min(max(x, lo), hi)`: the outer
    clamp applied to the inner's bounds (absent ones as ∓inf)."""
    a1, b1 = inner
    a2, b2 = outer

    def g(v: float | int) -> float | int:
        if a2 is not None:
            v = max(v, a2)
        if b2 is not None:
            v = min(v, b2)
        return v

    lower = None if a1 is None and a2 is None else g(-math.inf if a1 is None else a1)
    upper = None if b1 is None and b2 is None else g(math.inf if b1 is None else b1)
    return lower, upper


def _clamp_op(x: SSAValue, bounds: tuple[Bound, Bound], relu: bool = False) -> InferOp:
    return ReluOp(x) if relu else ClipOp(x, bounds[0], bounds[1])


def _critical_points(bounds: Sequence[Bound], dtype: np.dtype) -> np.ndarray:
    """Inputs on which two clamp chains with these bounds agree iff they agree everywhere."""
    present = [b for b in bounds if b is not None]
    if dtype.kind == "f":
        with np.errstate(all="ignore"):
            cast = np.asarray(present, np.float64).astype(dtype)
        inf = np.asarray(np.inf, dtype)
        points = [np.asarray([-np.inf, np.inf, np.nan, -0.0, 0.0], dtype)]
        points += [cast, np.nextafter(cast, -inf), np.nextafter(cast, inf)]
        points += [np.asarray([np.finfo(dtype).min, np.finfo(dtype).max, 1, -1], dtype)]
    else:
        info = np.iinfo(dtype)
        ints = {int(info.min), int(info.max), 0, 1, -1}
        for b in present:
            ints.update(int(b) + d for d in (-1, 0, 1))
        points = [np.asarray(sorted(min(max(i, int(info.min)), int(info.max)) for i in ints), dtype)]
    unique = np.concatenate(points)
    # Repeat them so that numpy's vector loops and their scalar tails both see each.
    return np.resize(unique, max(256, 4 * unique.size)).astype(dtype)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind != "f":
        return bool(np.array_equal(a, b))
    unsigned = np.dtype(f"u{a.dtype.itemsize}")
    return bool(np.all((np.isnan(a) & np.isnan(b)) | (a.view(unsigned) == b.view(unsigned))))


def _clamps_agree(
    chain: Sequence[tuple[tuple[Bound, Bound], bool]], merged: tuple[Bound, Bound], dtype: np.dtype
) -> bool:
    """True if the clamp chain (bounds, is_relu) and one clip with `merged` bounds
    give the same bits on every input, by the reference semantics."""
    import infer.runtime.reference  # noqa: F401  (registers the semantics `execute` runs)
    from infer.runtime.interpreter import execute

    points = _critical_points([b for bounds, _ in chain for b in bounds] + list(merged) + [0], dtype)
    arg = Block(arg_types=[TensorType(from_numpy(dtype), [points.size])]).args[0]
    values = points
    for bounds, relu in chain:
        values = execute(_clamp_op(arg, bounds, relu), [values])[0]
    return _same_bits(values, execute(_clamp_op(arg, merged), [points])[0])


@dataclass
class MergeClamps(RewritePattern):
    """`relu(relu(x)) -> relu(x)`; two clamps (clip, relu) in a row -> one clip."""

    fast_math: bool

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        outer = _bounds(op)
        if outer is None:
            return
        x = op.operands[0]
        producer = x.owner
        inner = _bounds(producer) if isinstance(producer, Operation) else None
        if inner is None:
            return
        assert isinstance(producer, Operation)
        if isinstance(op, ReluOp) and isinstance(producer, ReluOp):
            rewriter.replace(op, [], [x])
            return
        dtype = _dtype(x)
        if dtype is None or any(isinstance(b, float) and math.isnan(b) for b in (*inner, *outer)):
            return
        merged = _compose(inner, outer)
        chain = [(inner, isinstance(producer, ReluOp)), (outer, isinstance(op, ReluOp))]
        if not self.fast_math and not _clamps_agree(chain, merged, dtype):
            return
        emit = _Emit(fused_location([producer, op]))
        _replace(rewriter, op, emit, emit.typed(ClipOp(producer.operands[0], *merged), op.results[0].type))


# -- transposes and reshapes -------------------------------------------------------------------


@dataclass
class ComposeTransposes(RewritePattern):
    """`transpose(transpose(x, p), q) -> transpose(x, p ∘ q)`, nothing if that is
    the identity; an identity transpose -> its input."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: TransposeOp, rewriter: PatternRewriter) -> None:
        perm = ints_of(op.perm)
        x, chain = op.input, [op]
        if (inner := _owner(x, TransposeOp)) is not None:
            assert isinstance(inner, TransposeOp)
            inner_perm = ints_of(inner.perm)
            perm = tuple(inner_perm[p] for p in perm)
            x, chain = inner.input, [inner, op]
        if perm == tuple(range(len(perm))):
            if x.type == op.result.type:
                rewriter.replace(op, [], [x])
            return
        if len(chain) == 1:
            return
        emit = _Emit(fused_location(chain))
        _replace(rewriter, op, emit, emit.typed(TransposeOp(x, perm), op.result.type))


Expr = tuple[int, tuple[int, ...]] | None
"""A dim as a product: a static factor and the source's dynamic dims (by index)
it multiplies; None when unknown."""

_RESHAPES = (ReshapeOp, FlattenOp, SqueezeOp, UnsqueezeOp)


def _product(exprs: Sequence[Expr]) -> Expr:
    factor, symbols = 1, list[int]()
    for e in exprs:
        if e is None:
            return None
        factor *= e[0]
        symbols += e[1]
    return factor, tuple(sorted(symbols))


@dataclass
class _Dims:
    """The dims of a value along a reshape chain, in terms of the chain's source."""

    exprs: list[Expr]
    ones: set[int]
    """Dynamic source dims that a squeeze requires to be 1."""

    def normalized(self) -> list[Expr]:
        return [None if e is None else (e[0], tuple(s for s in e[1] if s not in self.ones)) for e in self.exprs]

    def reshaped(self, sizes: Sequence[int | None]) -> list[Expr]:
        """Dims of a reshape to `sizes` (None: inferred from the element count, at most one)."""
        known = math.prod(s for s in sizes if s is not None)
        total = _product(self.normalized())
        result: list[Expr] = []
        for s in sizes:
            if s is not None:
                result.append((s, ()))
            elif total is None or known == 0 or total[0] % known:
                result.append(None)
            else:
                result.append((total[0] // known, total[1]))
        return result


def _step(dims: _Dims, op: Operation) -> _Dims | None:
    """The dims after one reshape-like op; None if they cannot be followed."""
    exprs = dims.exprs
    if isinstance(op, UnsqueezeOp):
        rank = len(exprs) + len(ints_of(op.axes))
        axes = {a % rank for a in ints_of(op.axes)}
        rest = iter(exprs)
        return _Dims([(1, ()) if i in axes else next(rest) for i in range(rank)], set(dims.ones))
    if isinstance(op, SqueezeOp):
        axes = {a % len(exprs) for a in ints_of(op.axes)}
        ones = set(dims.ones)
        for a in axes:
            e = exprs[a]
            if e is not None:
                if e[0] != 1:
                    return None
                ones.update(e[1])
        return _Dims([e for i, e in enumerate(exprs) if i not in axes], ones)
    if isinstance(op, FlattenOp):
        axis = int_of(op.axis)
        return _Dims([_product(exprs[:axis]), _product(exprs[axis:])], set(dims.ones))
    if isinstance(op, ReshapeOp):
        if op.shape is None:
            return _Dims(dims.reshaped(dims_of(op.result.type)), set(dims.ones))
        shape = constant_value(op.shape)
        if shape is None:
            return _Dims([None if d is None else (d, ()) for d in dims_of(op.result.type)], set(dims.ones))
        sizes = [int(s) for s in shape.reshape(-1)]
        return _Dims(dims.reshaped([None if s == -1 else s for s in sizes]), set(dims.ones))
    return None


def _source_dims(x: SSAValue) -> _Dims:
    return _Dims([(1, (i,)) if d is None else (d, ()) for i, d in enumerate(dims_of(x.type))], set())


def _unit_positions(longer: Sequence[Expr], shorter: Sequence[Expr]) -> list[int] | None:
    """Positions of `longer` that are static 1s and whose removal leaves `shorter`."""
    positions, j = [], 0
    for i, e in enumerate(longer):
        if j < len(shorter) and e is not None and e == shorter[j]:
            j += 1
        elif e == (1, ()):
            positions.append(i)
        else:
            return None
    return positions if j == len(shorter) else None


def _merged_reshape(emit: _Emit, x: SSAValue, chain: Sequence[Operation]) -> SSAValue | None:
    """One op (or none) doing what the reshape-like `chain` does to `x`."""
    target = chain[-1].results[0].type
    dims: _Dims | None = _source_dims(x)
    for op in chain:
        dims = _step(dims, op) if dims is not None else None
    target_dims = dims_of(target)
    dynamic = sum(d is None for d in target_dims)
    # The element count fixes one dynamic dim, unless another dim is 0.
    counted = dynamic == 0 or (dynamic == 1 and 0 not in target_dims)
    final = source = None
    if dims is not None:
        final = dims.normalized()
        source = _Dims(_source_dims(x).exprs, dims.ones).normalized()
        if x.type == target and (final == source or counted):
            return x
    if len(chain) == 1:
        return None
    last = chain[-1]
    if counted:
        return emit(ReshapeOp.to(x, target_dims))
    if isinstance(last, ReshapeOp) and last.shape is not None:
        return emit(ReshapeOp(x, last.shape, target))
    if final is None or source is None:
        return None
    if (inserted := _unit_positions(final, source)) is not None:
        return emit.typed(UnsqueezeOp(x, inserted), target)
    if (removed := _unit_positions(source, final)) is not None:
        return emit.typed(SqueezeOp(x, removed), target)
    return None


@dataclass
class MergeReshapes(RewritePattern):
    """Chains of reshape, flatten, squeeze and unsqueeze -> one reshape (or
    squeeze, unsqueeze) or nothing; such an op that changes nothing -> its input."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, _RESHAPES):
            return
        chain: list[Operation] = [op]
        while isinstance(owner := chain[0].operands[0].owner, _RESHAPES):
            chain.insert(0, owner)
        # The longest chain that merges wins.
        for start in range(len(chain)):
            sub = chain[start:]
            emit = _Emit(fused_location(sub))
            x = sub[0].operands[0]
            if _replace(rewriter, op, emit, _merged_reshape(emit, x, sub)):
                return


# -- reassociation -----------------------------------------------------------------------------


@dataclass
class FoldAffineChain(RewritePattern):
    """Chains of `* c`, `+ c`, `- c`, `c - ...`, `-` (and `/ c` under fast-math)
    with single-use intermediates -> `x * S + B` with folded constants `S`, `B`.
    Floats only under fast-math (reassociation); integers always (exact)."""

    fast_math: bool

    def _steps(self, op: Operation) -> tuple[SSAValue, list[tuple[str, np.ndarray]]] | None:
        """(the non-constant operand, the op as `mul`/`add` steps) for an affine op."""
        if isinstance(op, NegOp):
            return op.operands[0], [("mul", np.asarray(-1))]
        if not isinstance(op, AddOp | SubOp | MulOp | DivOp):
            return None
        lhs, rhs = op.operands
        a, b = _constant(lhs), _constant(rhs)
        if isinstance(op, MulOp | AddOp):
            kind = "mul" if isinstance(op, MulOp) else "add"
            if a is not None and b is None:
                return rhs, [(kind, a)]
            if b is not None and a is None:
                return lhs, [(kind, b)]
            return None
        if isinstance(op, SubOp):
            if b is not None and a is None:
                return lhs, [("add", np.negative(b))]
            if a is not None and b is None:
                return rhs, [("mul", np.asarray(-1)), ("add", a)]
            return None
        if b is not None and a is None and self.fast_math and _is_float(lhs):
            with np.errstate(all="ignore"):
                return lhs, [("mul", 1 / b.astype(np.float64))]
        return None

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        dtype = _dtype(op.results[0]) if len(op.results) == 1 else None
        if dtype is None or not (dtype.kind in "iu" or (dtype.kind == "f" and self.fast_math)):
            return
        found = self._steps(op)
        if found is None:
            return
        x, steps = found
        chain: list[Operation] = [op]
        while isinstance(producer := x.owner, Operation) and x.has_one_use():
            inner = self._steps(producer)
            if inner is None:
                break
            chain.insert(0, producer)
            x, steps = inner[0], inner[1] + steps
        if len(chain) < 2:
            return
        folded = _fold_steps(steps, dtype)
        if folded is None:
            return
        scale, shift = folded
        rank = len(dims_of(x.type))
        element = element_of(x.type)
        emit = _Emit(fused_location(chain))
        value = x
        if bool(np.all(scale == -1)):
            value = emit(NegOp(value))
        elif not bool(np.all(scale == 1)):
            value = emit(MulOp(value, emit(_ranked_constant(scale, rank, element, emit.location))))
        if shift is not None:
            value = emit(AddOp(value, emit(_ranked_constant(shift, rank, element, emit.location))))
        result = emit.as_type(value, op.results[0].type)
        computing = [o for o in emit.ops if not isinstance(o, ConstantOp)]
        _replace(rewriter, op, emit, result if len(computing) < len(chain) else None)


def _fold_steps(
    steps: Sequence[tuple[str, np.ndarray]], dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray | None] | None:
    """(S, B) with `steps` applied to x equal to `x * S + B` (B None: no shift),
    computed in float64 for floats and modulo 2^n for integers; None if S or B
    would be larger than the constants folded into them."""
    work = np.dtype(np.float64) if dtype.kind == "f" else dtype
    scale = np.asarray(1, work)
    shift: np.ndarray | None = None
    with np.errstate(all="ignore"):
        for kind, c in steps:
            c = np.asarray(c).astype(work)
            if kind == "mul":
                scale = scale * c
                shift = None if shift is None else shift * c
            else:
                shift = c if shift is None else shift + c
        scale = scale.astype(dtype)
        shift = None if shift is None else shift.astype(dtype)
    if shift is not None and bool(np.all(shift == 0)):
        shift = None  # exact on integers; on floats this runs under fast-math only
    largest = max(c.size for _, c in steps)
    if scale.size > largest or (shift is not None and shift.size > largest):
        return None
    return scale, shift


def _ranked_constant(array: np.ndarray, rank: int, element: Attribute, location: LocationAttr) -> ConstantOp:
    """A constant of `array` at `rank` (a 0-d array: a one-element constant of 1s dims)."""
    shape = (1,) * (rank - array.ndim) + array.shape
    return _make_constant(array.reshape(shape), shape, element, location)


# -- the pass ------------------------------------------------------------------------------------


def patterns(fast_math: bool) -> list[RewritePattern]:
    return [
        AddIdentity(fast_math),
        SubIdentity(fast_math),
        MulIdentity(fast_math),
        DivIdentity(fast_math),
        NegFold(),
        PowByConstant(fast_math),
        MergeClamps(fast_math),
        ComposeTransposes(),
        MergeReshapes(),
        FoldAffineChain(fast_math),
    ]


@dataclass(frozen=True)
class SimplifyAlgebraPass(ModulePass):
    """Simplifies elementwise arithmetic and data movement by algebraic identities.

    Drops neutral constants (`x * 1`, `x + (-0.0)`, `x / 1`, ...), folds
    negations, rewrites powers by 1, 2 and 0, divisions by powers of two, merges
    consecutive transposes, reshape-like chains and clamps. Results are the
    same bits as before; with `fast-math`, rewrites that are exact in real but
    not in IEEE arithmetic run too (`x + 0.0`, `x * 0`, `x - x`, reciprocals,
    `sqrt` for `pow(x, 0.5)`, reassociation of constant chains such as the
    scale-and-shift chains of decomposed batch norms).
    """

    name = "simplify-algebra"

    fast_math: bool = False
    """Also apply rewrites that may change results by rounding, signed zeros or
    NaN/Inf handling (`infer-opt -p 'simplify-algebra{fast-math=true}'`)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(GreedyRewritePatternApplier(patterns(self.fast_math))).rewrite_module(op)
