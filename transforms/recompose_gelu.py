"""`recompose-gelu`: rebuilds `infer.gelu` from the elementwise ops exporters write for it.

Exporters without a Gelu operator (ONNX before opset 20, PyTorch's legacy
exporter, tf2onnx) spell it out:

    erf form:   x * 0.5 * (1 + erf(x / sqrt(2)))
    tanh form:  0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))

in many orderings: `x / 1.4142135` or `x * 0.70710677`, the half multiplied
first or last, `x^3` as `Pow(x, 3)` or `x * (x * x)`, the tanh argument as
`0.7978846 * x * (1 + 0.044715 * x * x)`. This module matches all of them
without listing them: the outer product is flattened into its factors (a
constant one half, `x`, and `1 + erf(...)` or `1 + tanh(...)`), and the
argument of erf or tanh is read as a polynomial in `x` whose coefficients are
compared with the exact ones. Constants match within a relative tolerance of
`max(1e-5, eps)` of their element type, wide enough for the digits exporters
print, far too narrow to take another function for gelu.

The helpers it shares with the other recomposition passes (reading a
constant that holds one value, replacing a matched pattern by one op located at
the fused locations of its nodes) are in `infer.transforms.patterns`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from infer.dialects.infer.activation import GeluOp
from infer.dialects.infer.elementwise import AddOp, DivOp, ErfOp, MulOp, PowOp, TanhOp
from infer.transforms.patterns import close, replace_pattern, tolerance, uniform_value

Polynomial = dict[int, float]
"""A polynomial in one value: degree -> coefficient."""

MAX_DEGREE = 3


def _product(p: Polynomial, q: Polynomial) -> Polynomial | None:
    result: Polynomial = {}
    for i, a in p.items():
        for j, b in q.items():
            if i + j > MAX_DEGREE:
                return None
            result[i + j] = result.get(i + j, 0.0) + a * b
    return result


def polynomial(value: SSAValue, x: SSAValue, matched: list[Operation]) -> Polynomial | None:
    """`value` as a polynomial of degree <= 3 in `x`, built from one-valued constants
    with add, mul, div by a constant and pow by a small integer; the ops read
    are appended to `matched`."""
    if value is x:
        return {1: 1.0}
    scalar = uniform_value(value)
    if scalar is not None:
        return {0: scalar}
    op = value.owner
    if isinstance(op, AddOp | MulOp):
        lhs = polynomial(op.lhs, x, matched)
        rhs = polynomial(op.rhs, x, matched) if lhs is not None else None
        if lhs is None or rhs is None:
            return None
        matched.append(op)
        if isinstance(op, MulOp):
            return _product(lhs, rhs)
        return {d: lhs.get(d, 0.0) + rhs.get(d, 0.0) for d in lhs.keys() | rhs.keys()}
    if isinstance(op, DivOp):
        divisor = uniform_value(op.rhs)
        lhs = polynomial(op.lhs, x, matched)
        if divisor is None or divisor == 0.0 or lhs is None:
            return None
        matched.append(op)
        return {d: c / divisor for d, c in lhs.items()}
    if isinstance(op, PowOp):
        exponent = uniform_value(op.rhs)
        base = polynomial(op.lhs, x, matched)
        if exponent not in (1.0, 2.0, 3.0) or base is None:
            return None
        matched.append(op)
        result: Polynomial | None = {0: 1.0}
        for _ in range(int(exponent)):  # type: ignore[arg-type]
            result = _product(result, base) if result is not None else None
        return result
    return None


def polynomial_is(p: Polynomial, expected: Polynomial, rtol: float) -> bool:
    """`p` has the terms of `expected`, each coefficient within `rtol`, and no others."""
    terms = {d: c for d, c in p.items() if c != 0.0}
    return terms.keys() == expected.keys() and all(close(terms[d], c, rtol) for d, c in expected.items())


SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
ERF_ARGUMENT: Polynomial = {1: math.sqrt(0.5)}
TANH_ARGUMENT: Polynomial = {1: SQRT_2_OVER_PI, 3: SQRT_2_OVER_PI * 0.044715}


def product_factors(value: SSAValue, matched: list[Operation], root: bool = False) -> tuple[list[SSAValue], float]:
    """The non-constant factors of a product and the product of its constant factors.
    Descends through muls and divisions by constants whose value has one use (any
    number of uses for the root); the ops descended through go to `matched`."""
    op = value.owner
    descend = root or value.has_one_use()
    if descend and isinstance(op, MulOp):
        matched.append(op)
        lhs, a = product_factors(op.lhs, matched)
        rhs, b = product_factors(op.rhs, matched)
        return lhs + rhs, a * b
    if descend and isinstance(op, DivOp) and (divisor := uniform_value(op.rhs)):
        matched.append(op)
        factors, a = product_factors(op.lhs, matched)
        return factors, a / divisor
    scalar = uniform_value(value)
    if scalar is not None:
        return [], scalar
    return [value], 1.0


def match_gelu(root: MulOp | DivOp) -> tuple[GeluOp, list[Operation]] | None:
    """The gelu `root` computes and the ops of its pattern, if it computes one."""
    rtol = tolerance(root.result)
    if rtol == 0.0:
        return None
    matched: list[Operation] = []
    factors, coefficient = product_factors(root.result, matched, root=True)
    if len(factors) != 2 or not close(coefficient, 0.5, rtol):
        return None
    for x, one_plus in (factors, factors[::-1]):
        add = one_plus.owner
        if not isinstance(add, AddOp) or x.type != root.result.type:
            continue
        for phi, one in ((add.lhs, add.rhs), (add.rhs, add.lhs)):
            function, one_value = phi.owner, uniform_value(one)
            if not isinstance(function, ErfOp | TanhOp) or one_value is None or not close(one_value, 1.0, rtol):
                continue
            inner: list[Operation] = []
            argument = polynomial(function.input, x, inner)
            expected = ERF_ARGUMENT if isinstance(function, ErfOp) else TANH_ARGUMENT
            if argument is None or not polynomial_is(argument, expected, rtol):
                continue
            approximate = "none" if isinstance(function, ErfOp) else "tanh"
            return GeluOp(x, approximate), [*matched, add, function, *inner]
    return None


class RecomposeGelu(RewritePattern):
    """`0.5 * x * (1 + erf(x / sqrt(2)))` and its tanh approximation, in any ordering -> `infer.gelu`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: MulOp | DivOp, rewriter: PatternRewriter) -> None:
        found = match_gelu(op)
        if found is not None:
            gelu, matched = found
            replace_pattern(rewriter, op, matched, gelu)


@dataclass(frozen=True)
class RecomposeGeluPass(ModulePass):
    """Rebuilds `infer.gelu` from its spelled-out erf or tanh form.

    Matches `0.5 * x * (1 + erf(x / sqrt(2)))` (-> `infer.gelu`) and
    `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))` (->
    `infer.gelu {approximate = "tanh"}`) in the orderings exporters write,
    with constants within `max(1e-5, eps)` of the exact ones, when every
    intermediate value is used by the pattern only and the result has the
    type of `x` (no constant broadcasts it). The gelu is located at the fused
    locations of the matched nodes.
    """

    name = "recompose-gelu"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(GreedyRewritePatternApplier([RecomposeGelu()], dce_enabled=False)).rewrite_module(op)
