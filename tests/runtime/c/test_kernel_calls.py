"""Ops marked by `select-kernels` run as calls into the C kernel library and compute what
the `infer` interpreter computes.

Every variant a kernel covers (convolutions of every window, groups and epilogue,
depthwise convolutions, gemms and matmuls with prepacked or run-time operands,
2-D pooling) is built into one module, marked, lowered to kernel calls, compiled
and run on 1 and 2 threads; dynamic dims take several sizes through one library.
The light models and the bundled example run through C with kernels against their
expected outputs and onnxruntime.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from light_models import expected_output, inputs, load, with_random_weights, without_softmax
from onnx_models import run_onnxruntime
from xdsl.dialects import func
from xdsl.dialects.builtin import DYNAMIC_INDEX, ModuleOp, TensorType
from xdsl.ir import Block, Operation, Region, SSAValue

import infer
from infer.dialects.dtypes import from_numpy
from infer.dialects.infer.constant import ConstantOp
from infer.dialects.infer.epilogue import Epilogue
from infer.dialects.infer.matmul import GemmOp, MatmulOp
from infer.dialects.infer.nn import AvgPoolOp, ConvOp, MaxPoolOp
from infer.lowering.select_kernels import KERNEL_ATTR, SelectKernelsPass
from infer.registry import load_context
from infer.runtime.c.build import build, lower_to_loop_level
from infer.runtime.c.loader import CModel
from infer.runtime.interpreter import Interpreter

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "conv_bn_relu.onnx"
f32 = np.float32


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("cache"))


# -- one module of many variants ------------------------------------------------------------------


@dataclass
class Variant:
    """One op on its own arguments: `make(args, constant)` builds it, `constant(array)`
    adding an `infer.constant`; `kernel` is what select-kernels must mark it with."""

    kernel: str
    make: Callable[[list[SSAValue], Callable[[np.ndarray], SSAValue]], Operation]
    inputs: list[np.ndarray]
    dims: list[Sequence[int | None] | None] = field(default_factory=list)


def _module(variants: Sequence[Variant]) -> tuple[ModuleOp, list[np.ndarray]]:
    types = []
    arrays = []
    for v in variants:
        dims = [*v.dims, *[None] * (len(v.inputs) - len(v.dims))]
        for array, d in zip(v.inputs, dims, strict=True):
            shape = array.shape if d is None else [DYNAMIC_INDEX if s is None else s for s in d]
            types.append(TensorType(from_numpy(array.dtype), shape))
            arrays.append(array)
    block = Block(arg_types=types)
    args = iter(block.args)
    results: list[SSAValue] = []

    def constant(array: np.ndarray) -> SSAValue:
        op = ConstantOp(np.ascontiguousarray(array))
        block.add_op(op)
        return op.result

    for v in variants:
        op = v.make([next(args) for _ in v.inputs], constant)
        block.add_op(op)
        results.append(op.results[0])
    block.add_op(func.ReturnOp(*results))
    function = func.FuncOp("main_graph", (types, [r.type for r in results]), Region(block))
    module = ModuleOp([function])
    module.verify()
    return module, arrays


def _normal(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(f32)


def conv(
    rng: np.random.Generator,
    x: Sequence[int],
    w: Sequence[int],
    *,
    strides: Sequence[int] = (1, 1),
    dilations: Sequence[int] = (1, 1),
    pads: Sequence[int] = (0, 0, 0, 0),
    groups: int = 1,
    bias: bool = True,
    residual: bool = False,
    epilogue: Epilogue | None = None,
    dynamic: Sequence[int] = (),
) -> Variant:
    """A conv of input `x` and weight `w` (a constant, unless depthwise: then an argument)."""
    out = [(x[2 + i] + pads[i] + pads[2 + i] - dilations[i] * (w[2 + i] - 1) - 1) // strides[i] + 1 for i in range(2)]
    depthwise = groups > 1 and w[1] == 1
    weight = _normal(rng, *w) / np.sqrt(w[1] * w[2] * w[3])
    b = _normal(rng, w[0])
    inputs = [_normal(rng, *x)]
    dims: list[Sequence[int | None] | None] = [[None if i in dynamic else d for i, d in enumerate(x)]]
    if depthwise:
        inputs.append(weight.astype(f32))
        dims.append(None)
    if residual:
        inputs.append(_normal(rng, x[0], w[0], *out))
        dims.append([None if i in dynamic else d for i, d in enumerate([x[0], w[0], *out])])

    def make(args: list[SSAValue], constant: Callable[[np.ndarray], SSAValue]) -> Operation:
        it = iter(args)
        data = next(it)
        kernel = next(it) if depthwise else constant(weight.astype(f32))
        return ConvOp(
            data,
            kernel,
            constant(b) if bias else None,
            strides=strides,
            dilations=dilations,
            pads=pads,
            groups=groups,
            epilogue=epilogue,
            residual=next(it) if residual else None,
        )

    return Variant("depthwise_conv2d_f32" if depthwise else "conv2d_f32", make, inputs, dims)


EPILOGUES = [
    Epilogue("relu"),
    Epilogue("clip", (-0.5, 0.5)),
    Epilogue("leaky_relu", (0.1,)),
    Epilogue("sigmoid"),
    Epilogue("hard_sigmoid", (0.2, 0.5)),
    Epilogue("hard_swish"),
    Epilogue("silu"),
    Epilogue("tanh"),
    Epilogue("gelu"),
    Epilogue("gelu_tanh"),
]


def conv_variants(rng: np.random.Generator) -> list[Variant]:
    return [
        conv(rng, (1, 3, 17, 15), (16, 3, 3, 3), pads=(1, 1, 1, 1), epilogue=Epilogue("relu")),
        conv(rng, (2, 8, 12, 13), (12, 8, 3, 3), strides=(2, 2), pads=(1, 0, 1, 2)),
        conv(rng, (1, 4, 14, 14), (8, 4, 3, 3), dilations=(2, 3), pads=(2, 3, 2, 3), bias=False),
        conv(rng, (1, 8, 10, 10), (8, 4, 3, 3), groups=2, pads=(1, 1, 1, 1), residual=True),
        conv(rng, (1, 32, 7, 9), (40, 32, 1, 1), residual=True, epilogue=Epilogue("relu")),
        conv(rng, (1, 3, 23, 23), (8, 3, 7, 7), strides=(2, 2), pads=(3, 3, 3, 3)),
        conv(rng, (1, 16, 6, 6), (24, 16, 1, 1), strides=(2, 2)),
        conv(rng, (1, 2, 3, 3), (4, 2, 5, 5), pads=(2, 2, 2, 2)),
        # depthwise: multipliers 1 and 2, strides, a residual and an activation
        conv(rng, (1, 8, 11, 10), (8, 1, 3, 3), groups=8, pads=(1, 1, 1, 1), epilogue=Epilogue("clip", (0.0, 6.0))),
        conv(rng, (2, 4, 9, 9), (8, 1, 5, 5), groups=4, strides=(2, 2), pads=(2, 2, 2, 2), residual=True),
        conv(rng, (1, 6, 8, 7), (6, 1, 3, 3), groups=6, strides=(1, 2), dilations=(2, 1), pads=(2, 0, 2, 1)),
        *[
            conv(rng, (1, 4, 6, 5), (6, 4, 3, 3), pads=(1, 1, 1, 1), residual=i % 2 == 0, epilogue=e)
            for i, e in enumerate(EPILOGUES)
        ],
    ]


def gemm(
    rng: np.random.Generator,
    m: int,
    k: int,
    n: int,
    *,
    packed: bool,
    trans_a: bool = False,
    trans_b: bool = False,
    c: str | None = None,
    residual: bool = False,
    epilogue: Epilogue | None = None,
) -> Variant:
    """A gemm; `c` is None, "bias" ([1, N]) or "matrix" ([M, N], an argument)."""
    a = _normal(rng, *((k, m) if trans_a else (m, k)))
    b = _normal(rng, *((n, k) if trans_b else (k, n)))
    inputs = [a] + ([] if packed else [b])
    dims: list[Sequence[int | None] | None] = [[k, None] if trans_a else [None, k]] + ([] if packed else [None])
    if c == "matrix":
        inputs.append(_normal(rng, m, n))
        dims.append([None, n])
    if residual:
        inputs.append(_normal(rng, m, n))
        dims.append([None, n])
    bias = _normal(rng, 1, n)

    def make(args: list[SSAValue], constant: Callable[[np.ndarray], SSAValue]) -> Operation:
        it = iter(args)
        lhs = next(it)
        rhs = constant(b) if packed else next(it)
        c_value = constant(bias) if c == "bias" else next(it) if c == "matrix" else None
        return GemmOp(
            lhs,
            rhs,
            c_value,
            trans_a=trans_a,
            trans_b=trans_b,
            epilogue=epilogue,
            residual=next(it) if residual else None,
        )

    return Variant("gemm_packed_f32" if packed else "gemm_f32", make, inputs, dims)


def matmul(
    rng: np.random.Generator, a: Sequence[int], b: Sequence[int], *, packed: bool, dynamic: bool = False
) -> Variant:
    """A matmul; with `dynamic`, the lhs's first dim is `?`."""
    lhs, rhs = _normal(rng, *a), _normal(rng, *b)
    inputs = [lhs] + ([] if packed else [rhs])
    dims: list[Sequence[int | None] | None] = [[None if i == 0 and dynamic else d for i, d in enumerate(a)]]

    def make(args: list[SSAValue], constant: Callable[[np.ndarray], SSAValue]) -> Operation:
        return MatmulOp(args[0], constant(rhs) if packed else args[1])

    return Variant("gemm_packed_f32" if packed else "gemm_f32", make, inputs, dims)


