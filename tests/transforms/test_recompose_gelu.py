"""`recompose-gelu`: the spelled-out gelu forms exporters write become `infer.gelu` with the
same numbers (ONNX graphs in many orderings, dynamic dims, f16, PyTorch's exporter), and
look-alikes stay as they are."""

from __future__ import annotations

import io
from collections import Counter

import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, run
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import ModuleOp

import infer
from infer.dialects.infer.activation import GeluOp
from infer.registry import load_context
from infer.transforms.recompose_gelu import RecomposeGeluPass

Node = tuple[str, list[str], str]
"""(op type, inputs, output): one ONNX node; inputs named `c:<value>` are scalar constants."""

ERF_FORMS: dict[str, list[Node]] = {
    # PyTorch's legacy exporter: (x * (1 + erf(x / 1.4142135))) * 0.5
    "torch": [
        ("Div", ["x", "c:1.4142135"], "a"),
        ("Erf", ["a"], "e"),
        ("Add", ["e", "c:1.0"], "p"),
        ("Mul", ["x", "p"], "m"),
        ("Mul", ["m", "c:0.5"], "y"),
    ],
    # the half first, x * 0.70710677, constants on the left
    "half_first": [
        ("Mul", ["c:0.5", "x"], "h"),
        ("Mul", ["c:0.70710677", "x"], "a"),
        ("Erf", ["a"], "e"),
        ("Add", ["c:1.0", "e"], "p"),
        ("Mul", ["h", "p"], "y"),
    ],
    # TensorFlow: x * cdf, cdf = 0.5 * (1 + erf(x / sqrt(2)))
    "cdf": [
        ("Div", ["x", "c:1.4142135623730951"], "a"),
        ("Erf", ["a"], "e"),
        ("Add", ["e", "c:1.0"], "p"),
        ("Mul", ["c:0.5", "p"], "cdf"),
        ("Mul", ["x", "cdf"], "y"),
    ],
    # the half as a division by 2, last
    "div_two": [
        ("Mul", ["x", "c:0.7071067811865476"], "a"),
        ("Erf", ["a"], "e"),
        ("Add", ["e", "c:1.0"], "p"),
        ("Mul", ["p", "x"], "m"),
        ("Div", ["m", "c:2.0"], "y"),
    ],
}

TANH_FORMS: dict[str, list[Node]] = {
    # PyTorch's legacy exporter for approximate="tanh"
    "torch": [
        ("Mul", ["x", "x"], "x2"),
        ("Mul", ["x", "x2"], "x3"),
        ("Mul", ["c:0.044715", "x3"], "k"),
        ("Add", ["x", "k"], "s"),
        ("Mul", ["c:0.7978846", "s"], "a"),
        ("Tanh", ["a"], "t"),
        ("Add", ["c:1.0", "t"], "p"),
        ("Mul", ["x", "p"], "m"),
        ("Mul", ["c:0.5", "m"], "y"),
    ],
    # HuggingFace's NewGELU / TensorFlow: pow(x, 3), half first
    "pow": [
        ("Pow", ["x", "c:3.0"], "x3"),
        ("Mul", ["x3", "c:0.044715"], "k"),
        ("Add", ["k", "x"], "s"),
        ("Mul", ["s", "c:0.7978845608028654"], "a"),
        ("Tanh", ["a"], "t"),
        ("Mul", ["x", "c:0.5"], "h"),
        ("Add", ["t", "c:1.0"], "p"),
        ("Mul", ["h", "p"], "y"),
    ],
    # Megatron's fast gelu: 0.5 * x * (1 + tanh(0.79788456 * x * (1 + 0.044715 * x * x)))
    "factored": [
        ("Mul", ["c:0.79788456", "x"], "cx"),
        ("Mul", ["x", "x"], "x2"),
        ("Mul", ["c:0.044715", "x2"], "k"),
        ("Add", ["c:1.0", "k"], "q"),
        ("Mul", ["cx", "q"], "a"),
        ("Tanh", ["a"], "t"),
        ("Add", ["c:1.0", "t"], "p"),
        ("Mul", ["c:0.5", "x"], "h"),
        ("Mul", ["h", "p"], "y"),
    ],
}

ONNX_TYPES = {np.float32: TensorProto.FLOAT, np.float16: TensorProto.FLOAT16, np.float64: TensorProto.DOUBLE}


