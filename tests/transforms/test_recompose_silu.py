"""`recompose-silu`: `x * sigmoid(x)` becomes `infer.silu` with the same numbers (either
operand order, dynamic dims, f16, PyTorch's exporter); look-alikes stay as they are."""

from __future__ import annotations

import io
from collections import Counter

import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, parse, run
from onnx import TensorProto, helper
from xdsl.dialects.builtin import ModuleOp

import infer
from infer.registry import load_context
from infer.transforms.recompose_silu import RecomposeSiluPass


def counts(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk())


def silu_model(swapped: bool, dtype: int = TensorProto.FLOAT) -> onnx.ModelProto:
    inputs = ["s", "x"] if swapped else ["x", "s"]
    graph = helper.make_graph(
        [helper.make_node("Sigmoid", ["x"], ["s"], name="sig"), helper.make_node("Mul", inputs, ["y"], name="mul")],
        "silu",
        [helper.make_tensor_value_info("x", dtype, ["N", 16, "H", "W"])],
        [helper.make_tensor_value_info("y", dtype, ["N", 16, "H", "W"])],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


@pytest.mark.parametrize("swapped", [False, True], ids=["x_first", "sigmoid_first"])
@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.float64])
def test_silu(swapped: bool, dtype: type, rng: np.random.Generator) -> None:
    onnx_type = {np.float32: TensorProto.FLOAT, np.float16: TensorProto.FLOAT16, np.float64: TensorProto.DOUBLE}[dtype]
    module = infer.to_infer(silu_model(swapped, onnx_type))
    for shape in [(2, 16, 3, 5), (1, 16, 1, 1)]:
        x = (rng.standard_normal(shape) * 4).astype(dtype)
        after = assert_pass_preserves(module, RecomposeSiluPass(), {"x": x})
        found = counts(after)
        assert found["infer.silu"] == 1 and found["infer.sigmoid"] == 0 and found["infer.mul"] == 0
        assert 'loc(fused["sig", "mul"])' in infer.print_ir(after, debuginfo=True)


def test_look_alikes_stay(rng: np.random.Generator) -> None:
    module = parse(
        """func.func @main(%x: tensor<4xf32>, %z: tensor<4xf32>)
              -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
          %s = infer.sigmoid %x : (tensor<4xf32>) -> tensor<4xf32>
          %y = infer.mul %x, %s : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
          %t = infer.sigmoid %z : (tensor<4xf32>) -> tensor<4xf32>
          %w = infer.mul %x, %t : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
          %u = infer.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
          %v = infer.mul %x, %u : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
          func.return %y, %s, %w, %v : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
        }"""
    )
    before = str(module)
    after = assert_pass_preserves(module, RecomposeSiluPass(), [rng.standard_normal(4).astype(np.float32)] * 2)
    assert str(after) == before
    RecomposeSiluPass().apply(load_context(), module)
    assert str(module) == before


def test_shared_input_two_silus(rng: np.random.Generator) -> None:
    """Two silus of one value, each with its own sigmoid."""
    module = parse(
        """func.func @main(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
          %s = infer.sigmoid %x : (tensor<?x3xf32>) -> tensor<?x3xf32>
          %y = infer.mul %s, %x : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
          %t = infer.sigmoid %y : (tensor<?x3xf32>) -> tensor<?x3xf32>
          %z = infer.mul %y, %t : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
          func.return %z : tensor<?x3xf32>
        }"""
    )
    after = assert_pass_preserves(module, RecomposeSiluPass(), [rng.standard_normal((5, 3)).astype(np.float32)])
    assert counts(after)["infer.silu"] == 2 and counts(after)["infer.mul"] == 0


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_pytorch_export(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.SiLU(), torch.nn.Conv2d(8, 4, 1), torch.nn.SiLU())
    buffer = io.BytesIO()
    torch.onnx.export(
        net,
        (torch.randn(1, 3, 8, 8),),
        buffer,
        opset_version=13,
        dynamo=False,
        input_names=["x"],
        output_names=["y"],
        dynamic_axes={"x": {0: "N", 2: "H", 3: "W"}, "y": {0: "N", 2: "H", 3: "W"}},
    )
    module = infer.to_infer(onnx.load_from_string(buffer.getvalue()))
    x = rng.standard_normal((2, 3, 9, 7)).astype(np.float32)
    after = assert_pass_preserves(module, RecomposeSiluPass(), {"x": x})
    assert counts(after)["infer.silu"] == 2 and counts(after)["infer.sigmoid"] == 0
    with torch.no_grad():
        expected = net(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(run(after, {"x": x})[0], expected, rtol=1e-4, atol=1e-5)