def gemm_variants(rng: np.random.Generator) -> list[Variant]:
    return [
        gemm(rng, 5, 64, 40, packed=True, trans_b=True, c="bias", epilogue=Epilogue("relu")),
        gemm(rng, 33, 17, 29, packed=True),
        gemm(rng, 1, 300, 100, packed=True, trans_b=True, c="bias"),
        gemm(rng, 7, 20, 12, packed=False, trans_a=True, c="matrix"),
        gemm(rng, 9, 31, 18, packed=False, trans_b=True, residual=True, epilogue=Epilogue("tanh")),
        gemm(rng, 4, 16, 16, packed=True, c="bias", residual=True, epilogue=Epilogue("gelu")),
        matmul(rng, (20, 30), (30, 10), packed=True, dynamic=True),
        matmul(rng, (3, 7, 16), (1, 16, 9), packed=True, dynamic=True),
        matmul(rng, (2, 3, 5, 8), (2, 3, 8, 6), packed=False),
        matmul(rng, (1, 5, 8), (4, 8, 6), packed=False),
    ]


def pool(
    rng: np.random.Generator,
    kind: str,
    x: Sequence[int],
    kernel: Sequence[int],
    *,
    strides: Sequence[int] = (1, 1),
    dilations: Sequence[int] = (1, 1),
    pads: Sequence[int] = (0, 0, 0, 0),
    ceil_mode: bool = False,
    count_include_pad: bool = False,
) -> Variant:
    window = {"kernel": kernel, "strides": strides, "dilations": dilations, "pads": pads, "ceil_mode": ceil_mode}

    def make(args: list[SSAValue], constant: Callable[[np.ndarray], SSAValue]) -> Operation:
        if kind == "max":
            return MaxPoolOp(args[0], **window)  # type: ignore[arg-type]
        return AvgPoolOp(args[0], count_include_pad=count_include_pad, **window)  # type: ignore[arg-type]

    return Variant(f"{kind}_pool2d_f32", make, [_normal(rng, *x)], [[None, *x[1:]]])


