"""`fuse-matmul-add`: a matrix product and the add of a bias become one gemm; the
interpreter's results before and after agree, node by node."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, assert_pass_preserves_nodes, parse
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import ModuleOp

import infer
from infer.dialects.infer.matmul import GemmOp
from infer.transforms.fuse_matmul_add import FuseMatmulAddPass

ONNX_TYPES = {np.float32: TensorProto.FLOAT, np.float16: TensorProto.FLOAT16, np.int32: TensorProto.INT32}


def _counts(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk())


def _model(
    nodes: list[onnx.NodeProto],
    x_shape: Sequence[int | str],
    initializers: dict[str, np.ndarray],
    dtype: type = np.float32,
) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", ONNX_TYPES[dtype], list(x_shape))],
        [helper.make_empty_tensor_value_info(nodes[-1].output[0])],
        [numpy_helper.from_array(a, n) for n, a in initializers.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def _random(rng: np.random.Generator, shape: Sequence[int], dtype: type = np.float32) -> np.ndarray:
    if dtype is np.int32:
        return rng.integers(-4, 4, list(shape)).astype(np.int32)
    return rng.standard_normal(list(shape)).astype(dtype)


def _check(
    module: ModuleOp, feeds: Sequence[dict[str, np.ndarray]], pass_: FuseMatmulAddPass | None = None, **tol: float
) -> ModuleOp:
    pass_ = pass_ or FuseMatmulAddPass()
    tolerance = {"rtol": 1e-6, "atol": 1e-6, **tol}
    after = assert_pass_preserves_nodes(module, pass_, feeds[0], **tolerance)
    for feed in feeds[1:]:
        assert_pass_preserves(module, pass_, feed, **tolerance)
    return after


@pytest.mark.parametrize("dtype", [np.float32, np.int32])
@pytest.mark.parametrize("bias_shape", [[5], [1, 5], [3, 5], [3, 1], [1]])
@pytest.mark.parametrize("bias_first", [False, True])
def test_matmul_add(dtype: type, bias_shape: list[int], bias_first: bool, rng: np.random.Generator) -> None:
    x_shape: list[int | str] = ["N", 8] if bias_shape[0] != 3 else [3, 8]
    weights = {"w": _random(rng, [8, 5], dtype), "b": _random(rng, bias_shape, dtype)}
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["m"], name="mm"),
        helper.make_node("Add", ["b", "m"] if bias_first else ["m", "b"], ["y"], name="add"),
    ]
    module = infer.to_infer(_model(nodes, x_shape, weights, dtype))
    feeds = [{"x": _random(rng, [3, 8], dtype)}]
    if x_shape[0] == "N":
        feeds.append({"x": _random(rng, [1, 8], dtype)})
    # f32 and integers: the same numbers exactly.
    after = _check(module, feeds, rtol=0, atol=0)
    counts = _counts(after)
    assert counts["infer.gemm"] == 1 and counts["infer.matmul"] == 0 and counts["infer.add"] == 0


def test_matmul_add_float16(rng: np.random.Generator) -> None:
    """The gemm rounds once where the pair rounds twice: equal within f16 precision."""
    weights = {"w": _random(rng, [8, 5], np.float16), "b": _random(rng, [5], np.float16)}
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("Add", ["m", "b"], ["y"])]
    module = infer.to_infer(_model(nodes, ["N", 8], weights, np.float16))
    after = _check(module, [{"x": _random(rng, [4, 8], np.float16)}], rtol=2e-3, atol=2e-3)
    assert _counts(after)["infer.gemm"] == 1


@pytest.mark.parametrize(("trans_a", "trans_b"), [(False, True), (True, False), (True, True)])
def test_transposed_operands(trans_a: bool, trans_b: bool, rng: np.random.Generator) -> None:
    """PyTorch's Linear: MatMul(x, Transpose(W)) + b; here with run-time operands, so the
    converter cannot fold the transposes."""
    a_type = "tensor<8x3xf32>" if trans_a else "tensor<3x8xf32>"
    b_type = "tensor<5x8xf32>" if trans_b else "tensor<8x5xf32>"
    lines = []
    if trans_a:
        lines.append(
            '%a = infer.transpose %x {perm = array<i64: 1, 0>} : (tensor<8x3xf32>) -> tensor<3x8xf32> loc("xt")'
        )
    if trans_b:
        lines.append(
            '%b = infer.transpose %w {perm = array<i64: 1, 0>} : (tensor<5x8xf32>) -> tensor<8x5xf32> loc("wt")'
        )
    body = "\n  ".join(lines)
    module = parse(
        f"""
