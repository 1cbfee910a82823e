"""MatMul and Gemm through convert-onnx-to-infer, against onnxruntime (or onnx's
reference evaluator for versions onnxruntime lacks); gemm's decomposition."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, parse
from onnx.reference import ReferenceEvaluator
from onnx_models import assert_matches_onnxruntime, node_model, run_infer

import infer
from infer.transforms.decompose_composites import DecomposeCompositesPass


def _f32(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


def _assert_matches_reference(model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> None:
    (expected,) = ReferenceEvaluator(model).run(None, feeds)
    (actual,) = run_infer(model, feeds)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5)


# -- MatMul ----------------------------------------------------------------------------

MATMUL_SHAPES = [
    ((3, 4), (4, 5)),
    ((4,), (4, 5)),
    ((3, 4), (4,)),
    ((4,), (4,)),
    ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 1, 4, 5)),
    ((1, 3, 3, 4), (2, 1, 4, 5)),
    ((4,), (2, 4, 5)),
    ((2, 3, 4), (4,)),
]


@pytest.mark.parametrize("opset", [7, 9, 13, 22])
@pytest.mark.parametrize(("a_shape", "b_shape"), MATMUL_SHAPES)
def test_matmul_numpy_shapes(
    opset: int, a_shape: tuple[int, ...], b_shape: tuple[int, ...], rng: np.random.Generator
) -> None:
    a, b = _f32(rng, *a_shape), _f32(rng, *b_shape)
    assert_matches_onnxruntime(node_model("MatMul", {"a": a, "b": b}, opset=opset), {"a": a, "b": b})


@pytest.mark.parametrize("b_shape", [(8, 4), (8,), (1, 8, 4)])
def test_matmul_constant_rhs_dynamic_lhs(b_shape: tuple[int, ...], rng: np.random.Generator) -> None:
    a, b = _f32(rng, 2, 5, 8), _f32(rng, *b_shape)
    model = node_model("MatMul", {"a": a}, opset=13, initializers={"b": b}, input_shapes={"a": ["N", "S", 8]})
    assert_matches_onnxruntime(model, {"a": a})
    assert_matches_onnxruntime(model, {"a": _f32(rng, 3, 1, 8)})


def test_matmul_dynamic_batch_broadcast(rng: np.random.Generator) -> None:
    a, b = _f32(rng, 2, 1, 3, 4), _f32(rng, 1, 5, 4, 6)
    model = node_model("MatMul", {"a": a, "b": b}, opset=13, input_shapes={"a": ["B", 1, "M", 4], "b": [1, "C", 4, 6]})
    assert_matches_onnxruntime(model, {"a": a, "b": b})


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float64])
def test_matmul_other_dtypes(dtype: type, rng: np.random.Generator) -> None:
    a = rng.integers(-5, 5, (2, 3, 4)).astype(dtype)
    b = rng.integers(-5, 5, (4, 2)).astype(dtype)
    assert_matches_onnxruntime(node_model("MatMul", {"a": a, "b": b}, opset=13), {"a": a, "b": b})


@pytest.mark.parametrize("op", ["MatMul", "Gemm"])
def test_float16_products(op: str, rng: np.random.Generator) -> None:
    a = rng.uniform(0.5, 1.5, (4, 3000)).astype(np.float16)
    b = rng.uniform(0.5, 1.5, (3000, 3)).astype(np.float16)
    model = node_model(op, {"a": a, "b": b}, opset=13)
    assert_matches_onnxruntime(model, {"a": a, "b": b}, rtol=2e-3, atol=1e-2)


def test_matmul_mismatched_inner_dims_is_a_diagnostic() -> None:
    a, b = np.zeros((3, 4), np.float32), np.zeros((5, 6), np.float32)
    with pytest.raises(infer.InferError) as info:
        infer.compile(node_model("MatMul", {"a": a, "b": b}, opset=13))
    message = str(info.value)
    assert "\n" not in message
    assert "node 'matmul_node'" in message and "MatMul" in message and "opset 13" in message
    assert "4 and 5" in message


# -- Gemm ------------------------------------------------------------------------------

C_SHAPES = [(3, 5), (5,), (1, 5), (3, 1), (1,), ()]


@pytest.mark.parametrize("opset", [7, 9, 11, 13, 22])
@pytest.mark.parametrize("c_shape", C_SHAPES)
@pytest.mark.parametrize(("trans_a", "trans_b"), [(0, 0), (1, 0), (0, 1), (1, 1)])
def test_gemm(opset: int, c_shape: tuple[int, ...], trans_a: int, trans_b: int, rng: np.random.Generator) -> None:
    a = _f32(rng, *((4, 3) if trans_a else (3, 4)))
    b = _f32(rng, *((5, 4) if trans_b else (4, 5)))
    c = _f32(rng, *c_shape)
    attrs = {"alpha": 0.5, "beta": 2.0, "transA": trans_a, "transB": trans_b}
    model = node_model("Gemm", {"a": a, "b": b, "c": c}, opset=opset, attrs=attrs)
    assert_matches_onnxruntime(model, {"a": a, "b": b, "c": c})


@pytest.mark.parametrize("opset", [11, 13])
def test_gemm_without_c(opset: int, rng: np.random.Generator) -> None:
    a, b = _f32(rng, 3, 4), _f32(rng, 5, 4)
    model = node_model("Gemm", {"a": a, "b": b}, opset=opset, attrs={"transB": 1, "alpha": 3.0})
    assert_matches_onnxruntime(model, {"a": a, "b": b})


def test_gemm_dynamic_batch_constant_weights(rng: np.random.Generator) -> None:
    a = _f32(rng, 2, 16)
    weights = {"w": _f32(rng, 10, 16), "bias": _f32(rng, 10)}
    model = node_model(
        "Gemm", {"a": a}, opset=9, attrs={"transB": 1}, initializers=weights, input_shapes={"a": ["N", 16]}
    )
    assert_matches_onnxruntime(model, {"a": a})
    assert_matches_onnxruntime(model, {"a": _f32(rng, 7, 16)})


def test_gemm_beta_zero_ignores_c(rng: np.random.Generator) -> None:
    a, b = _f32(rng, 3, 4), _f32(rng, 4, 5)
    c = np.full((3, 5), np.nan, np.float32)
    model = node_model("Gemm", {"a": a, "b": b, "c": c}, opset=13, attrs={"beta": 0.0})
    (y,) = run_infer(model, {"a": a, "b": b, "c": c})
    np.testing.assert_allclose(y, a @ b, rtol=1e-5)


def test_gemm_version_6_broadcast(rng: np.random.Generator) -> None:
    # onnxruntime has no Gemm before 7: onnx's reference evaluator is the oracle.
    a, b, c = _f32(rng, 3, 4), _f32(rng, 5, 4), _f32(rng, 5)
    model = node_model("Gemm", {"a": a, "b": b, "c": c}, opset=6, attrs={"broadcast": 1, "transB": 1, "alpha": 2.0})
    _assert_matches_reference(model, {"a": a, "b": b, "c": c})


def test_gemm_version_1_equals_version_7(rng: np.random.Generator) -> None:
    a, b, c = _f32(rng, 4, 3), _f32(rng, 4, 5), _f32(rng, 1, 5)
    attrs = {"transA": 1, "beta": 0.25}
    feeds = {"a": a, "b": b, "c": c}
    (old,) = run_infer(node_model("Gemm", feeds, opset=1, attrs={**attrs, "broadcast": 1}), feeds)
    (new,) = assert_matches_onnxruntime(node_model("Gemm", feeds, opset=7, attrs=attrs), feeds)
    np.testing.assert_allclose(old, new, rtol=1e-6)


def test_gemm_integers(rng: np.random.Generator) -> None:
    a = rng.integers(-9, 9, (3, 4)).astype(np.int32)
    b = rng.integers(-9, 9, (5, 4)).astype(np.int32)
    c = rng.integers(-9, 9, (5,)).astype(np.int32)
    model = node_model("Gemm", {"a": a, "b": b, "c": c}, opset=13, attrs={"transB": 1, "alpha": 2.0, "beta": 3.0})
    _assert_matches_reference(model, {"a": a, "b": b, "c": c})


def test_gemm_fractional_alpha_on_integers_is_a_diagnostic() -> None:
    a = np.zeros((3, 4), np.int64)
    model = node_model("Gemm", {"a": a, "b": a.T.copy()}, opset=13, attrs={"alpha": 0.5})
    with pytest.raises(
        infer.InferError, match=r"node .gemm_node. \(Gemm, opset 13\): alpha 0.5 and beta 1.0 must be integers"
    ):
        infer.compile(model)


def test_gemm_incompatible_c_is_a_diagnostic() -> None:
    a = np.zeros((3, 4), np.float32)
    model = node_model("Gemm", {"a": a, "b": a.T.copy(), "c": np.zeros((2, 3), np.float32)}, opset=13)
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    message = str(info.value)
    assert "\n" not in message and "node 'gemm_node'" in message and "does not broadcast to [3, 3]" in message


def test_gemm_rank_3_is_a_diagnostic() -> None:
    a = np.zeros((2, 3, 4), np.float32)
    model = node_model("Gemm", {"a": a, "b": np.zeros((4, 3), np.float32)}, opset=13)
    with pytest.raises(
        infer.InferError, match=r"node .gemm_node. \(Gemm, opset 13\): A and B must be matrices, got ranks 3 and 2"
    ):
        infer.compile(model)


GEMM_IR = """
func.func @main(%a: tensor<?x4xf32>, %b: tensor<5x4xf32>, %c: tensor<1x5xf32>) -> (tensor<?x5xf32>, tensor<4x4xf32>) {
  %y = infer.gemm %a, %b, %c {alpha = 0.5 : f64, beta = -2.0 : f64, trans_b}
         : (tensor<?x4xf32>, tensor<5x4xf32>, tensor<1x5xf32>) -> tensor<?x5xf32>
  %z = infer.gemm %b, %b {trans_a} : (tensor<5x4xf32>, tensor<5x4xf32>) -> tensor<4x4xf32>
  func.return %y, %z : tensor<?x5xf32>, tensor<4x4xf32>
}
"""


def test_gemm_decomposition_matches(rng: np.random.Generator) -> None:
    module = parse(GEMM_IR)
    inputs = [_f32(rng, 3, 4), _f32(rng, 5, 4), _f32(rng, 1, 5)]
    after = assert_pass_preserves(module, DecomposeCompositesPass(), inputs)
    names = [op.name for op in after.walk()]
    assert "infer.gemm" not in names and names.count("infer.matmul") == 2 and names.count("infer.transpose") == 2