def pool_variants(rng: np.random.Generator) -> list[Variant]:
    return [
        pool(rng, "max", (1, 8, 17, 17), (3, 3), strides=(2, 2), pads=(1, 1, 1, 1)),
        pool(rng, "max", (2, 3, 10, 11), (2, 3), strides=(2, 2), ceil_mode=True),
        pool(rng, "max", (1, 4, 9, 9), (2, 2), dilations=(2, 2), pads=(1, 0, 1, 1)),
        pool(rng, "avg", (1, 8, 7, 7), (7, 7)),
        pool(rng, "avg", (1, 4, 9, 8), (3, 3), strides=(2, 2), pads=(1, 1, 1, 1), count_include_pad=True),
        pool(rng, "avg", (1, 4, 9, 8), (3, 3), strides=(2, 2), pads=(1, 1, 0, 0), ceil_mode=True),
        pool(
            rng, "avg", (2, 3, 6, 7), (3, 2), strides=(1, 2), pads=(0, 1, 2, 0), ceil_mode=True, count_include_pad=True
        ),
    ]


def _marked(module: ModuleOp) -> list[str | None]:
    found = []
    for op in module.walk():
        if isinstance(op, ConvOp | GemmOp | MatmulOp | MaxPoolOp | AvgPoolOp):
            mark = op.attributes.get(KERNEL_ATTR)
            found.append(mark.data if mark is not None else None)  # type: ignore[attr-defined]
    return found


