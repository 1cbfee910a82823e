"""The Python API: what the command-line tools do, callable from another program.

import infer
module = infer.load("model.onnx")                  # onnx dialect, one op per node
infer.convert(module)                              # -> infer dialect, in place
model = infer.compile("model.onnx")                # imported, converted, ready to run
outputs = model.run({"data": x})                   # {"features": array}
print(infer.print_ir(module))
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from xdsl.dialects.builtin import ModuleOp
from xdsl.parser import Parser

from infer.diagnostics import InferError

Source = str | os.PathLike[str] | bytes | onnx.ModelProto | ModuleOp
"""A model: a path (`.onnx` or `.mlir`), ONNX bytes, a `ModelProto`, or a module."""

TARGETS = ("interp", "c")
"""`interp`: the reference interpreter; `c`: lowered to loops, emitted as C, compiled and loaded."""


def _is_mlir_path(source: object) -> bool:
    return isinstance(source, str | os.PathLike) and Path(source).suffix == ".mlir"


def load(source: Source) -> ModuleOp:
    """Reads a model as IR: an ONNX model becomes the `onnx` dialect, a `.mlir`
    file is parsed as it is."""
    if isinstance(source, ModuleOp):
        return source
    if _is_mlir_path(source):
        path = Path(source)  # type: ignore[arg-type]
        try:
            text = path.read_text()
        except OSError as e:
            raise InferError(f"cannot read: {e.strerror}", file=str(path)) from None
        return parse_ir(text, name=str(path))
    from infer.frontends.onnx.importer import import_model

    return import_model(source)  # type: ignore[arg-type]


def parse_ir(text: str, name: str = "<string>") -> ModuleOp:
    """Parses textual IR (any dialect `infer` knows) into a verified module."""
    from infer.registry import load_context

    module = Parser(load_context(), text, name).parse_module()
    module.verify()
    return module


def print_ir(module: ModuleOp, *, constants: bool = False, debuginfo: bool = False) -> str:
    """Textual IR; large constants elided unless `constants` is set."""
    from io import StringIO

    from infer.dialects.constants import ConstantPrinter

    out = StringIO()
    ConstantPrinter(stream=out, elide_limit=None if constants else 16, print_debuginfo=debuginfo).print_op(module)
    return out.getvalue() + "\n"


def is_onnx_dialect(module: ModuleOp) -> bool:
    from infer.dialects.onnx import OnnxOp

    return any(isinstance(op, OnnxOp) for op in module.walk())


def convert(module: ModuleOp) -> ModuleOp:
    """Converts an `onnx`-dialect module to the `infer` dialect, in place; returns it."""
    from infer.lowering.onnx_to_infer import convert_module

    convert_module(module)
    module.verify()
    return module


def to_infer(source: Source) -> ModuleOp:
    """Loads a model and brings it to the `infer` dialect."""
    module = load(source)
    if is_onnx_dialect(module):
        convert(module)
    return module


class CompiledModel:
    """A model ready to run: inputs and outputs are keyed by the model's names."""

    def __init__(
        self,
        module: ModuleOp,
        target: str = "interp",
        *,
        threads: int = 0,
        cache_dir: str | os.PathLike[str] | None = None,
        kernels: bool = True,
    ) -> None:
        if target not in TARGETS:
            raise InferError(f"unknown target '{target}'", hint=f"choose one of {', '.join(TARGETS)}")
        from infer.runtime.interpreter import Interpreter

        self.module = module
        self.target = target
        self._interpreter = Interpreter(module)  # also the signature, for every target
        self._native = None
        if target == "c":
            # A copy is lowered to loops and kernel calls (without `kernels`, loops only)
            # and built (cached under `cache_dir`, default ~/.cache/infer); `threads`
            # goes to the library (see runtime/c/model.h).
            from infer.runtime.c.build import build, lower_to_loop_level
            from infer.runtime.c.loader import CModel

            lowered = lower_to_loop_level(module.clone(), optimize=False, kernels=kernels)
            self.build = build(lowered, cache_dir=cache_dir)
            self._native = CModel(self.build.library, self.build.weights, threads)

    @property
    def input_names(self) -> list[str]:
        return list(self._interpreter.input_names)

    @property
    def output_names(self) -> list[str]:
        return list(self._interpreter.output_names)

    def run(self, inputs: Mapping[str, Any] | Sequence[Any]) -> dict[str, np.ndarray]:
        """Runs the model; inputs by name (a mapping) or in order (a sequence)."""
        if self._native is not None:
            return self._native.run(inputs)
        return self._interpreter.run(inputs)


def optimize(
    module: ModuleOp,
    level: int | None = None,
    *,
    verify_each: bool = False,
    verify_dims: Mapping[str, int] | None = None,
) -> ModuleOp:
    """Runs optimization level `level` (0-3, default 2) on a module in place; an
    `onnx`-dialect module is converted first. With `verify_each`, every pass is
    checked against the interpreter (see `infer.verify_each`)."""
    from infer.pipeline import DEFAULT_LEVEL
    from infer.pipeline import optimize as run_level
    from infer.verify_each import VerifyEach

    callback = VerifyEach(dims=dict(verify_dims or {})) if verify_each else None
    run_level(module, DEFAULT_LEVEL if level is None else level, callback)
    return module


def compile(
    source: Source,
    *,
    target: str = "interp",
    opt_level: int | None = None,
    threads: int = 0,
    cache_dir: str | os.PathLike[str] | None = None,
    kernels: bool = True,
) -> CompiledModel:
    """Imports, converts, optimizes (level `opt_level`, default 2) and prepares a
    model for `target` (`interp`: the reference interpreter; `c`: a compiled
    library, cached under `cache_dir`, running on `threads` threads (1: exactly the
    calling thread; 0: one per core), its heavy
    ops calling the kernel library unless `kernels` is false)."""
    module = load(source)
    optimize(module, opt_level)
    return CompiledModel(module, target, threads=threads, cache_dir=cache_dir, kernels=kernels)


def run(
    source: Source | CompiledModel, inputs: Mapping[str, Any] | Sequence[Any], *, target: str = "interp"
) -> dict[str, np.ndarray]:
    """Compiles (unless given a compiled model) and runs once."""
    model = source if isinstance(source, CompiledModel) else compile(source, target=target)
    return model.run(inputs)
