"""The indexing family (CumSum, CumProd, Trilu, OneHot, GatherND, the scatters, TopK,
EyeLike, DepthToSpace, SpaceToDepth) through convert-onnx-to-infer, against
onnxruntime (or onnx's reference evaluator where onnxruntime lacks the op), run
by the interpreter and compiled to C."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import onnx
import pytest
from onnx.reference import ReferenceEvaluator
from onnx_models import node_model, run_onnxruntime

import infer

HAS_CC = shutil.which("cc") is not None or shutil.which("gcc") is not None


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("c_cache"))


def i64(*values: int) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def f32(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


def _compare(actual: Sequence[np.ndarray], expected: Sequence[np.ndarray], what: str, tolerance: float) -> None:
    assert len(actual) == len(expected), what
    for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
        assert a.dtype == e.dtype, f"{what} output {i}: dtype {a.dtype} != {e.dtype}"
        assert a.shape == e.shape, f"{what} output {i}: shape {a.shape} != {e.shape}"
        if e.dtype.kind == "f":
            np.testing.assert_allclose(a, e, rtol=tolerance, atol=tolerance, equal_nan=True, err_msg=f"{what} {i}")
        else:
            np.testing.assert_array_equal(a, e, err_msg=f"{what} output {i}")


def check(
    model: onnx.ModelProto,
    feeds_list: Sequence[Mapping[str, np.ndarray]],
    cache: str | None = None,
    *,
    oracle: str = "onnxruntime",
    tolerance: float = 1e-5,
) -> None:
    """The model through the interpreter and (with `cache`) through C matches the oracle on every feed."""
    interpreted = infer.compile(model)
    compiled = infer.compile(model, target="c", cache_dir=cache) if cache is not None and HAS_CC else None
    for feeds in feeds_list:
        if oracle == "onnxruntime":
            expected = run_onnxruntime(model, feeds)
        else:
            expected = ReferenceEvaluator(model).run(None, dict(feeds))
        expected = [np.asarray(e) for e in expected]
        _compare(list(interpreted.run(dict(feeds)).values()), expected, "interpreter", tolerance)
        if compiled is not None:
            _compare(list(compiled.run(dict(feeds)).values()), expected, "C", tolerance)


def assert_diagnostic(model: Any, *parts: str) -> None:
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    message = str(info.value)
    assert "\n" not in message, message
    for part in parts:
        assert part in message, message


# -- CumSum, CumProd ---------------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["CumSum", "CumProd"])
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
@pytest.mark.parametrize("exclusive", [0, 1])
@pytest.mark.parametrize("reverse", [0, 1])
def test_cumulative(op: str, axis: int, exclusive: int, reverse: int, rng: np.random.Generator, cache: str) -> None:
    x = rng.uniform(0.5, 1.5, (2, 3, 4)).astype(np.float32)
    opset = 14 if op == "CumSum" else 26
    model = node_model(
        op,
        {"x": x},
        opset=opset,
        attrs={"exclusive": exclusive, "reverse": reverse},
        initializers={"axis": np.array(axis, np.int64)},
        input_shapes={"x": ["N", 3, "W"]},
    )
    oracle = "onnxruntime" if op == "CumSum" else "reference"
    check(model, [{"x": x}, {"x": x[:1, :, :2]}], cache, oracle=oracle)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float64])
@pytest.mark.parametrize("opset", [11, 14])
def test_cumsum_types_and_opsets(dtype: type, opset: int, rng: np.random.Generator, cache: str) -> None:
    x = rng.integers(-50, 50, (3, 5)).astype(dtype)
    model = node_model("CumSum", {"x": x}, opset=opset, initializers={"axis": np.array(1, np.int32)})
    check(model, [{"x": x}], cache)


@pytest.mark.parametrize("op", ["CumSum", "CumProd"])
def test_cumulative_axis_at_run_time(op: str, rng: np.random.Generator, cache: str) -> None:
    x = rng.integers(-3, 4, (2, 3, 4)).astype(np.int32)
    opset = 14 if op == "CumSum" else 26
    model = node_model(op, {"x": x, "axis": np.array(0, np.int64)}, opset=opset, attrs={"reverse": 1, "exclusive": 1})
    feeds = [{"x": x, "axis": np.array(a, np.int64)} for a in (0, 1, 2, -1, -2)]
    check(model, feeds, cache, oracle="onnxruntime" if op == "CumSum" else "reference")


def test_cumsum_axis_out_of_range_at_run_time(rng: np.random.Generator) -> None:
    x = f32(rng, 2, 3)
    model = node_model("CumSum", {"x": x, "axis": np.array(2, np.int64)}, opset=14)
    with pytest.raises(infer.InferError, match=r"infer\.cumsum axis 2 is out of range for rank 2"):
        infer.compile(model).run({"x": x, "axis": np.array(2, np.int64)})


def test_cumsum_bad_axis_is_a_diagnostic(rng: np.random.Generator) -> None:
    x = f32(rng, 2, 3)
    model = node_model("CumSum", {"x": x}, opset=14, initializers={"axis": i64(2)})
    assert_diagnostic(model, "node 'cumsum_node' (CumSum, opset 14)", "axis 2 is out of range for rank 2")
    model = node_model("CumSum", {"x": x}, opset=14, initializers={"axis": i64(0, 1)})
    assert_diagnostic(model, "(CumSum, opset 14)", "input 'axis' must hold one value")
