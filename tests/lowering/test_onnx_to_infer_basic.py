"""The conversion framework on a small model: conv, relu, broadcast add."""

import numpy as np
import pytest
from onnx_models import assert_matches_onnxruntime, node_model

import infer


@pytest.mark.parametrize("opset", [7, 11, 13, 22])
def test_conv_with_bias(opset: int, rng: np.random.Generator) -> None:
    x = rng.standard_normal((2, 3, 9, 8)).astype(np.float32)
    model = node_model(
        "Conv",
        {"x": x},
        opset=opset,
        attrs={"pads": [1, 0, 2, 1], "strides": [2, 1]},
        initializers={
            "w": rng.standard_normal((4, 3, 3, 2)).astype(np.float32),
            "b": rng.standard_normal(4).astype(np.float32),
        },
        input_shapes={"x": ["N", 3, "H", "W"]},
    )
    assert_matches_onnxruntime(model, {"x": x})


def test_unknown_op_is_a_one_line_diagnostic() -> None:
    x = np.zeros((2, 2), np.float32)
    model = node_model("Relu", {"x": x}, opset=13)
    model.graph.node[0].op_type = "Frobnicate"
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    message = str(info.value)
    assert "\n" not in message
    assert "node 'relu_node'" in message and "Frobnicate" in message and "opset 13" in message
