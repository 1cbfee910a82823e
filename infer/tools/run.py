"""`infer-run`: runs a model on inputs from an `.npz` file.

    infer-run model.onnx --inputs in.npz [--outputs out.npz] [--target interp]

Inputs and outputs are keyed by the model's graph names. Without `--inputs`,
`--shape NAME=D0,D1,...` (for dynamic dims) generates seeded random inputs.
Prints each output's name, shape and dtype.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from infer.diagnostics import InferError, NotConstantError
from infer.tools.common import guarded

if TYPE_CHECKING:
    from infer.api import CompiledModel


def _parse_shapes(specs: Sequence[str]) -> dict[str, list[int]]:
    shapes: dict[str, list[int]] = {}
    for spec in specs:
        name, sep, dims = spec.rpartition("=")
        if not sep or not name:
            raise InferError(f"--shape '{spec}' is not NAME=D0,D1,...")
        try:
            shapes[name] = [int(d) for d in dims.replace("x", ",").split(",") if d]
        except ValueError:
            raise InferError(f"--shape '{spec}' has a dim that is not an integer") from None
    return shapes


def random_inputs(model, shapes: dict[str, list[int]], seed: int = 0) -> dict[str, np.ndarray]:
    """Seeded random inputs for every model input; dynamic dims from `shapes`."""
    from infer.dialects.dtypes import to_numpy
    from infer.dialects.infer.base import dims_of

    rng = np.random.default_rng(seed)
    inputs: dict[str, np.ndarray] = {}
    function = model._interpreter.function
    for name, arg in zip(model.input_names, function.args, strict=True):
        dims = dims_of(arg.type)
        given = shapes.get(name)
        if given is not None:
            if len(given) != len(dims):
                raise InferError(f"--shape {name} has {len(given)} dims, the input has {len(dims)}")
            dims = tuple(given)
        if any(d is None for d in dims):
            raise InferError(f"input '{name}' has dynamic dims", hint=f"give them with --shape {name}=D0,D1,...")
        shape = [int(d) for d in dims if d is not None]
        dtype = to_numpy(arg.type.element_type)
        if np.issubdtype(dtype, np.floating):
            inputs[name] = rng.standard_normal(shape).astype(dtype)
        elif dtype == np.bool_:
            inputs[name] = rng.integers(0, 2, shape).astype(np.bool_)
        else:
            inputs[name] = rng.integers(0, 10, shape).astype(dtype)
    return inputs


def run(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(prog="infer-run", description="Run a model on inputs from an .npz file.")
    parser.add_argument("model", help="an .onnx model or .mlir file")
    parser.add_argument("--inputs", help=".npz file with one array per model input, keyed by input name")
    parser.add_argument("--outputs", help="write the outputs to this .npz file")
    parser.add_argument(
        "--target",
        default="interp",
        choices=["interp", "c"],
        help="where to run: the reference interpreter, or compiled C (default: interp)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="threads of the C target (1: the calling thread only; default 0: one per core)",
    )
    parser.add_argument(
        "--no-kernels", action="store_true", help="C target: loops only, no calls into the kernel library"
    )
    parser.add_argument("--cache-dir", help="where the C target caches compiled models (default ~/.cache/infer)")
    parser.add_argument(
        "--shape",
        action="append",
        default=[],
        metavar="NAME=D0,D1,...",
        help="shape of a random input (when --inputs is not given)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of random inputs")
    args = parser.parse_args(argv)

    import infer

    options = {
        "target": args.target,
        "threads": args.threads,
        "cache_dir": args.cache_dir,
        "kernels": not args.no_kernels,
    }
    inputs = _read_inputs(args.inputs) if args.inputs else None
    try:
        try:
            model = infer.compile(args.model, **options)
        except NotConstantError as e:
            # Values needed at compile time come from the inputs given: specialize on them.
            if inputs is None or not e.graph_inputs or any(name not in inputs for name in e.graph_inputs):
                raise e.with_context(
                    hint="give that graph input's value with --inputs to specialize the model on it"
                ) from None
            model, inputs = _specialized(args.model, inputs, list(e.graph_inputs), options)
    except InferError as e:
        raise e.with_context(file=args.model) from None
    if inputs is None:
        inputs = random_inputs(model, _parse_shapes(args.shape), args.seed)
    outputs = model.run(inputs)
    for name, value in outputs.items():
        print(f"{name}: shape {tuple(value.shape)} dtype {value.dtype}")
    if args.outputs:
        np.savez(args.outputs, **outputs)  # type: ignore[arg-type]


def _read_inputs(path: str) -> dict[str, np.ndarray]:
    try:
        with np.load(path) as data:
            return {k: data[k] for k in data.files}
    except (OSError, ValueError) as e:
        raise InferError(f"cannot read inputs: {e}", file=path) from None


def _specialized(
    path: str, inputs: dict[str, np.ndarray], names: list[str], options: dict[str, Any]
) -> tuple[CompiledModel, dict[str, np.ndarray]]:
    """The model at `path` compiled with the graph inputs `names` replaced by their
    values in `inputs`; the inputs left to pass at run time."""
    import onnx

    from infer.backend import compile_specialized

    model = compile_specialized(onnx.load(path), inputs, names, options)
    return model, {k: v for k, v in inputs.items() if k not in names}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    traceback = "--traceback" in args
    args = [a for a in args if a != "--traceback"]
    return guarded("infer-run", lambda: run(args), traceback)


if __name__ == "__main__":
    sys.exit(main())