def _assert_close(actual: Sequence[np.ndarray], expected: Sequence[np.ndarray], labels: Sequence[str]) -> None:
    assert len(actual) == len(expected)
    for a, e, label in zip(actual, expected, labels, strict=True):
        assert a.shape == e.shape and a.dtype == e.dtype, f"{label}: {a.dtype}{a.shape} != {e.dtype}{e.shape}"
        scale = max(1.0, float(np.abs(e).max()))
        np.testing.assert_allclose(a, e, rtol=1e-4, atol=2e-5 * scale, err_msg=label)


def _check(variants: list[Variant], cache: str, feeds: Sequence[list[np.ndarray]] | None = None) -> None:
    module, arrays = _module(variants)
    marked = module.clone()
    SelectKernelsPass().apply(load_context(), marked)
    assert _marked(marked) == [v.kernel for v in variants]
    built = build(lower_to_loop_level(marked, optimize=False, kernels=False), cache_dir=cache)
    text = (built.directory / "model.c").read_text()
    for kernel in {v.kernel for v in variants}:
        assert f"infer_{kernel}(ctx, " in text
    labels = [f"{i}: {v.kernel}" for i, v in enumerate(variants)]
    for feed in [arrays, *(feeds or [])]:
        expected = list(Interpreter(module).run(feed).values())
        for threads in (1, 2):
            with CModel(built.library, built.weights, threads) as model:
                named = [f"{label}, {threads} threads" for label in labels]
                _assert_close(list(model.run(feed).values()), expected, named)


def test_convolutions(cache: str) -> None:
    _check(conv_variants(np.random.default_rng(0)), cache)


def test_gemms_and_matmuls(cache: str) -> None:
    _check(gemm_variants(np.random.default_rng(1)), cache)


def test_pooling(cache: str) -> None:
    _check(pool_variants(np.random.default_rng(2)), cache)


def test_dynamic_dims_take_any_size(cache: str) -> None:
    """Batch, height and width dynamic: one library runs several sizes."""
    rng = np.random.default_rng(3)
    variants = [
        conv(rng, (2, 6, 9, 8), (10, 6, 3, 3), pads=(1, 1, 1, 1), residual=True, dynamic=(0, 2, 3)),
        conv(rng, (2, 6, 9, 8), (12, 1, 3, 3), groups=6, strides=(2, 2), pads=(1, 1, 1, 1), dynamic=(0, 2, 3)),
    ]
    module, arrays = _module(variants)
    SelectKernelsPass().apply(load_context(), module)
    assert _marked(module) == ["conv2d_f32", "depthwise_conv2d_f32"]
    w = arrays[3]
    feeds = []
    for n, h, wd in [(1, 5, 7), (3, 12, 4), (1, 1, 1)]:
        r_h, r_w = h, wd
        feeds.append([_normal(rng, n, 6, h, wd), _normal(rng, n, 10, r_h, r_w), _normal(rng, n, 6, h, wd), w])
    _check(variants, cache, feeds)


def test_no_kernels_lowers_to_loops(cache: str) -> None:
    module, _ = _module(conv_variants(np.random.default_rng(0))[:2] + pool_variants(np.random.default_rng(0))[:1])
    loops = build(lower_to_loop_level(module.clone(), optimize=False, kernels=False), cache_dir=cache)
    kernels = build(lower_to_loop_level(module.clone(), optimize=False), cache_dir=cache)
    assert "infer_conv2d_f32" not in (loops.directory / "model.c").read_text()
    assert "infer_conv2d_f32" in (kernels.directory / "model.c").read_text()
    assert "infer_max_pool2d_f32" in (kernels.directory / "model.c").read_text()


