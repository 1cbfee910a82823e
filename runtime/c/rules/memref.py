"""C for `memref`: a memref is a typed data pointer and its dims; indexing is row-major.

Where memory comes from:
- `memref.alloc` of an output of the entry function: the model's output buffer
  (`infer_rt_output`, kept by the model until the next run);
- `memref.alloc {infer.arena = @plan}` (written by `plan-memory`): the plan's arena,
  whose buffers are `memref.view`s at offsets computed at run time;
- any other `memref.alloc`: the heap (`infer_rt_alloc`), freed by `memref.dealloc`
  or at the end of the run;
- `memref.alloca`: a C array on the stack (a VLA when dims are dynamic);
- `memref.get_global`: the weights (`ctx->globals[k]`), read-only when constant.
"""

from __future__ import annotations

from xdsl.dialects import memref
from xdsl.dialects.builtin import ArrayAttr, DenseArrayBase, IntegerAttr, MemRefType, SymbolRefAttr
from xdsl.ir import Operation, SSAValue

from infer.runtime.c.ctype import ctype_of
from infer.runtime.c.emitter import (
    ARENA_ATTR,
    BodyEmitter,
    Literal,
    Memref,
    check_identity_layout,
    emit_error,
    memref_type,
)
from infer.runtime.c.rules import rule

DYNAMIC = memref.DYNAMIC_INDEX if hasattr(memref, "DYNAMIC_INDEX") else -(1 << 63)


def _dims(fe: BodyEmitter, t: MemRefType, dynamic: list[SSAValue]) -> list[str]:
    """The dims of a new memref: static ones from its type, dynamic ones from operands in order."""
    values = iter(dynamic)
    return [str(d) if d >= 0 else fe.scalar(next(values)) for d in t.get_shape()]


def _nbytes(dims: list[str], size: int) -> str:
    factors = [d for d in dims if d != "1"]
    if size != 1 or not factors:
        factors.append(str(size))
    return " * ".join(factors)


@rule(memref.AllocOp)
def alloc(op: memref.AllocOp, fe: BodyEmitter) -> None:
    t = memref_type(op.memref)
    check_identity_layout(op, t)
    if op.symbol_operands:
        raise emit_error(op, "symbol operands are not supported")
    elem = ctype_of(t.element_type)
    dims = _dims(fe, t, list(op.dynamic_sizes))
    arena = op.attributes.get(ARENA_ATTR)
    if isinstance(arena, SymbolRefAttr):
        # Sized by its plan; the size is never needed again (views carry their own dims).
        index = fe.program.plan_index(arena.root_reference.data)
        name = fe.fresh(op.memref, "arena")
        fe.out.line(f"int8_t *{name} = (int8_t *){fe.use_ctx()}->arenas[{index}].base;")
        fe.bind(op.memref, Memref(name, [Literal(d) for d in dims], elem, ("arena", op)))
        return
    fe.may_fail()
    output = fe.outputs.get(op)
    if output is not None:
        call = f"infer_rt_output(ctx, {output}, {_nbytes(dims, elem.size)})"
    else:
        call = f"infer_rt_alloc(ctx, {_nbytes(dims, elem.size)})"
    held = fe.define_memref(op.memref, f"({elem.name} *){call}", dims, op, False)
    held.root = ("output", op) if output is not None else ("heap", op)
    fe.out.line(f"INFER_CHECK({held.ptr});")


@rule(memref.AllocaOp)
def alloca(op: memref.AllocaOp, fe: BodyEmitter) -> None:
    t = memref_type(op.memref)
    check_identity_layout(op, t)
    elem = ctype_of(t.element_type)
    dims = [fe.dim_value(d) for d in _dims(fe, t, list(op.dynamic_sizes))]
    name = fe.fresh(op.memref, "m")
    count = " * ".join(d for d in dims if d != "1") or "1"
    if all(d.isdigit() for d in dims):
        length = str(max(1, eval(count)))  # a product of literals
    else:
        length = f"({count}) > 0 ? ({count}) : 1"  # a zero-length VLA is undefined
    fe.out.line(f"{elem.name} {name}[{length}];")
    fe.bind(op.memref, Memref(name, dims, elem, ("alloca", op)))


@rule(memref.DeallocOp)
def dealloc(op: memref.DeallocOp, fe: BodyEmitter) -> None:
    m = fe.memref(op.memref)
    kind = m.root[0] if isinstance(m.root, tuple) else None
    if kind in ("output", "arena", "view", "alloca", "input", "global", "argument"):
        return  # owned by the model or the stack: nothing to free
    fe.out.line(f"infer_rt_free({fe.use_ctx()}, {m.ptr});")


@rule(memref.LoadOp)
def load(op: memref.LoadOp, fe: BodyEmitter) -> None:
    m = fe.memref(op.memref)
    fe.define(op.res, m.element([fe.scalar(i) for i in op.indices]))


@rule(memref.StoreOp)
def store(op: memref.StoreOp, fe: BodyEmitter) -> None:
    m = fe.memref(op.memref)
    fe.mark_written(m, op)
    fe.out.line(f"{m.element([fe.scalar(i) for i in op.indices])} = {fe.scalar(op.value)};")


@rule(memref.DimOp)
def dim(op: memref.DimOp, fe: BodyEmitter) -> None:
    m = fe.memref(op.source)
    index = fe.scalar(op.index)
    if index.isdigit():
        if int(index) >= m.rank:
            raise emit_error(op, f"dim {index} of a rank-{m.rank} memref")
        fe.bind(op.result, m.dims[int(index)])
        return
    fe.define(op.result, f"((const int64_t[]){{{', '.join(m.dims)}}})[{index}]")