def graph_model(nodes: list[Node], dtype: type = np.float32, shape: list[int | str] | None = None) -> onnx.ModelProto:
    """A model `x -> nodes -> y` (scalar constants as initializers), each node named after its output."""
    shape = shape if shape is not None else ["N", "S", 8]
    initializers = []
    onnx_nodes = []
    for op_type, inputs, output in nodes:
        names = []
        for name in inputs:
            if name.startswith("c:"):
                constant = f"{output}_{len(initializers)}"
                initializers.append(numpy_helper.from_array(np.array(float(name[2:]), dtype), constant))
                name = constant
            names.append(name)
        onnx_nodes.append(helper.make_node(op_type, names, [output], name=output))
    graph = helper.make_graph(
        onnx_nodes,
        "gelu",
        [helper.make_tensor_value_info("x", ONNX_TYPES[dtype], shape)],
        [helper.make_tensor_value_info("y", ONNX_TYPES[dtype], shape)],
        initializers,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def counts(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk())


def gelus(module: ModuleOp) -> list[GeluOp]:
    return [op for op in module.walk() if isinstance(op, GeluOp)]


def check_recomposed(model: onnx.ModelProto, x: np.ndarray, approximate: str, nodes: list[Node], **tol: float) -> None:
    module = infer.to_infer(model)
    after = assert_pass_preserves(module, RecomposeGeluPass(), {"x": x}, **tol)
    (gelu,) = gelus(after)
    assert gelu.approximate.data == approximate
    found = counts(after)
    assert found["infer.erf"] == found["infer.tanh"] == found["infer.mul"] == found["infer.add"] == 0
    assert found["infer.constant"] == 0
    # Located at the fused nodes, in program order: it stands for the last one.
    text = infer.print_ir(after, debuginfo=True)
    assert "loc(fused[" + ", ".join(f'"{output}"' for _, _, output in nodes) + "])" in text


def sample(rng: np.random.Generator, shape: tuple[int, ...], dtype: type = np.float32) -> np.ndarray:
    # Wide enough to reach both tails of erf and tanh.
    return (rng.standard_normal(shape) * 3).astype(dtype)


@pytest.mark.parametrize("form", ERF_FORMS)
def test_erf_forms(form: str, rng: np.random.Generator) -> None:
    nodes = ERF_FORMS[form]
    check_recomposed(graph_model(nodes), sample(rng, (2, 5, 8)), "none", nodes)


@pytest.mark.parametrize("form", TANH_FORMS)
def test_tanh_forms(form: str, rng: np.random.Generator) -> None:
    nodes = TANH_FORMS[form]
    check_recomposed(graph_model(nodes), sample(rng, (3, 4, 8)), "tanh", nodes)


@pytest.mark.parametrize("dtype", [np.float16, np.float64])
def test_other_float_types(dtype: type, rng: np.random.Generator) -> None:
    tolerance = {"rtol": 2e-3, "atol": 2e-3} if dtype == np.float16 else {}
    for nodes, approximate in ((ERF_FORMS["torch"], "none"), (TANH_FORMS["torch"], "tanh")):
        check_recomposed(graph_model(nodes, dtype), sample(rng, (2, 3, 8), dtype), approximate, nodes, **tolerance)


def test_dynamic_dims_take_any_size(rng: np.random.Generator) -> None:
    module = infer.to_infer(graph_model(ERF_FORMS["torch"], shape=["A", "B", "C"]))
    for shape in [(1, 1, 1), (2, 7, 3), (4, 1, 16)]:
        after = assert_pass_preserves(module, RecomposeGeluPass(), {"x": sample(rng, shape)})
        assert len(gelus(after)) == 1


LOOK_ALIKES: dict[str, list[Node]] = {
    "wrong_sqrt2": [
        (op, [("c:1.5" if i == "c:1.4142135" else i) for i in ins], out) for op, ins, out in ERF_FORMS["torch"]
    ],
    "wrong_half": [(op, [("c:0.25" if i == "c:0.5" else i) for i in ins], out) for op, ins, out in ERF_FORMS["torch"]],
    "no_half": ERF_FORMS["torch"][:-1] + [("Identity", ["m"], "y")],
    "wrong_cubic": [
        (op, [("c:0.05" if i == "c:0.044715" else i) for i in ins], out) for op, ins, out in TANH_FORMS["torch"]
    ],
    "square_not_cube": [("Mul", ["x", "x"], "x3")] + TANH_FORMS["torch"][2:],
    "sigmoid_not_tanh": [(("Sigmoid" if op == "Tanh" else op), ins, out) for op, ins, out in TANH_FORMS["torch"]],
    "other_input": [("Neg", ["x"], "z"), ("Div", ["z", "c:1.4142135"], "a")] + ERF_FORMS["torch"][1:],
}


@pytest.mark.parametrize("form", LOOK_ALIKES)
def test_look_alikes_stay(form: str, rng: np.random.Generator) -> None:
    module = infer.to_infer(graph_model(LOOK_ALIKES[form]))
    after = assert_pass_preserves(module, RecomposeGeluPass(), {"x": sample(rng, (2, 3, 8))})
    assert not gelus(after)
    assert str(after) == str(module)


def test_intermediate_with_another_use_stays(rng: np.random.Generator) -> None:
    """`x * (1 + erf(...))` is also an output: rewriting would compute it twice."""
    model = graph_model(ERF_FORMS["torch"])
    model.graph.output.append(helper.make_tensor_value_info("m", TensorProto.FLOAT, ["N", "S", 8]))
    module = infer.to_infer(model)
    before = str(module)
    RecomposeGeluPass().apply(load_context(), module)
    assert str(module) == before


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_pytorch_export(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    net = torch.nn.Sequential(
        torch.nn.Linear(8, 16), torch.nn.GELU(), torch.nn.Linear(16, 16), torch.nn.GELU(approximate="tanh")
    )
    buffer = io.BytesIO()
    torch.onnx.export(
        net,
        (torch.randn(2, 8),),
        buffer,
        opset_version=13,
        dynamo=False,
        input_names=["x"],
        output_names=["y"],
        dynamic_axes={"x": {0: "N"}, "y": {0: "N"}},
    )
    module = infer.to_infer(onnx.load_from_string(buffer.getvalue()))
    after = assert_pass_preserves(module, RecomposeGeluPass(), {"x": sample(rng, (5, 8))})
    assert sorted(g.approximate.data for g in gelus(after)) == ["none", "tanh"]
    assert counts(after)["infer.erf"] == counts(after)["infer.tanh"] == 0
    # The network agrees with PyTorch after the pass, too.
    x = sample(rng, (3, 8))
    with torch.no_grad():
        expected = net(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(run(after, {"x": x})[0], expected, rtol=1e-4, atol=1e-5)
