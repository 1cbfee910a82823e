"""The 9 light models shipped in the onnx wheel, their inputs, and random-weight copies.

Every weight of a light model is made at run time by a ConstantOfShape fill of
0.02, which hides layout and channel-order bugs; `with_random_weights` turns
each such fill into a seeded random initializer of the same shape (scaled so
that activations stay in range through 50+ layers).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

LIGHT_DIR = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"
NAMES = [
    "bvlc_alexnet",
    "densenet121",
    "inception_v1",
    "inception_v2",
    "resnet50",
    "shufflenet",
    "squeezenet",
    "vgg19",
    "zfnet512",
]


BIG = ("bvlc_alexnet", "vgg19", "zfnet512")
"""Models with 100+ MB fully connected weights: slow to randomize and run."""

PASS_TEST_NAMES = [pytest.param(n, marks=pytest.mark.slow) if n in BIG else n for n in NAMES]
"""Light models for a single pass's numeric test: the big ones only with --runslow (the
whole pipeline still runs on all nine in tests/models)."""


def path(name: str) -> Path:
    return LIGHT_DIR / f"light_{name}.onnx"


def load(name: str) -> onnx.ModelProto:
    return onnx.load(path(name))


def inputs(model: onnx.ModelProto) -> dict[str, np.ndarray]:
    """The inputs onnx's BackendTest uses for its `real` kind: arange(n) / n."""
    initializers = {t.name for t in model.graph.initializer}
    feeds: dict[str, np.ndarray] = {}
    for value in model.graph.input:
        if value.name in initializers:
            continue
        shape = tuple(d.dim_value if d.HasField("dim_value") else 1 for d in value.type.tensor_type.shape.dim)
        n = int(np.prod(shape))
        feeds[value.name] = (np.arange(n).reshape(shape) / n).astype(np.float32)
    return feeds


def expected_output(name: str) -> np.ndarray:
    tensor = onnx.TensorProto()
    tensor.ParseFromString((LIGHT_DIR / f"light_{name}_output_0.pb").read_bytes())
    return numpy_helper.to_array(tensor)


_RANDOM_COPIES: dict[tuple[bytes, int], onnx.ModelProto] = {}


def with_random_weights(model: onnx.ModelProto, seed: int = 0) -> onnx.ModelProto:
    """A copy whose ConstantOfShape weight fills are seeded random initializers.

    Copies are cached per process (VGG-19's 575 MB take seconds to draw); callers
    must not modify the model they get."""
    key = (hashlib.sha256(model.SerializeToString()).digest(), seed)
    if key not in _RANDOM_COPIES:
        _RANDOM_COPIES.clear()  # keep one copy: the big ones are hundreds of MB
        _RANDOM_COPIES[key] = _randomized(model, seed)
    return _RANDOM_COPIES[key]


def _randomized(model: onnx.ModelProto, seed: int) -> onnx.ModelProto:
    rng = np.random.default_rng(seed)
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    constants = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    consumers: dict[str, list[tuple[onnx.NodeProto, int]]] = {}
    for node in graph.node:
        for i, name in enumerate(node.input):
            consumers.setdefault(name, []).append((node, i))
    kept = []
    for node in graph.node:
        if node.op_type != "ConstantOfShape" or node.input[0] not in constants:
            kept.append(node)
            continue
        shape = tuple(int(d) for d in constants[node.input[0]])
        uses = consumers.get(node.output[0], [])
        graph.initializer.append(numpy_helper.from_array(_random_weight(rng, shape, uses), node.output[0]))
    del graph.node[:]
    graph.node.extend(kept)
    return model


def _random_weight(
    rng: np.random.Generator, shape: tuple[int, ...], uses: list[tuple[onnx.NodeProto, int]]
) -> np.ndarray:
    role = {(n.op_type, i) for n, i in uses}
    if ("BatchNormalization", 4) in role or ("BatchNormalization", 1) in role:  # variance: positive
        values = rng.uniform(0.5, 1.5, shape)
    elif len(shape) >= 2:  # conv or fully connected weights: He initialization
        fan_in = int(np.prod(shape[1:])) if any(n.op_type == "Conv" for n, _ in uses) else shape[-1]
        if any(
            n.op_type == "Gemm" and n.attribute and any(a.name == "transB" and a.i == 0 for a in n.attribute)
            for n, _ in uses
        ):
            fan_in = shape[0]
        values = rng.standard_normal(shape) * np.sqrt(2.0 / max(fan_in, 1))
    else:  # biases, shifts, means
        values = rng.standard_normal(shape) * 0.1
    return values.astype(np.float32)


def without_softmax(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy that outputs the logits: with random weights the final softmax is one-hot,
    which would hide any difference before it."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    last = model.graph.node[-1]
    if last.op_type == "Softmax":
        output = model.graph.output[0]
        del model.graph.node[-1]
        output.name = last.input[0]
        output.type.tensor_type.ClearField("shape")
    return model


def onnx_home(tmp: Path) -> dict[str, str]:
    """Environment for onnx's BackendTest `real` kind, with its scratch data under `tmp`."""
    return {**os.environ, "ONNX_HOME": str(tmp)}


def dynamic_batch(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy whose graph inputs and outputs have a symbolic batch dim `N` (and no
    intermediate shapes), so that converted IR carries `?` batch dims. Models that
    reshape to a constant batch of 1 still run only with batch 1."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    initializers = {t.name for t in model.graph.initializer}
    for value in [*model.graph.input, *model.graph.output]:
        if value.name not in initializers:
            value.type.tensor_type.shape.dim[0].dim_param = "N"
    del model.graph.value_info[:]
    return model