@rule(memref.RankOp)
def rank(op: memref.RankOp, fe: BodyEmitter) -> None:
    fe.bind(op.rank, Literal(str(fe.memref(op.source).rank)))


@rule(memref.GetGlobalOp)
def get_global(op: memref.GetGlobalOp, fe: BodyEmitter) -> None:
    entry = fe.program.global_entry(op.name_.root_reference.data, op)
    t = memref_type(op.memref)
    elem = ctype_of(t.element_type)
    const = entry.constant
    qual = "const " if const else ""
    ctx = fe.use_ctx()
    name = fe.names.fresh(op.memref.name_hint or entry.name, "g")
    fe.out.line(f"{qual}{elem.name} *{name} = ({qual}{elem.name} *){ctx}->globals[{entry.index}];")
    fe.bind(op.memref, Memref(name, [str(d) for d in t.get_shape()], elem, ("global", entry.name), const))


@rule(memref.CopyOp)
def copy(op: memref.CopyOp, fe: BodyEmitter) -> None:
    src, dst = fe.memref(op.source), fe.memref(op.destination)
    fe.mark_written(dst, op)
    fe.out.line(f"memcpy({dst.ptr}, {src.ptr}, {_nbytes(src.dims, src.elem.size)});")


def _alias(fe: BodyEmitter, result: SSAValue, source: Memref, dims: list[str], ptr: str | None = None) -> None:
    """A memref over the same memory (a cast or reshape): no copy, the same root."""
    dims = [fe.dim_value(d) for d in dims]
    if ptr is None:
        fe.bind(result, Memref(source.ptr, dims, source.elem, source.root, source.const, source.parent_root))
        return
    name = fe.fresh(result, "m")
    qual = "const " if source.const else ""
    fe.out.line(f"{qual}{source.elem.name} *{name} = {ptr};")
    fe.bind(result, Memref(name, dims, source.elem, source.root, source.const, source.parent_root))


@rule(memref.CastOp)
def cast(op: memref.CastOp, fe: BodyEmitter) -> None:
    source = fe.memref(op.source)
    t = memref_type(op.dest)
    check_identity_layout(op, t)
    dims = [str(d) if d >= 0 else source.dims[i] for i, d in enumerate(t.get_shape())]
    _alias(fe, op.dest, source, dims)


def _groups(op: Operation) -> list[list[int]]:
    reassociation = op.properties.get("reassociation")
    assert isinstance(reassociation, ArrayAttr)
    groups = []
    for group in reassociation.data:
        assert isinstance(group, ArrayAttr)
        groups.append([g.value.data for g in group.data if isinstance(g, IntegerAttr)])
    return groups


def _product(factors: list[str]) -> str:
    if all(f.isdigit() for f in factors):
        total = 1
        for f in factors:
            total *= int(f)
        return str(total)
    return " * ".join(f for f in factors if f != "1") or "1"


@rule(memref.CollapseShapeOp)
def collapse_shape(op: memref.CollapseShapeOp, fe: BodyEmitter) -> None:
    source = fe.memref(op.src)
    check_identity_layout(op, memref_type(op.result))
    dims = [_product([source.dims[i] for i in group]) for group in _groups(op)]
    _alias(fe, op.result, source, dims)


@rule(memref.ExpandShapeOp)
def expand_shape(op: memref.ExpandShapeOp, fe: BodyEmitter) -> None:
    source = fe.memref(op.src)
    t = memref_type(op.result)
    check_identity_layout(op, t)
    _alias(fe, op.result, source, _dims(fe, t, list(op.output_shape)))


@rule(memref.ReinterpretCastOp)
def reinterpret_cast(op: memref.ReinterpretCastOp, fe: BodyEmitter) -> None:
    source = fe.memref(op.source)
    t = memref_type(op.result)
    sizes = _static_or_dynamic(fe, op.static_sizes, list(op.sizes))
    strides = _static_or_dynamic(fe, op.static_strides, list(op.strides))
    (offset,) = _static_or_dynamic(fe, op.static_offsets, list(op.offsets))
    expected = "1"
    for size, stride in reversed(list(zip(sizes, strides))):
        if stride != expected and size != "1":
            raise emit_error(op, "strides that are not row-major (the C target takes contiguous memrefs only)")
        expected = _product([expected, size])
    del t
    _alias(fe, op.result, source, sizes, None if offset == "0" else f"{source.ptr} + {offset}")


def _static_or_dynamic(fe: BodyEmitter, static: DenseArrayBase, dynamic: list[SSAValue]) -> list[str]:
    values = iter(dynamic)
    return [fe.scalar(next(values)) if v == DYNAMIC else str(v) for v in static.get_values()]  # type: ignore[misc]


@rule(memref.ViewOp)
def view(op: memref.ViewOp, fe: BodyEmitter) -> None:
    source = fe.memref(op.source)
    t = memref_type(op.result)
    elem = ctype_of(t.element_type)
    dims = _dims(fe, t, list(op.sizes))
    shift = fe.scalar(op.byte_shift)
    ptr = f"({elem.name} *)({source.ptr} + {shift})" if shift != "0" else f"({elem.name} *){source.ptr}"
    held = fe.define_memref(op.result, ptr, dims, op, source.const)
    # Buffers of one arena live at the same time never overlap (plan-memory's guarantee).
    is_arena = isinstance(source.root, tuple) and source.root[0] == "arena"
    held.root = ("view", op) if is_arena else source.root
    held.parent_root = source.root if is_arena else source.parent_root
