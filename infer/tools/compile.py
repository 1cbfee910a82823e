"""`infer-compile`: compiles a model to C and a shared library.

    infer-compile model.onnx -o out/          # out/: model.c, model.h, weights.bin, libmodel.so
    infer-compile loops.mlir --emit-c         # print the generated C, compile nothing

The input is an ONNX model or textual IR at any level: `onnx` and `infer`
modules are optimized (`-O`, default level 2) and lowered to loops first;
loop-level IR (docs/c_target.md) is compiled as it is. Heavy ops call the
kernel library (`select-kernels`; `--no-kernels`: loops only, `--gemm
openblas`: OpenBLAS's sgemm for gemms and matmuls). Libraries are cached
under `--cache-dir` (default ~/.cache/infer): compiling the same model twice
compiles nothing. Errors are one line on stderr, exit code 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from infer.diagnostics import InferError
from infer.tools.common import guarded


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="infer-compile", description="Compile a model to C and a shared library loadable with ctypes."
    )
    parser.add_argument("model", help="an .onnx model or .mlir file (onnx, infer or loop-level IR)")
    parser.add_argument("-o", "--output", help="directory to write model.c, model.h, weights.bin, libmodel.so")
    parser.add_argument("-O", dest="opt_level", type=int, default=None, metavar="N", help="optimization level 0-3")
    parser.add_argument("--emit-c", action="store_true", help="print the C (every unit) instead of compiling")
    parser.add_argument("--emit-header", action="store_true", help="print model.h instead of compiling")
    parser.add_argument(
        "--split-input-file", action="store_true", help="with --emit-c: emit each `// -----` chunk separately"
    )
    parser.add_argument("--no-plan-memory", action="store_true", help="keep intermediate buffers on the heap")
    parser.add_argument(
        "--no-kernels", action="store_true", help="lower every op to loops (no calls into the kernel library)"
    )
    parser.add_argument(
        "--gemm", choices=["ours", "openblas"], default="ours", help="the GEMM kernel of gemms and matmuls"
    )
    parser.add_argument("--no-outline", action="store_true", help="keep loop nests inside their function")
    parser.add_argument(
        "--unit-lines", type=int, default=None, metavar="N", help="split the C into units of about N lines (0: never)"
    )
    parser.add_argument("--cache-dir", help="where compiled libraries are cached (default ~/.cache/infer)")
    parser.add_argument("--cc", help="the C compiler (default: gcc, else cc)")
    parser.add_argument("--cflags", default="", help="extra compiler flags, e.g. '-fsanitize=address,undefined'")
    parser.add_argument("--opt-flags", help="replace the optimization flags (default: -O3 -march=native ...)")
    parser.add_argument("-j", "--jobs", type=int, default=None, help="units compiled in parallel (default: CPUs)")
    return parser


def _load(path: str, text: str | None = None):
    import infer

    if text is not None:
        return infer.parse_ir(text, name=path)
    return infer.load(path)


def compile_model(argv: Sequence[str]) -> None:
    args = _parser().parse_args(argv)
    from infer.runtime.c.build import OPT_FLAGS, build, lower_to_loop_level
    from infer.runtime.c.emitter import DEFAULT_UNIT_LINES, EmitOptions, emit_c

    options = EmitOptions(
        outline=not args.no_outline,
        unit_lines=DEFAULT_UNIT_LINES if args.unit_lines is None else args.unit_lines,
        source=Path(args.model).name,
    )
    if args.emit_c or args.emit_header:
        if args.split_input_file:
            chunks = Path(args.model).read_text().split("// -----")
            modules = [_load(args.model, chunk) for chunk in chunks]
        else:
            modules = [_load(args.model)]
        texts = []
        for module in modules:
            try:
                lower_to_loop_level(module, args.opt_level, kernels=not args.no_kernels, gemm=args.gemm)
                if not args.no_plan_memory:
                    from infer.lowering.plan_memory import PlanMemoryPass
                    from infer.registry import load_context

                    PlanMemoryPass().apply(load_context(), module)
                program = emit_c(module, options)
            except InferError as e:
                if not args.split_input_file:
                    raise
                texts.append(f"// error: {e}\n")
                continue
            if args.emit_header:
                texts.append(program.header)
            else:
                texts.append("".join(f"// ---- {name} ----\n{text}" for name, text in program.units.items()))
        out = "// -----\n".join(texts)
        if args.output:
            Path(args.output).write_text(out)
        else:
            sys.stdout.write(out)
        return
    if not args.output:
        raise InferError("no output directory", hint="give one with -o DIR (or print the C with --emit-c)")
    module = _load(args.model)
    lower_to_loop_level(module, args.opt_level, kernels=not args.no_kernels, gemm=args.gemm)
    result = build(
        module,
        out_dir=args.output,
        cache_dir=args.cache_dir,
        cc=args.cc,
        opt_flags=args.opt_flags.split() if args.opt_flags is not None else OPT_FLAGS,
        extra_flags=args.cflags.split(),
        jobs=args.jobs,
        emit_options=options,
        plan_memory=not args.no_plan_memory,
    )
    how = "cached" if result.cached else f"compiled in {result.timings['compile']:.2f} s"
    lines = sum((result.directory / unit).read_text().count("\n") for unit in result.units)
    units = ", ".join(result.units)
    print(f"{result.library}: {units} ({lines} lines), model.h, weights.bin ({how})")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    traceback = "--traceback" in args
    args = [a for a in args if a != "--traceback"]
    return guarded("infer-compile", lambda: compile_model(args), traceback)


if __name__ == "__main__":
    sys.exit(main())