func.func @main(%x: {a_type}, %w: {b_type}, %c: tensor<1x5xf32>) -> tensor<3x5xf32> {{
  {body}
  %m = infer.matmul {"%a" if trans_a else "%x"}, {"%b" if trans_b else "%w"}
         : (tensor<3x8xf32>, tensor<8x5xf32>) -> tensor<3x5xf32> loc("mm")
  %y = infer.add %m, %c : (tensor<3x5xf32>, tensor<1x5xf32>) -> tensor<3x5xf32> loc("add")
  func.return %y : tensor<3x5xf32>
}}
"""
    )
    shapes = [[8, 3] if trans_a else [3, 8], [5, 8] if trans_b else [8, 5], [1, 5]]
    feed = {f"input{i}": _random(rng, s) for i, s in enumerate(shapes)}
    after = _check(module, [feed], rtol=1e-5, atol=1e-5)
    (gemm,) = [op for op in after.walk() if isinstance(op, GemmOp)]
    assert (gemm.trans_a is not None, gemm.trans_b is not None) == (trans_a, trans_b)
    assert _counts(after)["infer.transpose"] == 0


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "b_shape"), [([8], [8, 5], [5]), ([3, 8], [8], [3]), ([8], [8, 5], [1])]
)
def test_vectors(x_shape: list[int], w_shape: list[int], b_shape: list[int], rng: np.random.Generator) -> None:
    """numpy's 1-D operands: the converter's unsqueeze / matmul / squeeze."""
    weights = {"w": _random(rng, w_shape), "b": _random(rng, b_shape)}
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("Add", ["m", "b"], ["y"])]
    module = infer.to_infer(_model(nodes, x_shape, weights))
    after = _check(module, [{"x": _random(rng, x_shape)}], rtol=0, atol=0)
    counts = _counts(after)
    assert counts["infer.gemm"] == 1 and counts["infer.add"] == 0


@pytest.mark.parametrize("with_c", [True, False])
def test_gemm_add(with_c: bool, rng: np.random.Generator) -> None:
    weights = {"w": _random(rng, [5, 8]), "b": _random(rng, [5])}
    if with_c:
        weights["c"] = _random(rng, [5])
    nodes = [
        helper.make_node("Gemm", ["x", "w", *(["c"] if with_c else [])], ["g"], alpha=0.5, beta=2.0, transB=1),
        helper.make_node("Add", ["g", "b"], ["y"]),
    ]
    module = infer.to_infer(_model(nodes, ["N", 8], weights))
    after = _check(module, [{"x": _random(rng, [3, 8])}], rtol=1e-6, atol=1e-6)
    counts = _counts(after)
    assert counts["infer.gemm"] == 1 and counts["infer.add"] == 0


@pytest.mark.parametrize(
    ("x_shape", "dynamic_batch", "fused"),
    [
        ([2, 3, 8], False, True),
        (["B", 3, 8], False, True),
        (["B", "S", 8], False, False),
        (["B", "S", 8], True, True),
        (["B", 2, "S", 8], True, True),
    ],
)
def test_batched(x_shape: list[int | str], dynamic_batch: bool, fused: bool, rng: np.random.Generator) -> None:
    """Transformer projections: [B, S, K] x [K, N] + [N]."""
    weights = {"w": _random(rng, [8, 5]), "b": _random(rng, [5])}
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["m"], name="mm"),
        helper.make_node("Add", ["m", "b"], ["y"], name="add"),
    ]
    module = infer.to_infer(_model(nodes, x_shape, weights))
    sizes = [{"B": 2, "S": 3}, {"B": 1, "S": 4}, {"B": 3, "S": 1}]
    shapes = [[d if isinstance(d, int) else size[d] for d in x_shape] for size in sizes]
    pass_ = FuseMatmulAddPass(dynamic_batch=dynamic_batch)
    after = _check(module, [{"x": _random(rng, s)} for s in shapes], pass_, rtol=1e-6, atol=1e-6)
    counts = _counts(after)
    assert counts["infer.gemm"] == int(fused) and counts["infer.matmul"] == int(not fused)


def test_batched_weights_stay(rng: np.random.Generator) -> None:
    """A rhs with its own batch dims is not a shared weight."""
    weights = {"w": _random(rng, [2, 8, 5]), "b": _random(rng, [5])}
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("Add", ["m", "b"], ["y"])]
    module = infer.to_infer(_model(nodes, [2, 3, 8], weights))
    after = _check(module, [{"x": _random(rng, [2, 3, 8])}])
    assert _counts(after)["infer.matmul"] == 1


def test_bias_per_row_of_a_batched_product_stays(rng: np.random.Generator) -> None:
    weights = {"w": _random(rng, [8, 5]), "b": _random(rng, [3, 1])}
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("Add", ["m", "b"], ["y"])]
    module = infer.to_infer(_model(nodes, [2, 3, 8], weights))
    after = _check(module, [{"x": _random(rng, [2, 3, 8])}])
    assert _counts(after)["infer.matmul"] == 1


def test_mlp(rng: np.random.Generator) -> None:
    """A two-layer perceptron as PyTorch exports it (MatMul + Add per layer)."""
    weights = {
        "w1": _random(rng, [8, 16]),
        "b1": _random(rng, [16]),
        "w2": _random(rng, [16, 4]),
        "b2": _random(rng, [4]),
    }
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["m1"], name="fc1"),
        helper.make_node("Add", ["m1", "b1"], ["a1"], name="fc1_bias"),
        helper.make_node("Relu", ["a1"], ["r1"], name="relu"),
        helper.make_node("MatMul", ["r1", "w2"], ["m2"], name="fc2"),
        helper.make_node("Add", ["m2", "b2"], ["y"], name="fc2_bias"),
    ]
    module = infer.to_infer(_model(nodes, ["N", 8], weights))
    after = _check(module, [{"x": _random(rng, [5, 8])}, {"x": _random(rng, [1, 8])}], rtol=0, atol=0)
    counts = _counts(after)
    assert counts["infer.gemm"] == 2 and counts["infer.matmul"] == 0 and counts["infer.add"] == 0
