"""The lowering to loops, compiled to C: each family in one module (one compilation),
run on several inputs, against the reference interpreter."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from loop_level import Program, assert_c_matches, mlir_type

pytestmark = pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None, reason="no C compiler")

SPECIAL = np.array([-2.5, -1.0, -0.5, -0.0, 0.0, 0.3, 0.5, 1.0, 1.5, 2.5, 7.0, np.inf, -np.inf, np.nan])

FLOAT_UNARY = [
    "neg", "abs", "sign", "relu", "exp", "log", "sqrt", "reciprocal", "tanh", "sigmoid", "erf", "floor",
    "ceil", "round", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
    "identity",
]  # fmt: skip


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("c_cache"))


def _ints(dtype: type) -> np.ndarray:
    info = np.iinfo(dtype)
    values = [0, 1, 2, 3, 7, 100, int(info.max), int(info.min), int(info.min) + 1, -1, -2, -7, -100]
    return np.array([v for v in values if info.min <= v <= info.max], dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_float_unary(dtype: type, cache: str) -> None:
    p = Program()
    x = p.arg(SPECIAL.astype(dtype), dims=[None])
    for op in FLOAT_UNARY:
        p.result(p.op(op, [x]))
    i1 = "tensor<?xi1>"
    p.result(p.op("is_nan", [x], i1), p.op("is_inf", [x], i1), p.op("is_inf", [x], i1, "{detect_negative = false}"))
    rtol = {np.float32: 2e-6, np.float64: 1e-14, np.float16: 1e-3}[dtype]
    assert_c_matches(p.text(), [[SPECIAL.astype(dtype)], [SPECIAL[3:7].astype(dtype)]], cache, rtol=rtol)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint8, np.uint32])
def test_integer_ops(dtype: type, cache: str) -> None:
    values = _ints(dtype)
    a, b = np.repeat(values, len(values)), np.tile(values, len(values))
    p = Program()
    x, y = p.arg(a), p.arg(b)
    for op in ["neg", "abs", "sign", "relu"]:
        p.result(p.op(op, [x]))
    for op in ["add", "sub", "mul", "div", "max", "min"]:
        p.result(p.op(op, [x, y]))
    p.result(p.op("mod", [x, y]), p.op("mod", [x, y], attrs="{fmod}"))
    small = p.op("clip", [y], attrs="{min = -3 : i64, max = 9 : i64}")
    p.result(small, p.op("pow", [x, small]))
    i1 = mlir_type(np.zeros(a.shape, np.bool_))
    for op in ["equal", "less", "less_equal", "greater", "greater_equal"]:
        p.result(p.op(op, [x, y], i1))
    assert_c_matches(p.text(), [[a, b]], cache)


def test_float_binary_broadcast_dynamic(cache: str, rng: np.random.Generator) -> None:
    p = Program()
    a = p.arg(np.zeros((3, 1, 4), np.float32), dims=[None, 1, 4])
    b = p.arg(np.zeros((1, 2, 4), np.float32))
    r = "tensor<?x2x4xf32>"
    for op in ["add", "sub", "mul", "div", "max", "min", "pow"]:
        p.result(p.op(op, [a, b], r))
    p.result(p.op("mod", [a, b], r), p.op("mod", [a, b], r, "{fmod}"))
    i1 = "tensor<?x2x4xi1>"
    less = p.op("less", [a, b], i1)
    p.result(less, p.op("select", [less, a, b], r), p.op("equal", [a, b], i1))
    p.result(p.op("clip", [a], attrs="{min = -0.5 : f64, max = 0.5 : f64}"))
    x = (rng.standard_normal((3, 1, 4)) * 3).astype(np.float32)
    y = np.abs(rng.standard_normal((1, 2, 4))).astype(np.float32) + 0.5
    y[0, 0, :2] = [np.inf, -0.0]
    x[0, 0, 0] = np.nan
    assert_c_matches(p.text(), [[x, y], [x[:1], y]], cache, rtol=2e-6)


def test_logical_and_special_binary(cache: str) -> None:
    p = Program()
    a = p.arg(np.zeros((1, 2), np.bool_))
    b = p.arg(np.zeros((2, 1), np.bool_))
    r = "tensor<2x2xi1>"
    for op in ["and", "or", "xor", "max", "min", "equal", "less"]:
        p.result(p.op(op, [a, b], r))
    p.result(p.op("not", [a]))
    f = np.repeat(SPECIAL, len(SPECIAL)).astype(np.float32)
    g = np.tile(SPECIAL, len(SPECIAL)).astype(np.float32)
    x, y = p.arg(f), p.arg(g)
    for op in ["add", "sub", "mul", "div", "max", "min"]:
        p.result(p.op(op, [x, y]))
    p.result(p.op("mod", [x, y], attrs="{fmod}"))
    runs = [[np.array([[False, True]]), np.array([[False], [True]]), f, g]]
    assert_c_matches(p.text(), runs, cache)


CAST_TYPES = [np.float32, np.float16, np.float64, np.int8, np.int32, np.int64, np.uint8, np.uint16, np.bool_]


@pytest.mark.parametrize("source", CAST_TYPES)
def test_casts(source: type, cache: str) -> None:
    values = np.array([0, 1, 2, 3, 7, 100, 0, 1], np.float64)
    if np.dtype(source).kind == "f":
        values = np.concatenate([values + [0.0, 0.25, 0.5, 0.75, -0.0, 0.9, 0.0, 0.0], -values])
    x = values.astype(source)
    p = Program()
    v = p.arg(x)
    for target in CAST_TYPES:
        unsigned_target = np.dtype(target).kind == "u"
        operand = p.op("abs", [v]) if unsigned_target and np.dtype(source).kind in "if" else v
        p.result(p.op("cast", [operand], mlir_type(np.zeros(x.shape, target))))
    assert_c_matches(p.text(), [[x]], cache)


def test_cast_saturation_matches_the_interpreter(cache: str) -> None:
    from loop_level import lower_to_loops

    import infer
    from infer.runtime.xdsl_interp import run_loops

    x = np.array([1e10, -1e10, np.nan, np.inf, -np.inf, 300.7, -300.7, -1.5, 127.9, -128.9], np.float32)
    p = Program()
    v = p.arg(x)
    targets = [np.int8, np.uint8, np.int32, np.int64, np.uint64]
    for target in targets:
        p.result(p.op("cast", [v], mlir_type(np.zeros(x.shape, target))))
    from infer.runtime.c.build import build
    from infer.runtime.c.loader import CModel

    lowered = lower_to_loops(infer.parse_ir(p.text()))
    result = build(lowered, cache_dir=cache)
    with CModel(result.library, result.weights) as model:
        c_outputs = list(model.run([x]).values())
    for c, interpreted, target in zip(c_outputs, run_loops(lowered, [x]), targets, strict=True):
        assert c.dtype == target
        np.testing.assert_array_equal(c, interpreted)
    assert c_outputs[0].tolist() == [127, -128, 0, 127, -128, 127, -128, -1, 127, -128]


def test_matmul_family(cache: str, rng: np.random.Generator) -> None:
    p = Program()
    a = p.arg(np.zeros((3, 4), np.float32), dims=[None, 4])
    b = p.arg(np.zeros((4, 5), np.float32))
    p.result(p.op("matmul", [a, b], "tensor<?x5xf32>"))
    c = p.arg(np.zeros((2, 1, 3, 4), np.float32), dims=[None, 1, 3, 4])
    d = p.arg(np.zeros((1, 2, 4, 2), np.float32))
    p.result(p.op("matmul", [c, d], "tensor<?x2x3x2xf32>"))
    e = p.arg(np.zeros((2, 8), np.float16))
    f = p.arg(np.zeros((8, 3), np.float16))
    p.result(p.op("matmul", [e, f], "tensor<2x3xf16>"))
    g = p.arg(np.zeros((3, 4), np.int8))
    h = p.arg(np.zeros((4, 2), np.int8))
    p.result(p.op("matmul", [g, h], "tensor<3x2xi8>"))
    bias = p.arg(np.zeros((1, 5), np.float32))
    p.result(p.op("gemm", [a, b, bias], "tensor<?x5xf32>", '{alpha = 5.000000e-01 : f64, activation = "gelu"}'))
    inputs = [
        rng.standard_normal((3, 4)).astype(np.float32),
        rng.standard_normal((4, 5)).astype(np.float32),
        rng.standard_normal((2, 1, 3, 4)).astype(np.float32),
        rng.standard_normal((1, 2, 4, 2)).astype(np.float32),
        rng.standard_normal((2, 8)).astype(np.float16),
        rng.standard_normal((8, 3)).astype(np.float16),
        rng.integers(-100, 100, (3, 4)).astype(np.int8),
        rng.integers(-100, 100, (4, 2)).astype(np.int8),
        rng.standard_normal((1, 5)).astype(np.float32),
    ]
    smaller = [inputs[0][:1], inputs[1], inputs[2][:1], *inputs[3:]]
    assert_c_matches(p.text(), [inputs, smaller], cache, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.int32, np.uint8])
def test_reductions(dtype: type, cache: str, rng: np.random.Generator) -> None:
    floats = np.dtype(dtype).kind == "f"
    p = Program()
    x = p.arg(np.zeros((2, 3, 4), dtype), dims=[None, 3, 4])
    element = str(mlir_type(np.zeros((), dtype)))[7:-1]
    for op in ["reduce_sum", "reduce_mean", "reduce_prod", "reduce_max", "reduce_min"]:
        p.result(p.op(op, [x], f"tensor<?x1x4x{element}>", "{axes = array<i64: 1>, keepdims}"))
        p.result(p.op(op, [x], f"tensor<{element}>", "{axes = array<i64: 0, 1, 2>}"))
        p.result(p.op(op, [x], f"tensor<?x{element}>", "{axes = array<i64: 1, 2>}"))
    for op in ["arg_max", "arg_min"]:
        p.result(p.op(op, [x], "tensor<?x4xi64>", "{axis = 1 : i64}"))
        p.result(p.op(op, [x], "tensor<?x3x1xi64>", "{axis = 2 : i64, keepdims, select_last_index}"))
    if floats:
        p.result(p.op("hardmax", [x], attrs="{axes = array<i64: 1, 2>}"))
        p.result(p.op("softmax", [x], attrs="{axes = array<i64: 2>}"))
    if floats:
        data = (rng.integers(-3, 3, (2, 3, 4)) * (1.0 if dtype == np.float32 else 0.5)).astype(dtype)
        data[1, 1, 1] = np.nan
    else:
        data = rng.integers(0, 4, (2, 3, 4)).astype(dtype)
    assert_c_matches(p.text(), [[data], [data[:1]]], cache, rtol=2e-3 if dtype == np.float16 else 1e-6)


def test_constants_fill_and_calls(cache: str, rng: np.random.Generator) -> None:
    text = """
