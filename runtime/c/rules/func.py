"""C for `func`: calls and returns.

Every function becomes `static int f(infer_model *ctx, <arguments>, <results>)`:
a memref argument is its data pointer followed by its dynamic dims, a result
is an out-pointer (`T **outK` and `int64_t *outK_dJ` for a memref), and the
return value is 0 or an error code. A call to a plan declared by `plan-memory`
(`@__infer_plan_*`, carrying `infer.plan_intervals`) becomes a call into the
runtime's planner, which returns the arena size and one offset per buffer. A
call to a kernel declaration (`infer.kernel_abi`) becomes a call into the
kernel library, `infer_<kernel>(ctx, ...)`.
"""

from __future__ import annotations

from xdsl.dialects import func
from xdsl.dialects.builtin import MemRefType

from infer.runtime.c.emitter import (
    ARENA_ATTR,
    KERNEL_ABI_ATTR,
    PLAN_ATTR,
    BodyEmitter,
    Memref,
    emit_error,
    kernel_abi_of,
    memref_type,
)
from infer.runtime.c.rules import rule


@rule(func.ReturnOp)
def return_(op: func.ReturnOp, fe: BodyEmitter) -> None:
    for i, value in enumerate(op.arguments):
        held = fe.get(value)
        if isinstance(held, Memref):
            cast = f"({held.elem.name} *)" if held.const else ""
            fe.out.line(f"*out{i} = {cast}{held.ptr};")
            for d, size in enumerate(memref_type(value).get_shape()):
                if size < 0:
                    fe.out.line(f"*out{i}_d{d} = {held.dims[d]};")
        else:
            fe.out.line(f"*out{i} = {held};")
    fe.out.line("return 0;")


@rule(func.CallOp)
def call(op: func.CallOp, fe: BodyEmitter) -> None:
    callee = fe.program.callee(op.callee.root_reference.data, op)
    if PLAN_ATTR in callee.attributes:
        plan(op, fe)
        return
    if KERNEL_ABI_ATTR in callee.attributes:
        kernel_call(op, callee, fe)
        return
    args = [fe.use_ctx()]
    for value, param_type in zip(op.arguments, callee.function_type.inputs.data):
        held = fe.get(value)
        if isinstance(held, Memref):
            assert isinstance(param_type, MemRefType)
            if held.const:
                args.append(f"({held.elem.name} *){held.ptr}")  # the contract: callees do not write inputs
            else:
                fe.mark_written(held, op)  # the callee may write it
                args.append(held.ptr)
            args.extend(held.dims[d] for d, size in enumerate(param_type.get_shape()) if size < 0)
        else:
            args.append(held)
    for result in op.res:
        held = fe.declare(result)
        if isinstance(held, Memref):
            args.append(f"&{held.ptr}")
            args.extend(f"&{d}" for d in held.dims if not d.isdigit())
        else:
            args.append(f"&{held}")
        fe.bind(result, held)
    fe.try_(f"{fe.program.function_names[callee.sym_name.data]}({', '.join(args)})")


def kernel_call(op: func.CallOp, callee: func.FuncOp, fe: BodyEmitter) -> None:
    """A call of the kernel library (docs/kernels.md): `infer_<kernel>(ctx, ...)` with the
    arguments its declaration's `infer.kernel_abi` lists: a memref passes its data
    pointer (the kernel takes every size as a value), `null` a NULL pointer; the
    kernel returns a status."""
    kernel, roles = kernel_abi_of(callee)
    operands = iter(op.arguments)
    args = [fe.use_ctx()]
    for role in roles:
        if role == "null":
            args.append("NULL")
            continue
        held = fe.get(next(operands))
        if role == "value":
            assert isinstance(held, str)
            args.append(held)
            continue
        if not isinstance(held, Memref):
            raise emit_error(op, f"a scalar passed as the kernel's '{role}' memref")
        if role == "out":
            fe.mark_written(held, op)
        args.append(held.ptr)
    fe.program.kernel_calls.add(kernel)
    fe.try_(f"infer_{kernel}({', '.join(args)})")


def plan(op: func.CallOp, fe: BodyEmitter) -> None:
    index = fe.program.plan_index(op.callee.root_reference.data)
    sizes = [fe.scalar(v) for v in op.arguments]
    result = fe.names.fresh(f"plan{index}")
    fe.out.line(f"int64_t {result}[{len(op.res)}];")
    fe.try_(f"infer_rt_plan(ctx, {index}, (const int64_t[]){{{', '.join(sizes)}}}, {result})")
    for i, value in enumerate(op.res):
        if all(ARENA_ATTR in use.operation.attributes for use in value.uses):
            fe.bind(value, f"{result}[{i}]")  # the arena's size: the planner already sized it
        else:
            fe.define(value, f"{result}[{i}]")
