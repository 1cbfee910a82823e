"""`infer.backend` on models whose graph inputs carry values infer needs at compile
time (axes, pads, sizes given as inputs): they are specialized at `run`, once per
distinct value, and match onnxruntime; and shape arithmetic between constants folds
during conversion so that the next node sees a constant."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

import infer
import infer.backend as backend
from infer.backend import InferRep, SpecializingRep
from infer.diagnostics import NotConstantError


def reduce_with_axes_input(opset: int = 18) -> onnx.ModelProto:
    """ReduceSum(data, axes) with `axes` a graph input, then Relu."""
    nodes = [
        helper.make_node("ReduceSum", ["data", "axes"], ["sum"], keepdims=1),
        helper.make_node("Relu", ["sum"], ["out"]),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [
            helper.make_tensor_value_info("data", TensorProto.FLOAT, [2, 3, 4]),
            helper.make_tensor_value_info("axes", TensorProto.INT64, [None]),
        ],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, None)],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def expected(model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


@pytest.mark.parametrize("target", ["interp", "c"])
def test_axes_input_is_specialized_per_value(target: str, rng: np.random.Generator, tmp_path) -> None:
    model = reduce_with_axes_input()
    rep = backend.prepare(model, target=target, cache_dir=str(tmp_path))
    assert isinstance(rep, SpecializingRep)
    assert rep.names == ["axes"]
    data = rng.standard_normal((2, 3, 4)).astype(np.float32)
    for axes in ([1], [0, 2], [-1], [1]):
        feeds = {"data": data, "axes": np.array(axes, np.int64)}
        (got,) = rep.run([feeds["data"], feeds["axes"]])
        (want,) = expected(model, feeds)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # [1] twice: three distinct variants compiled.
    assert len(rep.variants) == 3
    (by_name,) = rep.run({"axes": np.array([0], np.int64), "data": data})
    np.testing.assert_allclose(by_name, np.maximum(data.sum(0, keepdims=True), 0), rtol=1e-5, atol=1e-6)


def test_without_specialization_the_error_names_the_graph_input() -> None:
    with pytest.raises(NotConstantError) as info:
        backend.prepare(reduce_with_axes_input(), specialize=False)
    assert info.value.graph_inputs == ("axes",)
    assert "input 'axes' must be a constant" in str(info.value)
    # The API compiles ahead of time: the same diagnostic.
    with pytest.raises(NotConstantError):
        infer.compile(reduce_with_axes_input())


def test_specialized_run_checks_its_inputs(rng: np.random.Generator) -> None:
    rep = backend.prepare(reduce_with_axes_input())
    with pytest.raises(infer.InferError, match="takes 2 inputs, got 1"):
        rep.run([rng.standard_normal((2, 3, 4)).astype(np.float32)])
    with pytest.raises(infer.InferError, match="input 'axes' is missing"):
        rep.run({"data": rng.standard_normal((2, 3, 4)).astype(np.float32)})


def test_value_derived_from_an_input_is_traced_to_it(rng: np.random.Generator) -> None:
    """Pads computed from a graph input (Concat of it with a constant) specialize on that input."""
    nodes = [
        helper.make_node("Constant", [], ["zeros"], value=helper.make_tensor("z", TensorProto.INT64, [2], [0, 0])),
        helper.make_node("Concat", ["zeros", "begin", "zeros", "end"], ["pads"], axis=0),
        helper.make_node("Pad", ["x", "pads"], ["y"], mode="constant"),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 3, 3]),
            helper.make_tensor_value_info("begin", TensorProto.INT64, [2]),
            helper.make_tensor_value_info("end", TensorProto.INT64, [2]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    rep = backend.prepare(model)
    assert isinstance(rep, SpecializingRep)
    assert sorted(rep.names) == ["begin", "end"]
    feeds = {
        "x": rng.standard_normal((1, 2, 3, 3)).astype(np.float32),
        "begin": np.array([1, 0], np.int64),
        "end": np.array([2, 1], np.int64),
    }
    (got,) = rep.run(feeds)
    (want,) = expected(model, feeds)
    np.testing.assert_array_equal(got, want)


def test_shape_arithmetic_folds_during_conversion(rng: np.random.Generator) -> None:
    """ConstantOfShape(Size(Shape(x)) - 1) feeds a Reshape: the Sub of two constants
    folds while converting, so Reshape gets a shape of static length."""
    one = helper.make_tensor("one", TensorProto.INT64, [1], [1])
    nodes = [
        helper.make_node("Shape", ["x"], ["shape"]),
        helper.make_node("Size", ["shape"], ["rank"]),
        helper.make_node("Constant", [], ["one"], value=one),
        helper.make_node("Sub", ["rank", "one"], ["count"]),
        helper.make_node("ConstantOfShape", ["count"], ["ones"], value=one),
        helper.make_node("Constant", [], ["minus"], value=helper.make_tensor("m", TensorProto.INT64, [1], [-1])),
        helper.make_node("Concat", ["minus", "ones"], ["target"], axis=0),
        helper.make_node("Reshape", ["x", "target"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    rep = backend.prepare(model, opt_level=0)
    assert isinstance(rep, InferRep)
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    (got,) = rep.run([x])
    assert got.shape == (24, 1, 1)
    np.testing.assert_array_equal(got.reshape(-1), x.reshape(-1))


def test_folded_scalar_stays_a_scalar() -> None:
    """Squeeze of a constant [1] tensor folds to a 0-d constant (Range needs scalars)."""
    zero = helper.make_tensor("zero", TensorProto.INT64, [1], [0])
    five = helper.make_tensor("five", TensorProto.INT64, [1], [5])
    nodes = [
        helper.make_node("Constant", [], ["zero"], value=zero),
        helper.make_node("Constant", [], ["five"], value=five),
        helper.make_node("Squeeze", ["zero", "zero"], ["start"]),
        helper.make_node("Squeeze", ["five", "zero"], ["limit"]),
        helper.make_node("Range", ["start", "limit", "limit"], ["r"]),
        helper.make_node("Add", ["x", "r"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.INT64, [1])],
        [helper.make_tensor_value_info("y", TensorProto.INT64, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    (got,) = backend.prepare(model).run([np.array([7], np.int64)])
    np.testing.assert_array_equal(got, [7])


def test_infer_run_specializes_on_the_inputs_given(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    from infer.tools import run as run_tool

    path = tmp_path / "reduce.onnx"
    onnx.save(reduce_with_axes_input(), path)
    data = np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 8
    inputs, outputs = tmp_path / "in.npz", tmp_path / "out.npz"
    np.savez(inputs, data=data, axes=np.array([1], np.int64))
    assert run_tool.main([str(path), "--inputs", str(inputs), "--outputs", str(outputs)]) == 0
    assert "out: shape (2, 1, 4) dtype float32" in capsys.readouterr().out
    with np.load(outputs) as result:
        np.testing.assert_array_equal(result["out"], np.maximum(data.sum(1, keepdims=True), 0))
    # Without the value: one line naming the input and what to do, exit code 1.
    assert run_tool.main([str(path), "--shape", "data=2,3,4"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "input 'axes' must be a constant" in err and "give that graph input's value with --inputs" in err
