"""infer.matmul (and gemm through its decomposition) lowered to loops match the reference."""

from __future__ import annotations

import numpy as np
import pytest
from loop_level import assert_loops_match, mlir_type

from infer.lowering.infer_to_linalg import supported_ops


def matmul_ir(a: np.ndarray, b: np.ndarray, result: str, dims=(None, None)) -> str:
    ta, tb = mlir_type(a, dims[0]), mlir_type(b, dims[1])
    return f"""
func.func @main_graph(%a: {ta}, %b: {tb}) -> {result} {{
  %y = infer.matmul %a, %b : ({ta}, {tb}) -> {result}
  func.return %y : {result}
}}"""


def _values(rng: np.random.Generator, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(-50, 50, shape).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int8])
def test_matrix(dtype: type, rng: np.random.Generator) -> None:
    a, b = _values(rng, (3, 4), dtype), _values(rng, (4, 5), dtype)
    assert_loops_match(matmul_ir(a, b, mlir_type(np.zeros((3, 5), dtype))), [a, b], rtol=1e-5)


def test_matrix_dynamic_rows(rng: np.random.Generator) -> None:
    a, b = _values(rng, (3, 4), np.float32), _values(rng, (4, 2), np.float32)
    text = matmul_ir(a, b, "tensor<?x2xf32>", dims=([None, 4], [4, 2]))
    assert_loops_match(text, [a, b], rtol=1e-5)
    assert_loops_match(text, [a[:1], b], rtol=1e-5)


@pytest.mark.parametrize(
    ("a_shape", "b_shape", "a_dims", "b_dims", "result"),
    [
        ((2, 3, 4), (2, 4, 5), None, None, "tensor<2x3x5xf32>"),
        ((2, 3, 4), (1, 4, 5), [None, 3, 4], None, "tensor<?x3x5xf32>"),
        ((1, 3, 4), (2, 4, 5), None, [None, 4, None], "tensor<?x3x?xf32>"),
        ((2, 1, 3, 4), (1, 3, 4, 2), None, None, "tensor<2x3x3x2xf32>"),
        ((2, 3, 1), (2, 1, 4), None, None, "tensor<2x3x4xf32>"),
    ],
)
def test_batches_broadcast(a_shape, b_shape, a_dims, b_dims, result, rng: np.random.Generator) -> None:
    a, b = _values(rng, a_shape, np.float32), _values(rng, b_shape, np.float32)
    assert_loops_match(matmul_ir(a, b, result, dims=(a_dims, b_dims)), [a, b], rtol=1e-5)


def test_f16_accumulates_in_f32(rng: np.random.Generator) -> None:
    # Products of f16 summed in f16 would lose most of these small terms.
    a = np.full((2, 64), 1.0, np.float16)
    b = np.concatenate([np.full((1, 3), 2048.0), np.full((63, 3), 0.5)]).astype(np.float16)
    (y,) = assert_loops_match(matmul_ir(a, b, "tensor<2x3xf16>"), [a, b])
    assert y[0, 0] == np.float16(2048 + 31.5)
    a, b = _values(rng, (2, 3, 8), np.float16), _values(rng, (1, 8, 4), np.float16)
    assert_loops_match(matmul_ir(a, b, "tensor<2x3x4xf16>"), [a, b], rtol=1e-3)


def test_empty_contraction() -> None:
    a, b = np.zeros((3, 0), np.float32), np.zeros((0, 2), np.float32)
    (y,) = assert_loops_match(matmul_ir(a, b, "tensor<3x2xf32>"), [a, b])
    assert not y.any()


@pytest.mark.parametrize(
    "attrs",
    [
        "",
        "{trans_a, trans_b}",
        '{alpha = 5.000000e-01 : f64, beta = 2.000000e+00 : f64, activation = "relu"}',
        '{activation = "leaky_relu", activation_params = array<f64: 0.1>}',
        '{activation = "clip", activation_params = array<f64: -0.5, 0.5>, trans_b}',
        '{activation = "gelu"}',
    ],
)
def test_gemm_with_epilogue(attrs: str, rng: np.random.Generator) -> None:
    trans_a, trans_b = "trans_a" in attrs, "trans_b" in attrs
    if (trans_a or trans_b) and "infer.transpose" not in supported_ops():
        pytest.skip("infer.transpose (tensor family) does not lower to linalg yet")
    a = _values(rng, (4, 3) if trans_a else (3, 4), np.float32)
    b = _values(rng, (5, 4) if trans_b else (4, 5), np.float32)
    c = _values(rng, (1, 5), np.float32)
    ta, tb, tc = mlir_type(a), mlir_type(b), mlir_type(c)
    text = f"""
func.func @main_graph(%a: {ta}, %b: {tb}, %c: {tc}) -> tensor<3x5xf32> {{
  %y = infer.gemm %a, %b, %c {attrs} : ({ta}, {tb}, {tc}) -> tensor<3x5xf32>
  func.return %y : tensor<3x5xf32>
}}"""
    assert_loops_match(text, [a, b, c], rtol=1e-5, atol=1e-6)
