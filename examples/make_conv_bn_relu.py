"""Builds the bundled example model `conv_bn_relu.onnx` with onnx.helper.

Conv(3->64, 3x3, pad 1) + BatchNormalization + Relu -> Conv(64->256, 3x3, pad 1)
+ BatchNormalization + Relu, with dynamic batch, height and width: input
`data` [N, 3, H, W], output `features` [N, 256, H, W]. Weights and batch-norm
statistics are seeded random numbers, so the model is the same on every run.

    python examples/make_conv_bn_relu.py [OUT.onnx]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


def build(seed: int = 0) -> onnx.ModelProto:
    rng = np.random.default_rng(seed)
    initializers: list[TensorProto] = []
    nodes: list[onnx.NodeProto] = []

    def add(name: str, array: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(array.astype(np.float32), name))
        return name

    previous, channels = "data", 3
    for i, out_channels in enumerate((64, 256), start=1):
        fan_in = channels * 9
        w = add(f"conv{i}.weight", rng.standard_normal((out_channels, channels, 3, 3)) * np.sqrt(2.0 / fan_in))
        b = add(f"conv{i}.bias", rng.standard_normal(out_channels) * 0.1)
        scale = add(f"bn{i}.weight", rng.uniform(0.5, 1.5, out_channels))
        shift = add(f"bn{i}.bias", rng.standard_normal(out_channels) * 0.1)
        mean = add(f"bn{i}.running_mean", rng.standard_normal(out_channels) * 0.1)
        var = add(f"bn{i}.running_var", rng.uniform(0.5, 2.0, out_channels))
        nodes += [
            helper.make_node(
                "Conv", [previous, w, b], [f"conv{i}"], name=f"conv{i}", kernel_shape=[3, 3], pads=[1, 1, 1, 1]
            ),
            helper.make_node(
                "BatchNormalization", [f"conv{i}", scale, shift, mean, var], [f"bn{i}"], name=f"bn{i}", epsilon=1e-5
            ),
            helper.make_node("Relu", [f"bn{i}"], ["features" if i == 2 else f"relu{i}"], name=f"relu{i}"),
        ]
        previous, channels = f"relu{i}", out_channels
    graph = helper.make_graph(
        nodes,
        "conv_bn_relu",
        [helper.make_tensor_value_info("data", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 256, "H", "W"])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="infer-examples")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("conv_bn_relu.onnx")
    onnx.save(build(), out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
