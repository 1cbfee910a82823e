"""`infer-opt`: the modular optimizer driver, like `mlir-opt`, on xDSL's.

    infer-opt model.onnx --convert-onnx-to-infer
    infer-opt model.onnx -O2 --verify-each --op-stats
    infer-opt model.mlir -p 'fuse-conv-bn,cse' -o out.mlir
    infer-opt cases.mlir --split-input-file --verify-diagnostics

The input is textual IR (`.mlir`, or stdin) or an ONNX model (`.onnx`).
Every pass, ours and xDSL's, has its own flag (`--PASS` or
`--PASS=opt=value,opt2=value`), applied in the order given after the passes of
an optimization level (`-O0` ... `-O3`, `-O` for the default) and before a `-p`
pipeline. Large constants print elided unless `--print-constants` is given.
Errors in the user's input are one line on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from io import StringIO
from pathlib import Path
from typing import IO, TypeVar

from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass, PassPipeline
from xdsl.xdsl_opt_main import xDSLOptMain

from infer.diagnostics import InferError
from infer.dialects.constants import DEFAULT_ELIDE_LIMIT, ConstantPrinter
from infer.pipeline import DEFAULT_LEVEL, LEVELS, level_passes
from infer.registry import all_dialects, all_passes
from infer.tools.common import guarded
from infer.verify_each import VerifyEach

T = TypeVar("T")


def _constant_factory(value: T) -> Callable[[], T]:
    return lambda: value


def pass_names() -> set[str]:
    """Every pass name a flag may spell: infer's and xDSL's."""
    from xdsl.transforms import get_all_passes

    return set(all_passes()) | set(get_all_passes())


def split_pass_flags(argv: Sequence[str], names: set[str]) -> tuple[list[str], list[str]]:
    """Separates `--PASS[=opts]` flags (in order) from the other arguments."""
    passes: list[str] = []
    rest: list[str] = []
    for arg in argv:
        if arg.startswith("--") and arg[2:].split("=", 1)[0] in names:
            name, _, options = arg[2:].partition("=")
            passes.append(f"{name}{{{' '.join(o for o in options.split(',') if o)}}}" if options else name)
        else:
            rest.append(arg)
    return passes, rest


def split_opt_level(argv: Sequence[str]) -> tuple[int | None, list[str]]:
    """Separates `-O` (the default level), `-O0`..`-O3` and `--opt-level=N` from the other arguments."""
    level: int | None = None
    rest: list[str] = []
    for arg in argv:
        text: str | None = None
        if arg == "-O":
            level = DEFAULT_LEVEL
        elif arg.startswith("-O"):
            text = arg[2:]
        elif arg.startswith("--opt-level="):
            text = arg.partition("=")[2]
        else:
            rest.append(arg)
            continue
        if text is not None:
            if not text.isdigit() or int(text) not in LEVELS:
                raise InferError(f"{arg}: there is no optimization level '{text}'", hint="use -O0, -O1, -O2 or -O3")
            level = int(text)
    return level, rest


def _parse_dims(spec: str) -> dict[str, int]:
    dims: dict[str, int] = {}
    for item in (x for x in spec.split(",") if x):
        name, sep, value = item.partition("=")
        if not sep or not value.isdigit():
            raise InferError(f"--verify-each-dims: '{item}' is not SYMBOL=SIZE")
        dims[name] = int(value)
    return dims


def op_stats(module: ModuleOp) -> dict[str, int]:
    """How many ops of each name the module holds (the module and function ops excluded)."""
    counts = Counter(op.name for op in module.walk() if op.name not in ("builtin.module", "func.func"))
    return dict(sorted(counts.items()))


def op_stats_comment(module: ModuleOp) -> str:
    counts = op_stats(module)
    lines = ["// -----// op stats //----- //", *(f"// {name}: {count}" for name, count in counts.items())]
    lines.append(f"// total: {sum(counts.values())}")
    return "\n".join(lines) + "\n"


class InferOptMain(xDSLOptMain):
    """xDSL's opt driver with infer's dialects, passes, ONNX frontend, printer and checks."""

    def __init__(self, args: Sequence[str] | None = None) -> None:
        level, rest = split_opt_level(list(sys.argv[1:] if args is None else args))
        pass_flags, rest = split_pass_flags(rest, pass_names())
        if level is not None:
            pass_flags = [*level_passes(level), *pass_flags]
        if pass_flags:
            rest = self._merge_pipeline(rest, pass_flags)
        self.verify_each: VerifyEach | None = None
        super().__init__(description="infer modular optimizer driver", args=rest)

    @staticmethod
    def _merge_pipeline(argv: list[str], pass_flags: list[str]) -> list[str]:
        """Puts the flag passes before an explicit `-p` pipeline, or makes one of them."""
        for i, arg in enumerate(argv):
            if arg in ("-p", "--passes") and i + 1 < len(argv):
                merged = ",".join(x for x in [*pass_flags, argv[i + 1]] if x)
                return [*argv[:i], arg, merged, *argv[i + 2 :]]
            if arg.startswith(("--passes=", "-p=")):
                key, _, value = arg.partition("=")
                return [*argv[:i], f"{key}={','.join(x for x in [*pass_flags, value] if x)}", *argv[i + 1 :]]
        return [*argv, "-p", ",".join(pass_flags)]

    def register_all_dialects(self) -> None:
        super().register_all_dialects()
        for dialect in all_dialects():
            if dialect.name in self.ctx.registered_dialect_names:
                continue
            self.ctx.register_dialect(dialect.name, _constant_factory(dialect))

    def register_all_passes(self) -> None:
        super().register_all_passes()
        for name, pass_class in all_passes().items():
            self.register_pass(name, _constant_factory(pass_class))

    def register_all_frontends(self) -> None:
        super().register_all_frontends()

        def parse_onnx(stream: IO[bytes]) -> ModuleOp:
            from infer.frontends.onnx.importer import import_model

            path = self.args.input_file
            base_dir = os.path.dirname(os.path.abspath(path)) if path else None
            return import_model(stream.read(), base_dir=base_dir, file=path or "stdin")

        self.available_frontends["onnx"] = parse_onnx

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.epilog = (
            f"-O0 ... -O3 run an optimization level (-O alone: level {DEFAULT_LEVEL}), frontend conversion "
            "included; --PASS[=opt=value,...] runs one pass; --traceback shows the Python traceback of an "
            "internal error."
        )
        arg_parser.add_argument(
            "--print-constants",
            action="store_true",
            help="print every constant in full (hex); by default large ones are elided",
        )
        arg_parser.add_argument(
            "--elide-constants-larger-than",
            type=int,
            default=DEFAULT_ELIDE_LIMIT,
            metavar="N",
            help=f"elide constants of more than N elements (default {DEFAULT_ELIDE_LIMIT})",
        )
        arg_parser.add_argument(
            "--verify-each",
            action="store_true",
            help="after every pass, run the interpreter on seeded random inputs and compare with the run "
            "before it; on drift, name the pass and the first node whose values diverge",
        )
        arg_parser.add_argument(
            "--verify-each-dims",
            default="",
            metavar="SYM=N,...",
            help="sizes of dynamic dims for --verify-each, by dim symbol (e.g. N=2,H=32,W=32; others are 2)",
        )
        arg_parser.add_argument("--verify-each-rtol", type=float, default=1e-4, metavar="R", help="default 1e-4")
        arg_parser.add_argument("--verify-each-atol", type=float, default=1e-5, metavar="A", help="default 1e-5")
        arg_parser.add_argument("--verify-each-seed", type=int, default=0, metavar="S", help="default 0")
        arg_parser.add_argument(
            "--verify-each-dump",
            default=None,
            metavar="DIR",
            help="with --verify-each, write the IR before and after a pass that changes the results to DIR",
        )
        arg_parser.add_argument(
            "--op-stats",
            action="store_true",
            help="after the pipeline, print the count of each op (as `//` comments after the IR)",
        )

    def setup_pipeline(self) -> None:
        """xDSL's pipeline with infer's callback: verification, --verify-each, --time-passes,
        and --print-between-passes through the constant-eliding printer."""
        if self.args.verify_each:
            self.verify_each = VerifyEach(
                dims=_parse_dims(self.args.verify_each_dims),
                seed=self.args.verify_each_seed,
                rtol=self.args.verify_each_rtol,
                atol=self.args.verify_each_atol,
                dump_dir=Path(self.args.verify_each_dump) if self.args.verify_each_dump else None,
            )
        start = time.perf_counter()

        def callback(previous: ModulePass | None, module: ModuleOp, following: ModulePass | None) -> None:
            nonlocal start
            if self.args.time_passes and previous is not None:
                print(f"Pass {previous.name} took {time.perf_counter() - start} seconds")
            if not self.args.disable_verify:
                module.verify()
            if self.verify_each is not None:
                self.verify_each(previous, module, following)
            if previous is not None and following is not None and self.args.print_between_passes:
                print(f"// -----// IR after {previous.name} //----- //")
                print(self._print(module), end="")
            start = time.perf_counter()

        try:
            self.pipeline = PassPipeline.parse_spec(self.available_passes, self.args.passes, callback)
        except ValueError as e:
            raise InferError(f"bad pass pipeline: {e}", hint="infer-opt --help lists the passes") from None

    def _print(self, module: ModuleOp) -> str:
        output = StringIO()
        printer = ConstantPrinter(
            stream=output,
            elide_limit=None if self.args.print_constants else self.args.elide_constants_larger_than,
            print_generic_format=self.args.print_op_generic,
            print_properties_as_attributes=self.args.print_no_properties,
            print_debuginfo=self.args.print_debuginfo,
        )
        printer.print_op(module)
        printer.print_string("\n")
        return output.getvalue()

    def output_resulting_program(self, prog: ModuleOp) -> str:
        if self.args.target != "mlir":
            return super().output_resulting_program(prog)
        text = self._print(prog)
        if self.args.op_stats:
            text += op_stats_comment(prog)
        return text


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    traceback = "--traceback" in args
    args = [a for a in args if a != "--traceback"]
    return guarded("infer-opt", lambda: InferOptMain(args).run(), traceback)


if __name__ == "__main__":
    sys.exit(main())