func.func private @scale(%v: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %two = infer.constant splat<2.0> : tensor<1x1xf32>
  %w = infer.mul %v, %two : (tensor<?x3xf32>, tensor<1x1xf32>) -> tensor<?x3xf32>
  func.return %w : tensor<?x3xf32>
}
func.func @main_graph(%x: tensor<?x3xf32>, %s: tensor<2xi64>)
    -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<2x3xf32>, tensor<3x3xf32>, tensor<?x?xi32>, tensor<2x3xf32>) {
  %w = infer.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]> : tensor<3x3xf32> loc("w")
  %b = infer.constant splat<0.5> : tensor<3x3xf32> loc("b")
  %h = infer.constant splat<-1.5> : tensor<2x3xf32> loc("h")
  %y = func.call @scale(%x) : (tensor<?x3xf32>) -> tensor<?x3xf32>
  %m = infer.matmul %y, %w : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32>
  %k = infer.matmul %w, %b : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
  %f = infer.fill %s {value = 7 : i32} : (tensor<2xi64>) -> tensor<?x?xi32>
  func.return %m, %y, %h, %k, %f, %h : tensor<?x3xf32>, tensor<?x3xf32>, tensor<2x3xf32>, tensor<3x3xf32>,
      tensor<?x?xi32>, tensor<2x3xf32>
}"""
    x = rng.standard_normal((4, 3)).astype(np.float32)
    runs = [[x, np.array([2, 5], np.int64)], [x[:1], np.array([0, 3], np.int64)]]
    assert_c_matches(text, runs, cache, rtol=1e-6)


def test_run_time_broadcasting(cache: str, rng: np.random.Generator) -> None:
    p = Program()
    a = p.arg(np.zeros((3, 4), np.float32), dims=[None, None])
    b = p.arg(np.zeros((3, 4), np.float32), dims=[None, 4])
    p.result(p.op("add", [a, b], "tensor<?x4xf32>"), p.op("greater", [a, b], "tensor<?x4xi1>"))
    x = rng.standard_normal((3, 4)).astype(np.float32)
    y = rng.standard_normal((3, 4)).astype(np.float32)
    runs = [[x, y], [x[:1], y], [x, y[:1]], [x[:, :1], y], [x[:1, :1], y[:1]]]
    assert_c_matches(p.text(), runs, cache)


def test_onnx_model_end_to_end(cache: str, rng: np.random.Generator) -> None:
    """An ONNX MLP (matmul, add, relu, softmax, argmax, mean) at -O2 through C, against onnxruntime."""
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    import infer
    from infer.runtime.c.build import build, lower_to_loop_level
    from infer.runtime.c.loader import CModel

    weights = {
        "w1": rng.standard_normal((8, 16)).astype(np.float32),
        "b1": rng.standard_normal(16).astype(np.float32),
        "w2": rng.standard_normal((16, 4)).astype(np.float32),
        "b2": rng.standard_normal(4).astype(np.float32),
    }
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["h"], name="mm1"),
        helper.make_node("Add", ["h", "b1"], ["h1"], name="add1"),
        helper.make_node("Relu", ["h1"], ["r"], name="relu"),
        helper.make_node("MatMul", ["r", "w2"], ["o"], name="mm2"),
        helper.make_node("Add", ["o", "b2"], ["o1"], name="add2"),
        helper.make_node("Softmax", ["o1"], ["p"], name="softmax", axis=-1),
        helper.make_node("ArgMax", ["p"], ["c"], name="argmax", axis=1, keepdims=0),
        helper.make_node("ReduceMean", ["r"], ["m"], name="mean", axes=[1], keepdims=1),
    ]
    outputs = [helper.make_tensor_value_info(n, t, None) for n, t in [("p", 1), ("c", 7), ("m", 1)]]
    graph = helper.make_graph(
        nodes,
        "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 8])],
        outputs,
        [numpy_helper.from_array(v, k) for k, v in weights.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    session = ort.InferenceSession(model.SerializeToString())
    module = infer.load(model)
    lower_to_loop_level(module, 2)
    result = build(module, cache_dir=cache)
    with CModel(result.library, result.weights) as compiled:
        for n in (5, 1):
            x = rng.standard_normal((n, 8)).astype(np.float32)
            expected = session.run(None, {"x": x})
            actual = list(compiled.run({"x": x}).values())
            for a, e in zip(actual, expected, strict=True):
                assert a.dtype == e.dtype and a.shape == e.shape
                np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-6)
