"""`plan-memory`: intermediate buffers share one arena, placed by liveness.

On loop-level IR (memref + scf), in every function: each `memref.alloc` whose
buffer does not leave the function (it is not returned, yielded, or passed to
a call other than a kernel call: a kernel of the kernel library, declared with
`infer.kernel_abi`, uses its memrefs during the call only) and whose dynamic
sizes can be computed at the function's start (from its arguments' dims and
arithmetic on them) becomes a `memref.view` into an arena. Its liveness
interval is the span of top-level ops (program order) from the alloc to its
last use, through casts and reshapes; an alloc inside a loop is live for the
whole loop.

Sizes may depend on dynamic dims, so the offsets are computed at run time: the
pass declares a plan, a body-less function carrying the intervals, and calls
it at the function's start with each buffer's size in bytes; it returns the
arena's size and one offset per buffer. The C target implements the call as
greedy first-fit placement, cached while the sizes do not change
(`infer_rt_plan`); the arena is the `memref.alloc` marked `infer.arena`.

    func.func private @__infer_plan_main_graph(index, index) -> (index, index, index)
        attributes {infer.plan_intervals = array<i64: 0, 2, 1, 3>}
    func.func @main_graph(...) {
      %plan:3 = func.call @__infer_plan_main_graph(%bytes0, %bytes1) : (index, index) -> (index, index, index)
      %arena = memref.alloc(%plan#0) {infer.arena = @__infer_plan_main_graph} : memref<?xi8>
      ...
      %buffer = memref.view %arena[%plan#1][%n] : memref<?xi8> to memref<?x64xf32>

Allocs left on the heap (data-dependent sizes) get a `memref.dealloc` after
their last use when they have none. Deallocs of planned buffers are removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import (
    DenseArrayBase,
    IndexType,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    NoneAttr,
    SymbolRefAttr,
    i8,
    i64,
)
from xdsl.ir import Block, Operation, OpResult, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from infer.runtime.c.ctype import ctype_of
from infer.runtime.c.emitter import ARENA_ATTR, PLAN_ATTR, is_kernel_call

ALIAS_OPS = (memref.CastOp, memref.CollapseShapeOp, memref.ExpandShapeOp, memref.ReinterpretCastOp)
"""Ops whose result is the same buffer as their memref operand."""
PLAIN_USES = (memref.LoadOp, memref.StoreOp, memref.DimOp, memref.CopyOp, memref.RankOp)
"""Ops that use a buffer without letting it escape."""
DYNAMIC = -(1 << 63)


def _dynamic() -> int:
    return getattr(memref, "DYNAMIC_INDEX", DYNAMIC)


@dataclass
class Buffer:
    alloc: memref.AllocOp
    aliases: list[SSAValue]
    deallocs: list[memref.DeallocOp]
    users: list[Operation]
    escapes: bool
    element_size: int = 0
    start: int = 0
    end: int = 0


def _top_ancestor(op: Operation, block: Block) -> Operation:
    while op.parent_block() is not block:
        parent = op.parent_op()
        assert parent is not None, "an op outside the function"
        op = parent
    return op


def _buffer(alloc: memref.AllocOp) -> Buffer:
    """The alloc's aliases and uses, and whether the buffer leaves the function."""
    aliases: list[SSAValue] = [alloc.memref]
    deallocs: list[memref.DeallocOp] = []
    users: list[Operation] = []
    escapes = False
    work: list[SSAValue] = [alloc.memref]
    while work:
        value = work.pop()
        for use in value.uses:
            user = use.operation
            if isinstance(user, ALIAS_OPS) and use.index == 0:
                users.append(user)
                aliases.append(user.results[0])
                work.append(user.results[0])
            elif isinstance(user, memref.DeallocOp):
                deallocs.append(user)
            elif isinstance(user, PLAIN_USES) or is_kernel_call(user):
                users.append(user)  # (a kernel reads or writes its memrefs during the call only)
            elif isinstance(user, memref.ViewOp) and use.index == 0:
                escapes = True  # a buffer carved up by hand: leave it alone
            elif any(isinstance(r.type, MemRefType) for r in user.results) or isinstance(
                user, func.ReturnOp | func.CallOp | scf.YieldOp | scf.ConditionOp
            ):
                escapes = True
            else:
                users.append(user)
    return Buffer(alloc, aliases, deallocs, users, escapes)


