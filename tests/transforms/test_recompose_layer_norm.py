"""`recompose-layer-norm`: the spelled-out layer normalizations exporters write become
`infer.layer_norm` with the same numbers (ONNX graphs in several spellings, dynamic dims,
f16, PyTorch's legacy export of nn.LayerNorm); look-alikes stay as they are."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import light_models
import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, run
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import ModuleOp

import infer
from infer.dialects.infer.normalization import LayerNormOp
from infer.registry import load_context
from infer.transforms.recompose_layer_norm import RecomposeLayerNormPass

Node = tuple[str, list[str], str, dict[str, Any]]
"""(op type, inputs, output, attributes); inputs `c:<value>` are scalar constants, `w`
and `b` the weight and bias initializers."""


def mean(x: str, out: str, axes: list[int]) -> Node:
    return ("ReduceMean", [x], out, {"axes": axes})


def torch_form(axes: list[int], affine: bool = True) -> list[Node]:
    """What PyTorch's legacy exporter writes for nn.LayerNorm."""
    nodes: list[Node] = [
        mean("x", "m", axes),
        ("Sub", ["x", "m"], "d", {}),
        ("Pow", ["d", "c:2.0"], "p", {}),
        mean("p", "v", axes),
        ("Add", ["v", "c:1e-05"], "e", {}),
        ("Sqrt", ["e"], "s", {}),
        ("Div", ["d", "s"], "n" if affine else "y", {}),
    ]
    if affine:
        nodes += [("Mul", ["n", "w"], "a", {}), ("Add", ["a", "b"], "y", {})]
    return nodes


FORMS: dict[str, tuple[list[Node], list[int], int]] = {
    # name: (nodes, dims of the weight and bias, first normalized axis of the [N, S, 4, 8] input)
    "torch": (torch_form([-1]), [8], 3),
    "torch_two_axes": (torch_form([-2, -1]), [4, 8], 2),
    "torch_no_affine": (torch_form([-1], affine=False), [], 3),
    "square_reciprocal": (
        [
            mean("x", "m", [3]),
            ("Sub", ["x", "m"], "d", {}),
            ("Mul", ["d", "d"], "p", {}),
            mean("p", "v", [3]),
            ("Add", ["c:1e-06", "v"], "e", {}),
            ("Sqrt", ["e"], "s", {}),
            ("Reciprocal", ["s"], "r", {}),
            ("Mul", ["r", "d"], "n", {}),
            ("Mul", ["w", "n"], "a", {}),
            ("Add", ["b", "a"], "y", {}),
        ],
        [8],
        3,
    ),
    "rsqrt_bias_only": (
        [
            mean("x", "m", [2, 3]),
            ("Sub", ["x", "m"], "d", {}),
            ("Pow", ["d", "c:2.0"], "p", {}),
            mean("p", "v", [2, 3]),
            ("Add", ["v", "c:0.001"], "e", {}),
            ("Pow", ["e", "c:-0.5"], "r", {}),
            ("Mul", ["d", "r"], "n", {}),
            ("Add", ["n", "b"], "y", {}),
        ],
        [4, 8],
        2,
    ),
    "one_over_pow_half": (
        [
            mean("x", "m", [3]),
            ("Sub", ["x", "m"], "d", {}),
            ("Mul", ["d", "d"], "p", {}),
            mean("p", "v", [3]),
            ("Add", ["v", "c:1e-05"], "e", {}),
            ("Pow", ["e", "c:0.5"], "s", {}),
            ("Div", ["c:1.0", "s"], "r", {}),
            ("Mul", ["d", "r"], "n", {}),
            ("Mul", ["n", "w"], "y", {}),
        ],
        [8],
        3,
    ),
}

ONNX_TYPES = {np.float32: TensorProto.FLOAT, np.float16: TensorProto.FLOAT16, np.float64: TensorProto.DOUBLE}


