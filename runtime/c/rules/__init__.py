"""The emitter's rules: one small function per op, writing its C.

A rule takes the op and the `BodyEmitter` of the C function being written;
it reads its operands' C values (`fe.scalar`, `fe.memref`), writes lines
(`fe.out.line`) and binds its results (`fe.define`, `fe.bind`). Rules are
grouped by dialect, one module each, and registered with `@rule(OpClass)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from xdsl.ir import Operation

if TYPE_CHECKING:
    from infer.runtime.c.emitter import BodyEmitter

Rule = Callable[[Operation, "BodyEmitter"], None]

RULES: dict[type[Operation], Rule] = {}


def rule(*op_types: type[Operation]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Registers a rule for the given op classes."""

    def register(fn: Callable[..., None]) -> Callable[..., None]:
        for op_type in op_types:
            RULES[op_type] = fn
        return fn

    return register


# Importing the rule modules registers their rules.
from infer.runtime.c.rules import arith, func, math, memref, scf  # noqa: E402

__all__ = ["RULES", "Rule", "arith", "func", "math", "memref", "rule", "scf"]