class _Hoister:
    """Recomputes the sizes of buffers at the function's start, from its arguments."""

    def __init__(self, f: func.FuncOp, ops: list[Operation]):
        self.args = set(f.body.block.args)
        self.ops = ops  # cloned ops, in order
        self.memo: dict[SSAValue, SSAValue] = {}
        self.constants: dict[int, SSAValue] = {}

    def hoistable(self, value: SSAValue) -> bool:
        if value in self.memo or value in self.args:
            return True
        if not isinstance(value, OpResult):
            return False
        op = value.op
        if isinstance(op, memref.DimOp):
            source = op.source
            if isinstance(source, OpResult) and isinstance(source.op, memref.AllocOp | memref.GetGlobalOp):
                return self._alloc_dim(op) is not None
            return source in self.args and self.hoistable(op.index)
        if op.dialect_name() == "arith" and not op.regions and not isinstance(op, arith.ConstantOp):
            return all(self.hoistable(v) for v in op.operands)
        return isinstance(op, arith.ConstantOp)

    def _alloc_dim(self, op: memref.DimOp) -> SSAValue | int | None:
        """A dim of an alloc or global: a constant, or the alloc's size operand."""
        index = op.index
        if not (isinstance(index, OpResult) and isinstance(index.op, arith.ConstantOp)):
            return None
        value = index.op.value
        assert isinstance(value, IntegerAttr)
        d = value.value.data
        source = op.source
        assert isinstance(source, OpResult) and isinstance(source.type, MemRefType)
        shape = source.type.get_shape()
        if not 0 <= d < len(shape):
            return None
        if shape[d] >= 0:
            return shape[d]
        assert isinstance(source.op, memref.AllocOp)
        dynamic_before = sum(1 for s in shape[:d] if s < 0)
        size = source.op.dynamic_sizes[dynamic_before]
        return size if self.hoistable(size) else None

    def constant(self, n: int) -> SSAValue:
        if n not in self.constants:
            op = arith.ConstantOp(IntegerAttr(n, IndexType()))
            self.ops.append(op)
            self.constants[n] = op.result
        return self.constants[n]

    def value(self, value: SSAValue) -> SSAValue:
        """`value`, computed at the function's start."""
        if value in self.args:
            return value
        if value in self.memo:
            return self.memo[value]
        assert isinstance(value, OpResult)
        op = value.op
        if isinstance(op, memref.DimOp) and op.source not in self.args:
            dim = self._alloc_dim(op)
            assert dim is not None
            result = self.constant(dim) if isinstance(dim, int) else self.value(dim)
        elif (
            isinstance(op, arith.ConstantOp)
            and isinstance(op.value, IntegerAttr)
            and isinstance(op.result.type, IndexType)
        ):
            result = self.constant(op.value.value.data)
        else:
            operands = [self.value(v) for v in op.operands]
            clone = op.clone()
            for i, v in enumerate(operands):
                clone.operands[i] = v
            self.ops.append(clone)
            result = clone.results[value.index]
        self.memo[value] = result
        return result

    def multiply(self, factors: Iterable[SSAValue], constant: int) -> SSAValue:
        product: SSAValue | None = None
        for factor in factors:
            if product is None:
                product = factor
            else:
                mul = arith.MuliOp(product, factor)
                self.ops.append(mul)
                product = mul.result
        if product is None:
            return self.constant(constant)
        if constant != 1:
            mul = arith.MuliOp(product, self.constant(constant))
            self.ops.append(mul)
            product = mul.result
        return product


def _identity(t: MemRefType) -> bool:
    return isinstance(t.layout, NoneAttr)


def _element_size(t: MemRefType) -> int | None:
    try:
        return ctype_of(t.element_type).size
    except Exception:
        return None


