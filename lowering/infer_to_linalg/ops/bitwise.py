"""Bitwise ops and shifts: elementwise `linalg.generic`s over `arith.andi` / `ori` / `xori` /
`shli` / `shrsi` / `shrui`.

A shift amount outside `[0, bits)` needs no test here: the C rules of the
shifts give 0, or the sign for `arith.shrsi`, which is `infer`'s semantics
(`runtime/c/rules/arith.py`).
"""

from __future__ import annotations

from xdsl.dialects import arith
from xdsl.ir import SSAValue

from infer.dialects.infer import bitwise as bw
from infer.lowering.infer_to_linalg.core import Lowering, lowering
from infer.lowering.infer_to_linalg.ops.elementwise import Rule, elementwise
from infer.lowering.infer_to_linalg.scalar import UNSIGNED, Scalar, kind


def _shift_right(s: Scalar, v: list[SSAValue]) -> SSAValue:
    op = arith.ShRUIOp if kind(v[0].type) == UNSIGNED else arith.ShRSIOp
    return s.insert(op(v[0], v[1]))


_RULES: dict[type, Rule] = {
    bw.BitwiseAndOp: lambda s, v: s.and_(*v),
    bw.BitwiseOrOp: lambda s, v: s.or_(*v),
    bw.BitwiseXorOp: lambda s, v: s.xor(*v),
    bw.BitwiseNotOp: lambda s, v: s.xor(v[0], s.const(-1, v[0].type)),
    bw.ShiftLeftOp: lambda s, v: s.insert(arith.ShLIOp(v[0], v[1])),
    bw.ShiftRightOp: _shift_right,
}


@lowering(*_RULES)
def bitwise(l: Lowering) -> SSAValue:
    return elementwise(l, _RULES[type(l.op)])
