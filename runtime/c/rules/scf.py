"""C for `scf`: structured loops and branches.

Loop-carried values (`iter_args`) and the results of `scf.if`/`scf.while`/
`scf.index_switch` are mutable C variables declared before the statement and
assigned where the region yields. `scf.parallel` (without reductions) runs as
nested `for` loops for now.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import scf
from xdsl.ir import Block, Operation, SSAValue

from infer.runtime.c.emitter import BodyEmitter, Value, emit_error
from infer.runtime.c.rules import rule


def emit_body(fe: BodyEmitter, block: Block, targets: Sequence[Value], op: Operation) -> None:
    """The ops of a region's block, then its `scf.yield` as assignments to `targets`."""
    terminator = block.last_op
    for inner in block.ops:
        if inner is terminator and isinstance(inner, scf.YieldOp):
            break
        fe.emit_op(inner)
    if isinstance(terminator, scf.YieldOp):
        fe.assign_all(targets, [fe.get(v) for v in terminator.arguments], op, list(terminator.arguments))


def declare_all(fe: BodyEmitter, values: Sequence[SSAValue], hints: Sequence[str | None] = ()) -> list[Value]:
    hints = list(hints) or [None] * len(values)
    return [fe.declare(v, hint) for v, hint in zip(values, hints)]


@rule(scf.ForOp)
def for_(op: scf.ForOp, fe: BodyEmitter) -> None:
    body = op.body.block
    iv, carried = body.args[0], body.args[1:]
    lb, ub, step = fe.scalar(op.lb), fe.scalar(op.ub), fe.scalar(op.step)
    variables = declare_all(fe, list(op.res), [a.name_hint for a in carried])
    for var, init in zip(variables, op.iter_args):
        fe.assign(var, fe.get(init), op)
    i = fe.names.fresh(iv.name_hint, "i")
    t = fe.ctype(iv)
    fe.out.open(f"for ({t.name} {i} = {lb}; {i} < {ub}; {i} += {step})")
    fe.bind(iv, i)
    for arg, var in zip(carried, variables):
        fe.bind(arg, var)
    emit_body(fe, body, variables, op)
    fe.out.close()
    for result, var in zip(op.res, variables):
        fe.bind(result, var)


@rule(scf.IfOp)
def if_(op: scf.IfOp, fe: BodyEmitter) -> None:
    variables = declare_all(fe, list(op.output))
    fe.out.open(f"if ({fe.scalar(op.cond)})")
    emit_body(fe, op.true_region.block, variables, op)
    if op.false_region.blocks and (op.output or len(op.false_region.block.ops) > 1):
        fe.out.depth -= 1
        fe.out.open("} else")
        emit_body(fe, op.false_region.block, variables, op)
    fe.out.close()
    for result, var in zip(op.output, variables):
        fe.bind(result, var)


@rule(scf.WhileOp)
def while_(op: scf.WhileOp, fe: BodyEmitter) -> None:
    before, after = op.before_region.block, op.after_region.block
    carried = declare_all(fe, list(before.args), [a.name_hint for a in before.args])
    for var, init in zip(carried, op.arguments):
        fe.assign(var, fe.get(init), op)
    results = declare_all(fe, list(op.res))
    for arg, var in zip(before.args, carried):
        fe.bind(arg, var)
    fe.out.open("for (;;)")
    condition = before.last_op
    if not isinstance(condition, scf.ConditionOp):
        raise emit_error(op, "the before region does not end with scf.condition")
    for inner in before.ops:
        if inner is condition:
            break
        fe.emit_op(inner)
    forwarded = [fe.get(v) for v in condition.args]
    fe.out.open(f"if (!({fe.scalar(condition.condition)}))")
    fe.assign_all(results, forwarded, op, list(condition.args))
    fe.out.line("break;")
    fe.out.close()
    for arg, value in zip(after.args, forwarded):
        fe.bind(arg, value)
    emit_body(fe, after, carried, op)
    fe.out.close()
    for result, var in zip(op.res, results):
        fe.bind(result, var)


@rule(scf.IndexSwitchOp)
def index_switch(op: scf.IndexSwitchOp, fe: BodyEmitter) -> None:
    variables = declare_all(fe, list(op.output))
    fe.out.open(f"switch ({fe.scalar(op.arg)})")
    for case, region in zip(op.cases.get_values(), op.case_regions):
        fe.out.open(f"case {case}:")
        emit_body(fe, region.block, variables, op)
        fe.out.line("break;")
        fe.out.close()
    fe.out.open("default:")
    emit_body(fe, op.default_region.block, variables, op)
    fe.out.line("break;")
    fe.out.close()
    fe.out.close()
    for result, var in zip(op.output, variables):
        fe.bind(result, var)


@rule(scf.ParallelOp)
def parallel(op: scf.ParallelOp, fe: BodyEmitter) -> None:
    if op.initVals or op.res:
        raise emit_error(op, "scf.parallel with reductions is not supported yet")
    body = op.body.block
    bounds = zip(op.lowerBound, op.upperBound, op.step, body.args)
    depth = 0
    for lb, ub, step, iv in bounds:
        i = fe.names.fresh(iv.name_hint, "i")
        lo, hi, st = fe.scalar(lb), fe.scalar(ub), fe.scalar(step)
        fe.out.open(f"for (int64_t {i} = {lo}; {i} < {hi}; {i} += {st})")
        fe.bind(iv, i)
        depth += 1
    for inner in body.ops:
        if isinstance(inner, scf.ReduceOp):
            break
        fe.emit_op(inner)
    for _ in range(depth):
        fe.out.close()


@rule(scf.YieldOp, scf.ConditionOp, scf.ReduceOp)
def terminator(op: Operation, fe: BodyEmitter) -> None:
    raise emit_error(op, "a terminator outside the op it belongs to")