def plan_function(module: ModuleOp, f: func.FuncOp) -> int:
    """Plans one function; returns how many buffers went to its arena."""
    block = f.body.block
    order = {op: i for i, op in enumerate(block.ops)}
    size_ops: list[Operation] = []
    hoister = _Hoister(f, size_ops)
    planned: list[Buffer] = []
    heap: list[Buffer] = []
    for op in list(f.walk()):
        if not isinstance(op, memref.AllocOp) or ARENA_ATTR in op.attributes:
            continue
        t = op.memref.type
        assert isinstance(t, MemRefType)
        buffer = _buffer(op)
        size = _element_size(t)
        if buffer.escapes or size is None or not _identity(t) or op.symbol_operands:
            if not buffer.escapes:
                heap.append(buffer)
            continue
        if not all(hoister.hoistable(v) for v in op.dynamic_sizes):
            heap.append(buffer)
            continue
        buffer.element_size = size
        buffer.start = order[_top_ancestor(op, block)]
        ends = [order[_top_ancestor(user, block)] for user in buffer.users]
        buffer.end = max([buffer.start, *ends])
        planned.append(buffer)
    for buffer in heap:
        _free_after_last_use(buffer)
    if not planned:
        return 0

    byte_sizes = []
    for buffer in planned:
        t = buffer.alloc.memref.type
        assert isinstance(t, MemRefType)
        static = buffer.element_size
        for d in t.get_shape():
            if d >= 0:
                static *= d
        dynamic = [hoister.value(v) for v in buffer.alloc.dynamic_sizes]
        nbytes = hoister.multiply(dynamic, static) if dynamic else hoister.constant(static)
        if dynamic:
            nbytes.name_hint = f"{buffer.alloc.memref.name_hint or 'buffer'}_bytes"
        byte_sizes.append(nbytes)

    plan_name = _unique_symbol(module, f"__infer_plan_{f.sym_name.data}")
    index = IndexType()
    intervals = [v for b in planned for v in (b.start, b.end)]
    declaration = func.FuncOp.external(plan_name, [index] * len(planned), [index] * (len(planned) + 1))
    declaration.attributes[PLAN_ATTR] = DenseArrayBase.from_list(i64, intervals)
    Rewriter.insert_op(declaration, InsertPoint.before(f))

    call = func.CallOp(plan_name, byte_sizes, [index] * (len(planned) + 1))
    arena = memref.AllocOp([call.res[0]], [], MemRefType(i8, [_dynamic()]), IntegerAttr(64, i64))
    arena.attributes[ARENA_ATTR] = SymbolRefAttr(plan_name)
    arena.memref.name_hint = "arena"
    call.res[0].name_hint = "arena_bytes"
    for k, buffer in enumerate(planned):
        call.res[k + 1].name_hint = f"{buffer.alloc.memref.name_hint or 'buffer'}_offset"
    Rewriter.insert_op([*size_ops, call, arena], InsertPoint.at_start(block))

    for k, buffer in enumerate(planned):
        alloc = buffer.alloc
        t = alloc.memref.type
        assert isinstance(t, MemRefType)
        view = memref.ViewOp(arena.memref, call.res[k + 1], list(alloc.dynamic_sizes), t)
        view.result.name_hint = alloc.memref.name_hint
        Rewriter.insert_op(view, InsertPoint.before(alloc))
        alloc.memref.replace_all_uses_with(view.result)
        for dealloc in buffer.deallocs:
            Rewriter.erase_op(dealloc)
        Rewriter.erase_op(alloc)
    return len(planned)


def _free_after_last_use(buffer: Buffer) -> None:
    """A heap buffer without a dealloc gets one after its last use (in its own block)."""
    if buffer.deallocs:
        return
    alloc = buffer.alloc
    block = alloc.parent_block()
    assert block is not None
    positions = {op: i for i, op in enumerate(block.ops)}
    last: Operation = alloc
    for user in buffer.users:
        op = user
        while op.parent_block() is not block:
            parent = op.parent_op()
            if parent is None:
                return
            op = parent
        if positions[op] > positions[last]:
            last = op
    if last is block.last_op and last is not alloc:
        return  # used by the terminator: not a buffer this block can free
    Rewriter.insert_op(memref.DeallocOp.get(alloc.memref), InsertPoint.after(last))


def _unique_symbol(module: ModuleOp, name: str) -> str:
    taken = {op.sym_name.data for op in module.ops if isinstance(op, func.FuncOp)}
    candidate, n = name, 1
    while candidate in taken:
        candidate = f"{name}_{n}"
        n += 1
    return candidate


@dataclass(frozen=True)
class PlanMemoryPass(ModulePass):
    """Places intermediate buffers in one arena per function, by liveness (see the module's docstring)."""

    name = "plan-memory"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for f in list(op.ops):
            if isinstance(f, func.FuncOp) and f.body.blocks and PLAN_ATTR not in f.attributes:
                plan_function(op, f)