def test_intermediates_of_kernel_calls_share_the_arena(cache: str) -> None:
    """conv -> pool -> conv: the buffers the kernels write are planned (none on the heap)."""
    rng = np.random.default_rng(4)
    w1, w2 = _normal(rng, 8, 4, 3, 3), _normal(rng, 8, 8, 1, 1)
    ir = f"""
    func.func @main_graph(%x: tensor<?x4x16x16xf32>) -> tensor<?x8x8x8xf32> {{
      %w1 = infer.constant dense<{w1.tolist()}> : tensor<8x4x3x3xf32>
      %w2 = infer.constant dense<{w2.tolist()}> : tensor<8x8x1x1xf32>
      %a = infer.conv %x, %w1 {{strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
             activation = "relu"}} : (tensor<?x4x16x16xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x16x16xf32>
      %p = infer.max_pool %a {{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
             pads = array<i64: 0, 0, 0, 0>}} : (tensor<?x8x16x16xf32>) -> tensor<?x8x8x8xf32>
      %b = infer.conv %p, %w2 residual %p {{strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
             pads = array<i64: 0, 0, 0, 0>}} : (tensor<?x8x8x8xf32>, tensor<8x8x1x1xf32>) -> tensor<?x8x8x8xf32>
      func.return %b : tensor<?x8x8x8xf32>
    }}"""
    module = infer.parse_ir(ir)
    built = build(lower_to_loop_level(module.clone(), optimize=False), cache_dir=cache)
    text = (built.directory / "model.c").read_text()
    assert text.count("infer_conv2d_f32(ctx, ") == 2 and "infer_rt_alloc" not in text
    x = _normal(rng, 2, 4, 16, 16)
    (expected,) = Interpreter(module).run([x]).values()
    with CModel(built.library, built.weights, 1) as model:
        (actual,) = model.run([x]).values()
        arena, intermediates = model.memory()
    _assert_close([actual], [expected], ["chain"])
    assert arena == intermediates == 2 * 8 * 16 * 16 * 4 + 2 * 8 * 8 * 8 * 4


# -- models ------------------------------------------------------------------------------------------

FAST = ["squeezenet", "shufflenet", "resnet50"]
SLOW = ["inception_v1", "inception_v2", "densenet121", "bvlc_alexnet", "vgg19", "zfnet512"]


def _light_with_random_weights(name: str, cache: str) -> None:
    model = without_softmax(with_random_weights(load(name), seed=0))
    feeds = {k: np.random.default_rng(1).random(v.shape, f32) for k, v in inputs(model).items()}
    (expected,) = run_onnxruntime(model, feeds)
    compiled = infer.compile(model, target="c", cache_dir=cache)
    assert "infer_conv2d_f32(ctx, " in (compiled.build.directory / "model.c").read_text()
    scale = float(np.abs(expected).max())
    for threads in (1, 2):
        (actual,) = infer.compile(model, target="c", cache_dir=cache, threads=threads).run(feeds).values()
        assert actual.shape == expected.shape
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4 * scale, err_msg=f"{threads} threads")


@pytest.mark.parametrize("name", FAST)
def test_light_model_with_random_weights_matches_onnxruntime(name: str, cache: str) -> None:
    _light_with_random_weights(name, cache)


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_light_model_with_random_weights_matches_onnxruntime_slow(name: str, cache: str) -> None:
    _light_with_random_weights(name, cache)


@pytest.mark.parametrize("name", ["squeezenet", "resnet50"])
def test_light_model_matches_expected_output(name: str, cache: str) -> None:
    """The models' own weights are fills (splats): expanded, then packed at create."""
    model = load(name)
    (actual,) = infer.compile(model, target="c", cache_dir=cache).run(inputs(model)).values()
    np.testing.assert_allclose(actual, expected_output(name), rtol=1e-3, atol=1e-7)


def test_example_with_kernels(cache: str) -> None:
    model = infer.compile(str(EXAMPLE), target="c", cache_dir=cache, threads=2)
    text = (model.build.directory / "model.c").read_text()
    assert "infer_conv2d_f32(ctx, " in text
    x = np.random.default_rng(5).standard_normal((2, 3, 32, 24)).astype(f32)
    (expected,) = infer.compile(str(EXAMPLE)).run({"data": x}).values()
    (actual,) = model.run({"data": x}).values()
    _assert_close([actual], [expected], ["example"])


