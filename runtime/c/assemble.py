"""Puts emitted functions and kernels into translation units, with the model's
description tables (signature, globals, memory plans) and the entry wrapper
that `infer_rt.c` calls."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from infer.runtime.c.emitter import CProgram, GlobalEntry, IOEntry, c_string
from infer.runtime.c.weights import layout

if TYPE_CHECKING:
    from infer.runtime.c.emitter import ProgramEmitter

GLOBAL_CONSTANT, GLOBAL_SPLAT, GLOBAL_UNINITIALIZED = 1, 2, 4

DTYPE_NAMES = {
    1: "float32",
    2: "uint8",
    3: "int8",
    4: "uint16",
    5: "int16",
    6: "int32",
    7: "int64",
    9: "bool",
    10: "float16",
    11: "float64",
    12: "uint32",
    13: "uint64",
    16: "bfloat16 (uint16_t bits)",
    17: "float8e4m3fn (uint8_t bits)",
    18: "float8e4m3fnuz (uint8_t bits)",
    19: "float8e5m2 (uint8_t bits)",
    20: "float8e5m2fnuz (uint8_t bits)",
    21: "uint4 (one uint8_t each)",
    22: "int4 (one int8_t each, sign-extended)",
    23: "float4e2m1 (uint8_t bits, one each)",
    24: "float8e8m0 (uint8_t bits)",
    25: "uint2 (one uint8_t each)",
    26: "int2 (one int8_t each, sign-extended)",
}


def template(name: str) -> str:
    """A file of the C support library (package data)."""
    return resources.files("infer.runtime.c").joinpath(name).read_text()


def _io_tables(kind: str, entries: list[IOEntry]) -> tuple[list[str], str]:
    lines = []
    rows = []
    for i, e in enumerate(entries):
        dims = f"{kind}{i}_dims"
        symbols = f"{kind}{i}_symbols"
        if e.shape:
            lines.append(f"static const int64_t {dims}[] = {{{', '.join(str(d) for d in e.shape)}}};")
            lines.append(f"static const char *const {symbols}[] = {{{', '.join(c_string(s) for s in e.dim_params)}}};")
        else:
            dims = symbols = "NULL"
        rows.append(f"  {{{c_string(e.name)}, {e.elem.dtype}, {len(e.shape)}, {dims}, {symbols}}},")
    if not rows:
        return lines, "NULL"
    lines.append(f"static const infer_io_info {kind}s[] = {{")
    lines.extend(rows)
    lines.append("};")
    return lines, f"{kind}s"


def _global_flags(g: GlobalEntry) -> int:
    flags = GLOBAL_CONSTANT if g.constant else 0
    if g.splat:
        flags |= GLOBAL_SPLAT
    if g.data is None:
        flags |= GLOBAL_UNINITIALIZED
    return flags


def _packers(globals_: list[GlobalEntry]) -> list[str]:
    """For each prepacked global, its size function and packer (the kernel library's
    `infer_pack_<packer>_size` and `infer_pack_<packer>` with the global's parameters)."""
    lines = []
    for g in globals_:
        if g.pack is None:
            continue
        size_args = ", ".join(str(p) for p in g.pack.size_params)
        args = "".join(f", {p}" for p in g.pack.params)
        lines.append(f"static int64_t infer_packsize_{g.index}(void) {{")
        lines.append(f"  return infer_pack_{g.pack.packer}_size({size_args});")
        lines.append("}")
        lines.append(f"static void infer_packer_{g.index}(const void *data, void *packed) {{")
        lines.append(f"  infer_pack_{g.pack.packer}((const float *)data{args}, packed);")
        lines.append("}")
    return lines


def _entry_wrapper(emitter: ProgramEmitter, inputs: list[IOEntry], outputs: list[IOEntry]) -> list[str]:
    assert emitter.entry is not None
    name = emitter.function_names[emitter.entry.sym_name.data]
    lines = ["static int entry(infer_model *ctx, const infer_tensor *in, void **out, int64_t **out_dims) {"]
    args = ["ctx"]
    for i, e in enumerate(inputs):
        args.append(f"(const {e.elem.name} *)in[{i}].data")
        args.extend(f"in[{i}].dims[{d}]" for d, size in enumerate(e.shape) if size < 0)
    for k, e in enumerate(outputs):
        lines.append(f"  {e.elem.name} *r{k} = NULL;")
        args.append(f"&r{k}")
        args.extend(f"&out_dims[{k}][{d}]" for d, size in enumerate(e.shape) if size < 0)
    lines.append(f"  INFER_TRY({name}({', '.join(args)}));")
    lines.extend(f"  out[{k}] = (void *)r{k};" for k in range(len(outputs)))
    lines.append("  return 0;")
    lines.append("}")
    return lines


def _description(program: CProgram) -> str:
    def shape(e: IOEntry) -> str:
        return ", ".join(p or (str(d) if d >= 0 else "?") for d, p in zip(e.shape, e.dim_params))

    lines = ["This model:"]
    lines += [
        f" *   input {i} '{e.name}': {DTYPE_NAMES[e.elem.dtype]} [{shape(e)}]" for i, e in enumerate(program.inputs)
    ]
    lines += [
        f" *   output {i} '{e.name}': {DTYPE_NAMES[e.elem.dtype]} [{shape(e)}]" for i, e in enumerate(program.outputs)
    ]
    return "\n".join(lines)


def assemble(emitter: ProgramEmitter, inputs: list[IOEntry], outputs: list[IOEntry]) -> CProgram:
    options = emitter.options
    globals_ = list(emitter.globals.values())
    plans = list(emitter.plans.values())
    blob_size, blob_key = layout(globals_)
    body_lines = sum(k.lines for k in emitter.kernels) + sum(t.count("\n") + 1 for _, t in emitter.functions)
    split = options.unit_lines > 0 and body_lines > options.unit_lines and len(emitter.kernels) > 1
    banner = f"/* Generated by infer{f' from {options.source}' if options.source else ''}: do not edit. */"

    main = [banner, '#include "infer_rt.h"']
    if emitter.kernel_calls or any(g.pack is not None for g in globals_):
        main.append('#include "infer_kernels.h"')
    main.append("")
    units: dict[str, str] = {}
    if split:
        groups: list[list[str]] = [[]]
        size = 0
        for kernel in emitter.kernels:
            if size > 0 and size + kernel.lines > options.unit_lines:
                groups.append([])
                size = 0
            groups[-1].append(kernel.text.replace("{static}", "INFER_HIDDEN "))
            size += kernel.lines
            main.append(f"INFER_HIDDEN {kernel.signature};")
        for n, group in enumerate(groups, start=1):
            units[f"model_{n}.c"] = "\n\n".join([banner, '#include "infer_rt.h"', *group]) + "\n"
        main.append("")
    main.extend(prototype for prototype, _ in emitter.functions)
    main.append("")
    if not split:
        for kernel in emitter.kernels:
            main.extend([kernel.text.replace("{static}", "static "), ""])
    for _, text in emitter.functions:
        main.extend([text, ""])

    if emitter.entry is None:  # only private functions: no model to describe
        program = CProgram({"model.c": "\n".join(main) + "\n", **units}, "", globals_, plans, [], [], blob_key)
        program.blob_size = blob_size
        return program
    main.append("/* ---- the model's description, read by infer_rt.c ---- */")
    in_lines, in_table = _io_tables("input", inputs)
    out_lines, out_table = _io_tables("output", outputs)
    main.extend(in_lines + out_lines)
    globals_table = "NULL"
    if globals_:
        main.extend(_packers(globals_))
        globals_table = "globals"
        main.append("static const infer_global_info globals[] = {")
        for g in globals_:
            stored = len(g.data) if g.data is not None else 0
            pack = f", infer_packsize_{g.index}, infer_packer_{g.index}" if g.pack is not None else ", NULL, NULL"
            row = f"{c_string(g.name)}, {g.offset}u, {g.nbytes}u, {stored}u, {_global_flags(g)}, {g.alignment}{pack}"
            main.append(f"  {{{row}}},")
        main.append("};")
    plans_table = "NULL"
    if plans:
        for i, p in enumerate(plans):
            main.append(f"static const int32_t plan{i}_start[] = {{{', '.join(str(s) for s, _ in p.intervals)}}};")
            main.append(f"static const int32_t plan{i}_end[] = {{{', '.join(str(e) for _, e in p.intervals)}}};")
        plans_table = "plans"
        main.append("static const infer_plan_info plans[] = {")
        main.extend(
            f"  {{{c_string(p.name)}, {len(p.intervals)}, plan{i}_start, plan{i}_end}}," for i, p in enumerate(plans)
        )
        main.append("};")
    main.append("")
    main.extend(_entry_wrapper(emitter, inputs, outputs))
    main.append("")
    main.append("const infer_model_info infer__model_info = {")
    main.append(f"  {len(inputs)}, {len(outputs)}, {in_table}, {out_table},")
    main.append(f"  {len(globals_)}, {globals_table},")
    main.append(f"  UINT64_C({blob_size}), UINT64_C(0x{blob_key:016X}),")
    main.append(f"  {len(plans)}, {plans_table},")
    main.append("  entry,")
    main.append("};")
    all_units = {"model.c": "\n".join(main) + "\n", **units}
    program = CProgram(all_units, "", globals_, plans, inputs, outputs, blob_key)
    program.blob_size = blob_size
    program.header = template("model.h").replace("@MODEL_DESCRIPTION@", _description(program))
    return program
