"""The C target from the Python API, the ONNX backend and the command-line tools."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from c_harness import needs_cc
from onnx import TensorProto, helper

import infer
import infer.backend as backend
from infer.tools import compile as compile_tool
from infer.tools import run as run_tool

pytestmark = needs_cc

EXAMPLE = Path(__file__).parents[3] / "examples" / "conv_bn_relu.onnx"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("c_cache"))


def test_example_matches_the_interpreter(cache: str, rng: np.random.Generator) -> None:
    compiled = infer.compile(EXAMPLE, target="c", cache_dir=cache)
    reference = infer.compile(EXAMPLE)
    assert compiled.input_names == reference.input_names and compiled.output_names == reference.output_names
    for shape in [(1, 3, 8, 8), (2, 3, 5, 7), (1, 3, 1, 1)]:
        x = rng.standard_normal(shape).astype(np.float32)
        got, want = compiled.run({"data": x}), reference.run({"data": x})
        for name in want:
            np.testing.assert_allclose(got[name], want[name], rtol=1e-5, atol=1e-5)
    assert compiled.build.library.exists()


def _add_relu() -> onnx.ModelProto:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])
    bias = helper.make_tensor("b", TensorProto.FLOAT, [4], [0.5, -1.0, 2.0, -3.0])
    nodes = [
        helper.make_node("Add", ["x", "b"], ["s"], name="add"),
        helper.make_node("Relu", ["s"], ["y"], name="relu"),
    ]
    graph = helper.make_graph(nodes, "add_relu", [x], [y], [bias])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_backend_prepare(cache: str, rng: np.random.Generator) -> None:
    rep = backend.prepare(_add_relu(), device="CPU", target="c", threads=1, cache_dir=cache)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    (y,) = rep.run([x])
    np.testing.assert_array_equal(y, np.maximum(x + np.array([0.5, -1.0, 2.0, -3.0], np.float32), 0))


def test_infer_run_target_c(tmp_path: Path, cache: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.npz"
    code = run_tool.main([str(EXAMPLE), "--target", "c", "--cache-dir", cache, "--shape", "data=1,3,6,6"])
    assert code == 0
    assert "features: shape (1, 256, 6, 6) dtype float32" in capsys.readouterr().out
    code = run_tool.main(
        [str(EXAMPLE), "--target", "c", "--cache-dir", cache, "--shape", "data=1,3,6,6", "--outputs", str(out)]
    )
    assert code == 0
    interp = tmp_path / "interp.npz"
    assert run_tool.main([str(EXAMPLE), "--shape", "data=1,3,6,6", "--outputs", str(interp)]) == 0
    with np.load(out) as c, np.load(interp) as i:
        np.testing.assert_allclose(c["features"], i["features"], rtol=1e-5, atol=1e-5)


def test_infer_run_target_c_bad_input(cache: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = run_tool.main([str(EXAMPLE), "--target", "c", "--cache-dir", cache, "--shape", "data=1,4,6,6"])
    assert code == 1
    assert capsys.readouterr().err.strip() == "infer-run: error: input 'data': dim 1 is 4, expected 3"


def test_infer_compile(tmp_path: Path, cache: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "model"
    assert compile_tool.main([str(EXAMPLE), "-o", str(out), "--cache-dir", cache]) == 0
    first = capsys.readouterr().out
    assert compile_tool.main([str(EXAMPLE), "-o", str(out), "--cache-dir", cache]) == 0
    second = capsys.readouterr().out
    assert "compiled in" in first and second.strip().endswith("(cached)")
    assert sorted(p.name for p in out.iterdir()) == [
        "infer_kernels.h",
        "infer_rt.c",
        "infer_rt.h",
        "libmodel.so",
        "model.c",
        "model.h",
        "weights.bin",
    ]
    assert "input 0 'data': float32 [N, 3, H, W]" in (out / "model.h").read_text()


def test_infer_compile_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert compile_tool.main([str(EXAMPLE)]) == 1
    assert capsys.readouterr().err.strip() == (
        "infer-compile: error: no output directory; give one with -o DIR (or print the C with --emit-c)"
    )
    assert compile_tool.main([str(EXAMPLE), "-o", str(tmp_path), "--cc", "no-such-cc"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("infer-compile: error: no C compiler: 'no-such-cc' is not on PATH") and "\n" not in err


def test_backend_uses_the_cache_dir(tmp_path: Path) -> None:
    backend.prepare(_add_relu(), target="c", cache_dir=str(tmp_path))
    assert any((entry / "libmodel.so").exists() for entry in tmp_path.iterdir())


def test_a_model_without_ops(cache: str) -> None:
    """Mean of one input is the input: a function that only forwards a tensor is still lowered."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])
    graph = helper.make_graph([helper.make_node("Mean", ["x"], ["y"])], "mean", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    data = np.array([1.0, -2.0, 3.5], np.float32)
    np.testing.assert_array_equal(infer.compile(model, target="c", cache_dir=cache).run([data])["y"], data)
