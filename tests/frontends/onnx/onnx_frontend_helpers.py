"""What the ONNX frontend tests share: importing, printing in full and parsing back."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import onnx
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.parser import Parser

from infer.dialects.constants import ConstantPrinter
from infer.frontends.onnx.importer import import_model
from infer.registry import load_context


def print_module(module: ModuleOp, *, constants: bool = True, debuginfo: bool = False) -> str:
    out = StringIO()
    ConstantPrinter(stream=out, elide_limit=None if constants else 16, print_debuginfo=debuginfo).print_op(module)
    return out.getvalue()


def parse_module(text: str) -> ModuleOp:
    module = Parser(load_context(), text).parse_module()
    module.verify()
    return module


def round_trip(source: onnx.ModelProto | str | Path) -> tuple[ModuleOp, str]:
    """Imports and verifies a model, prints it with every constant in full, parses
    that text back and checks that it prints identically; returns the module and text."""
    module = import_model(source)
    module.verify()
    text = print_module(module)
    again = print_module(parse_module(text))
    assert again == text, "the printed module does not parse back to the same text"
    return module, text


def ops_named(module: ModuleOp, name: str) -> list[Operation]:
    return [op for op in module.walk() if op.name == name]