def test_generated_code_with_kernel_calls_is_warning_free(tmp_path: Path) -> None:
    import subprocess

    module, _ = _module(conv_variants(np.random.default_rng(0))[:4] + gemm_variants(np.random.default_rng(1))[:2])
    built = build(lower_to_loop_level(module, optimize=False), cache_dir=tmp_path / "cache", out_dir=tmp_path / "out")
    flags = ["-std=c99", "-Wall", "-Wextra", "-Wno-unused-parameter", "-pedantic", "-Werror", "-fsyntax-only"]
    for unit in built.units:
        proc = subprocess.run(["gcc", *flags, unit], cwd=built.directory, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr


SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-g"]

SANITIZED = """
func.func @main_graph(%x: tensor<?x4x9x9xf32> {infer.name = "x"}, %h: tensor<?x16xf32> {infer.name = "h"})
    -> (tensor<?x8x3x3xf32> {infer.name = "y"}, tensor<?x8xf32> {infer.name = "g"}) {
  %w = infer.constant dense<W> : tensor<8x4x3x3xf32>
  %d = infer.constant dense<D> : tensor<8x1x3x3xf32>
  %f = infer.constant dense<F> : tensor<8x16xf32>
  %b = infer.constant dense<B> : tensor<1x8xf32>
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
         activation = "relu"} : (tensor<?x4x9x9xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x9x9xf32>
  %e = infer.conv %c, %d residual %c {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
         pads = array<i64: 1, 1, 1, 1>, groups = 8 : i64} : (tensor<?x8x9x9xf32>, tensor<8x1x3x3xf32>)
         -> tensor<?x8x9x9xf32>
  %m = infer.max_pool %e {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
         pads = array<i64: 0, 0, 0, 0>, ceil_mode} : (tensor<?x8x9x9xf32>) -> tensor<?x8x4x4xf32>
  %y = infer.avg_pool %m {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
         pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x4x4xf32>) -> tensor<?x8x3x3xf32>
  %g = infer.gemm %h, %f, %b {trans_b, activation = "sigmoid"} : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<1x8xf32>)
         -> tensor<?x8xf32>
  func.return %y, %g : tensor<?x8x3x3xf32>, tensor<?x8xf32>
}
"""


@pytest.mark.skipif(os.uname().machine not in ("x86_64", "aarch64"), reason="sanitizers not expected here")
def test_kernel_calls_under_sanitizers(tmp_path: Path) -> None:
    """Kernel calls, prepacking and planned kernel outputs under ASan and UBSan (the kernel
    library built with the same flags), through the C program of tests/runtime/c/client.c."""
    import shutil
    import subprocess

    rng = np.random.default_rng(6)
    ir = SANITIZED
    for name, shape in {"W": (8, 4, 3, 3), "D": (8, 1, 3, 3), "F": (8, 16), "B": (1, 8)}.items():
        ir = ir.replace(f"dense<{name}>", f"dense<{(rng.standard_normal(shape) * 0.1).astype(f32).tolist()}>")
    module = infer.parse_ir(ir)
    lowered = lower_to_loop_level(module.clone(), optimize=False)
    result = build(lowered, cache_dir=tmp_path / "cache", out_dir=tmp_path / "model", opt_flags=["-O1"],
                   extra_flags=SANITIZE)  # fmt: skip
    text = (result.directory / "model.c").read_text()
    assert all(f"infer_{k}(ctx, " in text for k in ("conv2d_f32", "depthwise_conv2d_f32", "max_pool2d_f32"))
    exe = tmp_path / "client"
    compiler = "gcc" if shutil.which("gcc") else "cc"
    subprocess.run(
        [compiler, "-std=c99", *SANITIZE, str(Path(__file__).parent / "client.c"), f"-I{result.directory}",
         f"-L{result.directory}", "-lmodel", f"-Wl,-rpath,{result.directory}", "-o", str(exe)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0", UBSAN_OPTIONS="print_stacktrace=1")
    proc = subprocess.run([str(exe), str(result.directory), "3", "2"], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "runtime error" not in proc.stderr and "AddressSanitizer" not in proc.stderr, proc.stderr
    # The client's inputs at N = 2 (its second run, printed last): element k of input i is i + 0.25 k - 1.
    feeds = [
        (i + 0.25 * np.arange(int(np.prod(s)), dtype=f32) - 1).astype(f32).reshape(s)
        for i, s in enumerate([(2, 4, 9, 9), (2, 16)])
    ]
    expected = Interpreter(module).run(feeds)
    printed: dict[str, np.ndarray] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("output "):
            name, rest = line[len("output ") :].split(" dims", 1)
            dims, values = rest.split(" values")
            printed[name] = np.array(values.split(), dtype=f32).reshape([int(d) for d in dims.split()])
    _assert_close([printed["y"], printed["g"]], [expected["y"], expected["g"]], ["y", "g"])
