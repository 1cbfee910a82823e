"""The example network exported by `torch.onnx.export` imports and runs (needs the `torch` extra).

The network is built in PyTorch with the bundled example's weights and exported
with both exporters (TorchScript-based with dynamic axes, and the dynamo-based
one with dynamic shapes); `infer` must match PyTorch at two input shapes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

import infer

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.torch

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "conv_bn_relu.onnx"


def example_network() -> torch.nn.Module:
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in onnx.load(EXAMPLE).graph.initializer}
    layers: list[torch.nn.Module] = []
    for i, (cin, cout) in enumerate(((3, 64), (64, 256)), start=1):
        conv = torch.nn.Conv2d(cin, cout, 3, padding=1)
        bn = torch.nn.BatchNorm2d(cout, eps=1e-5)
        conv.weight.data, conv.bias.data = weights[f"conv{i}.weight"], weights[f"conv{i}.bias"]
        bn.weight.data, bn.bias.data = weights[f"bn{i}.weight"], weights[f"bn{i}.bias"]
        bn.running_mean.data, bn.running_var.data = weights[f"bn{i}.running_mean"], weights[f"bn{i}.running_var"]
        layers += [conv, bn, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers).eval()


def export(network: torch.nn.Module, path: Path, dynamo: bool) -> None:
    x = torch.randn(2, 3, 16, 16)
    if dynamo:
        dim = torch.export.Dim
        shapes = ({0: dim("N"), 2: dim("H", min=4), 3: dim("W", min=4)},)
        torch.onnx.export(
            network,
            (x,),
            str(path),
            dynamo=True,
            input_names=["data"],
            output_names=["features"],
            dynamic_shapes=shapes,
        )
    else:
        torch.onnx.export(
            network,
            (x,),
            str(path),
            dynamo=False,
            input_names=["data"],
            output_names=["features"],
            dynamic_axes={"data": {0: "N", 2: "H", 3: "W"}, "features": {0: "N", 2: "H", 3: "W"}},
        )


@pytest.mark.parametrize("dynamo", [False, True], ids=["torchscript", "dynamo"])
def test_exported_example_matches_pytorch_at_two_shapes(tmp_path: Path, dynamo: bool) -> None:
    if dynamo:
        pytest.importorskip("onnxscript")
    network = example_network()
    path = tmp_path / "exported.onnx"
    export(network, path, dynamo)
    model = infer.compile(str(path))
    assert model.input_names == ["data"]
    for shape in ((1, 3, 19, 24), (3, 3, 32, 16)):
        x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        with torch.no_grad():
            expected = network(torch.from_numpy(x)).numpy()
        (actual,) = model.run([x]).values()
        assert actual.shape == (shape[0], 256, shape[2], shape[3])
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)