def graph_model(
    nodes: list[Node], weight_dims: list[int], rng: np.random.Generator, dtype: type = np.float32
) -> onnx.ModelProto:
    """A model `x [N, S, 4, 8] -> nodes -> y`, nodes named after their outputs."""
    initializers = [
        numpy_helper.from_array(rng.standard_normal(weight_dims or [1]).astype(dtype), "w"),
        numpy_helper.from_array(rng.standard_normal(weight_dims or [1]).astype(dtype), "b"),
    ]
    onnx_nodes = []
    for op_type, inputs, output, attrs in nodes:
        names = []
        for name in inputs:
            if name.startswith("c:"):
                constant = f"{output}_{len(initializers)}"
                initializers.append(numpy_helper.from_array(np.array(float(name[2:]), dtype), constant))
                name = constant
            names.append(name)
        onnx_nodes.append(helper.make_node(op_type, names, [output], name=output, **attrs))
    shape: list[int | str] = ["N", "S", 4, 8]
    used = {name for node in onnx_nodes for name in node.input}
    graph = helper.make_graph(
        onnx_nodes,
        "layer_norm",
        [helper.make_tensor_value_info("x", ONNX_TYPES[dtype], shape)],
        [helper.make_tensor_value_info("y", ONNX_TYPES[dtype], shape)],
        [t for t in initializers if t.name in used],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def counts(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk())


def layer_norms(module: ModuleOp) -> list[LayerNormOp]:
    return [op for op in module.walk() if isinstance(op, LayerNormOp)]


def sample(rng: np.random.Generator, shape: tuple[int, ...], dtype: type = np.float32) -> np.ndarray:
    # An offset and a scale per row, so that centering and scaling both matter.
    x = rng.standard_normal(shape) * rng.uniform(0.5, 3, shape[:-1] + (1,)) + rng.uniform(-2, 2, shape[:-1] + (1,))
    return x.astype(dtype)


@pytest.mark.parametrize("form", FORMS)
def test_forms(form: str, rng: np.random.Generator) -> None:
    nodes, weight_dims, axis = FORMS[form]
    module = infer.to_infer(graph_model(nodes, weight_dims, rng))
    for shape in [(2, 3, 4, 8), (1, 1, 4, 8)]:
        after = assert_pass_preserves(module, RecomposeLayerNormPass(), {"x": sample(rng, shape)}, atol=1e-5)
        (norm,) = layer_norms(after)
        assert norm.axis.value.data == axis
        found = counts(after)
        assert found["infer.reduce_mean"] == found["infer.sub"] == found["infer.mul"] == found["infer.add"] == 0
        # Located at every node it replaces, in program order: it stands for the last one.
        locations = ", ".join(f'"{output}"' for _, _, output, _ in nodes)
        assert f"loc(fused[{locations}])" in infer.print_ir(after, debuginfo=True)


def test_float16(rng: np.random.Generator) -> None:
    """The layer norm keeps its statistics in f32: the numbers move by f16 rounding only."""
    nodes, weight_dims, _ = FORMS["torch"]
    module = infer.to_infer(graph_model(nodes, weight_dims, rng, np.float16))
    x = sample(rng, (2, 3, 4, 8), np.float16)
    after = assert_pass_preserves(module, RecomposeLayerNormPass(), {"x": x}, rtol=1e-2, atol=1e-2)
    assert len(layer_norms(after)) == 1


LOOK_ALIKES: dict[str, list[Node]] = {
    # means over a leading axis
    "leading_axis": [
        (op, ins, out, {"axes": [1]} if op == "ReduceMean" else attrs) for op, ins, out, attrs in torch_form([-1])
    ],
    # the two means over different axes
    "different_axes": [
        (op, ins, out, {"axes": [2, 3]} if out == "v" else attrs) for op, ins, out, attrs in torch_form([-1])
    ],
    # a cube, not a square
    "cube": [
        (op, [("c:3.0" if i == "c:2.0" else i) for i in ins], out, attrs) for op, ins, out, attrs in torch_form([-1])
    ],
    # centered on the mean of another value
    "other_mean": [("Neg", ["x"], "z", {}), mean("z", "m", [-1])] + torch_form([-1])[1:],
}


@pytest.mark.parametrize("form", LOOK_ALIKES)
def test_look_alikes_stay(form: str, rng: np.random.Generator) -> None:
    module = infer.to_infer(graph_model(LOOK_ALIKES[form], [8], rng))
    after = assert_pass_preserves(module, RecomposeLayerNormPass(), {"x": sample(rng, (2, 3, 4, 8))})
    assert not layer_norms(after)
    assert str(after) == str(module)


def test_intermediate_with_another_use_stays(rng: np.random.Generator) -> None:
    model = graph_model(torch_form([-1]), [8], rng)
    model.graph.output.append(helper.make_tensor_value_info("d", TensorProto.FLOAT, ["N", "S", 4, 8]))
    module = infer.to_infer(model)
    before = str(module)
    RecomposeLayerNormPass().apply(load_context(), module)
    assert str(module) == before


def test_scale_and_bias_absorbed_only_when_they_fit(rng: np.random.Generator) -> None:
    """A scale varying along a dim that is not normalized, and a bias that is not a
    constant, stay after the layer norm; the normalization itself is recomposed."""
    nodes = torch_form([-1])
    model = graph_model(nodes, [8], rng)
    weight = next(t for t in model.graph.initializer if t.name == "w")
    weight.CopyFrom(numpy_helper.from_array(rng.standard_normal((4, 1)).astype(np.float32), "w"))
    model.graph.initializer.remove(next(t for t in model.graph.initializer if t.name == "b"))
    model.graph.input.append(helper.make_tensor_value_info("b", TensorProto.FLOAT, [8]))
    module = infer.to_infer(model)
    inputs = {"x": sample(rng, (2, 3, 4, 8)), "b": rng.standard_normal(8).astype(np.float32)}
    after = assert_pass_preserves(module, RecomposeLayerNormPass(), inputs)
    (norm,) = layer_norms(after)
    assert counts(after)["infer.mul"] == 1 and counts(after)["infer.add"] == 1
    assert norm.bias is None


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize(
    ("shape", "affine"), [([8], True), ([4, 8], True), ([8], False)], ids=["last", "two_dims", "no_affine"]
)
def test_pytorch_export(shape: list[int], affine: bool, rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.LayerNorm(shape, elementwise_affine=affine))
    if affine:
        with torch.no_grad():
            net[1].weight.uniform_(0.5, 1.5)
            net[1].bias.uniform_(-1, 1)
    buffer = io.BytesIO()
    torch.onnx.export(
        net,
        (torch.randn(2, 4, 8),),
        buffer,
        opset_version=13,
        dynamo=False,
        input_names=["x"],
        output_names=["y"],
        dynamic_axes={"x": {0: "N"}, "y": {0: "N"}},
    )
    module = infer.to_infer(onnx.load_from_string(buffer.getvalue()))
    x = sample(rng, (3, 4, 8))
    after = assert_pass_preserves(module, RecomposeLayerNormPass(), {"x": x}, atol=1e-5)
    (norm,) = layer_norms(after)
    assert norm.axis.value.data == 3 - len(shape)
    assert counts(after)["infer.reduce_mean"] == 0
    with torch.no_grad():
        expected = net(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(run(after, {"x": x})[0], expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", ["squeezenet", "densenet121"])
def test_light_models_have_no_layer_norm(name: str) -> None:
    """The CNNs' global average pools (reduce_mean) are not mistaken for a normalization."""
    module = infer.to_infer(light_models.load(name))
    assert counts(module)["infer.reduce_mean"] == 1
    before = str(module)
    RecomposeLayerNormPass().apply(load_context(), module)
    assert str(module) == before
