"""`infer-opt`: the modular optimizer driver, like `mlir-opt`, on xDSL's.

    infer-opt model.onnx --convert-onnx-to-infer
    infer-opt model.mlir -p 'convert-onnx-to-infer,cse' -o out.mlir
    infer-opt cases.mlir --split-input-file --verify-diagnostics

The input is textual IR (`.mlir`, or stdin) or an ONNX model (`.onnx`).
Every pass has its own flag (`--PASS` or `--PASS=opt=value,opt2=value`), in
the order given, and `-p` pipelines work as in `xdsl-opt`. Large constants
print elided unless `--print-constants` is given. Errors in the user's input
are one line on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from io import StringIO
from typing import IO, TypeVar

from xdsl.dialects.builtin import ModuleOp
from xdsl.xdsl_opt_main import xDSLOptMain

from infer.dialects.constants import DEFAULT_ELIDE_LIMIT, ConstantPrinter
from infer.registry import all_dialects, all_passes
from infer.tools.common import guarded

T = TypeVar("T")


def _constant_factory(value: T) -> Callable[[], T]:
    return lambda: value


def split_pass_flags(argv: Sequence[str], pass_names: set[str]) -> tuple[list[str], list[str]]:
    """Separates `--PASS[=opts]` flags (in order) from the other arguments."""
    passes: list[str] = []
    rest: list[str] = []
    for arg in argv:
        if arg.startswith("--") and arg[2:].split("=", 1)[0] in pass_names:
            name, _, options = arg[2:].partition("=")
            passes.append(f"{name}{{{' '.join(o for o in options.split(',') if o)}}}" if options else name)
        else:
            rest.append(arg)
    return passes, rest


class InferOptMain(xDSLOptMain):
    """xDSL's opt driver with infer's dialects, passes, ONNX frontend and printer."""

    def __init__(self, args: Sequence[str] | None = None) -> None:
        argv = list(sys.argv[1:] if args is None else args)
        pass_flags, rest = split_pass_flags(argv, set(all_passes()))
        if pass_flags:
            rest = self._merge_pipeline(rest, pass_flags)
        super().__init__(description="infer modular optimizer driver", args=rest)

    @staticmethod
    def _merge_pipeline(argv: list[str], pass_flags: list[str]) -> list[str]:
        """Appends per-pass flags to an explicit `-p` pipeline, or makes one."""
        for i, arg in enumerate(argv):
            if arg in ("-p", "--passes") and i + 1 < len(argv):
                merged = ",".join(x for x in [argv[i + 1], *pass_flags] if x)
                return [*argv[:i], arg, merged, *argv[i + 2 :]]
            if arg.startswith(("--passes=", "-p=")):
                key, _, value = arg.partition("=")
                return [*argv[:i], f"{key}={','.join(x for x in [value, *pass_flags] if x)}", *argv[i + 1 :]]
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
            return import_model(
                stream.read(), base_dir=os.path.dirname(os.path.abspath(path)) if path else None, file=path or "stdin"
            )

        self.available_frontends["onnx"] = parse_onnx

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
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

    def output_resulting_program(self, prog: ModuleOp) -> str:
        if self.args.target != "mlir":
            return super().output_resulting_program(prog)
        output = StringIO()
        printer = ConstantPrinter(
            stream=output,
            elide_limit=None if self.args.print_constants else self.args.elide_constants_larger_than,
            print_generic_format=self.args.print_op_generic,
            print_properties_as_attributes=self.args.print_no_properties,
            print_debuginfo=self.args.print_debuginfo,
        )
        printer.print_op(prog)
        printer.print_string("\n")
        return output.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    traceback = "--traceback" in args
    args = [a for a in args if a != "--traceback"]
    return guarded("infer-opt", lambda: InferOptMain(args).run(), traceback)


if __name__ == "__main__":
    sys.exit(main())
