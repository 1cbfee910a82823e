"""The transformer family through convert-onnx-to-infer, against onnxruntime: Einsum,
RMS/group/Lp/mean-variance normalization, RotaryEmbedding, Attention; through the
interpreter at -O0 and -O2, and compiled to C."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import onnx
import pytest
from onnx_models import assert_matches_onnxruntime, node_model, run_onnxruntime

import infer


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("c_cache"))


def _f32(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


def _assert_levels_match(
    model: onnx.ModelProto, feeds: Mapping[str, np.ndarray], *, rtol: float = 1e-4, atol: float = 1e-5
) -> None:
    """-O0 and -O2 through the interpreter, both against onnxruntime."""
    expected = run_onnxruntime(model, feeds)
    for level in (0, 2):
        actual = list(infer.compile(model, opt_level=level).run(dict(feeds)).values())
        for a, e in zip(actual, expected, strict=True):
            assert a.dtype == e.dtype and a.shape == e.shape
            np.testing.assert_allclose(a, e, rtol=rtol, atol=atol)


def _assert_c_matches(
    model: onnx.ModelProto, feeds_list: list[dict[str, np.ndarray]], cache: str, *, rtol: float = 1e-4
) -> None:
    """The model compiled to C, on each feed, against onnxruntime."""
    compiled = infer.compile(model, target="c", cache_dir=cache, threads=1)
    for feeds in feeds_list:
        expected = run_onnxruntime(model, feeds)
        actual = list(compiled.run(feeds).values())
        for a, e in zip(actual, expected, strict=True):
            assert a.dtype == e.dtype and a.shape == e.shape
            np.testing.assert_allclose(a, e, rtol=rtol, atol=1e-5)


def _assert_one_line(info: pytest.ExceptionInfo[infer.InferError], *parts: str) -> None:
    message = str(info.value)
    assert "\n" not in message
    for part in parts:
        assert part in message, message


# -- Einsum ------------------------------------------------------------------------------------


EINSUM_CASES = [
    ("ij->i", [(3, 4)]),
    ("ij->ji", [(3, 4)]),
    ("ij", [(3, 4)]),
    ("ji", [(3, 4)]),
    ("ij->", [(3, 4)]),
    ("i,i", [(5,), (5,)]),
    ("i,j->", [(3,), (4,)]),
    ("i,j", [(3,), (4,)]),
    ("ij,jk", [(3, 4), (4, 5)]),
    ("ij,jk->ki", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("bhqk,bhkd->bqhd", [(2, 3, 4, 6), (2, 3, 6, 5)]),
    ("abc,cd->abd", [(2, 3, 4), (4, 5)]),
    ("abcd,cdef->abef", [(2, 3, 4, 5), (4, 5, 3, 2)]),
    ("zicd,cdk->ki", [(7, 3, 4, 5), (4, 5, 6)]),
    ("ij,kl->ijkl", [(2, 3), (4, 5)]),
    ("ij,ij->ij", [(3, 4), (3, 4)]),
    ("ij,ij->i", [(3, 4), (3, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("a,ab,bc->c", [(2,), (2, 3), (3, 4)]),
    ("ii", [(4, 4)]),
    ("ii->i", [(4, 4)]),
    ("...ii->...i", [(3, 5, 5)]),
    ("bii,bi->b", [(2, 4, 4), (2, 4)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (2, 5, 4, 6)]),
    ("...ij,...jk", [(2, 3, 4), (2, 4, 6)]),
    ("i...,i...->...", [(3, 2, 4), (3, 2, 4)]),
    ("...,...", [(2, 3), (2, 3)]),
    ("b i j, b j k -> b i k", [(2, 3, 4), (2, 4, 5)]),
    ("->", [()]),
    (",->", [(), ()]),
]


@pytest.mark.parametrize(("equation", "shapes"), EINSUM_CASES, ids=[e for e, _ in EINSUM_CASES])
def test_einsum(equation: str, shapes: list[tuple[int, ...]], rng: np.random.Generator) -> None:
    feeds = {f"x{k}": _f32(rng, *s) for k, s in enumerate(shapes)}
    model = node_model("Einsum", feeds, opset=12, attrs={"equation": equation})
    _assert_levels_match(model, feeds)


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.int32])
def test_einsum_types(dtype: type, rng: np.random.Generator) -> None:
    a, b = rng.standard_normal((2, 3, 4)) * 4, rng.standard_normal((2, 4)) * 4
    feeds = {"a": a.astype(dtype), "b": b.astype(dtype)}
    model = node_model("Einsum", feeds, opset=12, attrs={"equation": "bij,bj->bi"})
    assert_matches_onnxruntime(model, feeds)


@pytest.mark.parametrize(
    "equation", ["bhqd,bhkd->bhqk", "bhqd,bhkd->qbk", "abcd,abed->ce", "abcd,abed->ceab", "abcd,abcd->"]
)
def test_einsum_dynamic_dims(equation: str, rng: np.random.Generator) -> None:
    a, b = _f32(rng, 2, 3, 4, 5), _f32(rng, 2, 3, 6, 5)
    if equation == "abcd,abcd->":
        b = _f32(rng, 2, 3, 4, 5)
    shapes = {"a": ["B", "H", "Q", "D"], "b": ["B", "H", "K", "D"]}
    model = node_model("Einsum", {"a": a, "b": b}, opset=12, attrs={"equation": equation}, input_shapes=shapes)
    _assert_levels_match(model, {"a": a, "b": b})
    c, d = _f32(rng, 1, 2, 3, 5), _f32(rng, 1, 2, 7, 5)
    if equation == "abcd,abcd->":
        d = _f32(rng, 1, 2, 3, 5)
    assert_matches_onnxruntime(model, {"a": c, "b": d})


def test_einsum_c(cache: str, rng: np.random.Generator) -> None:
    a, b = _f32(rng, 2, 3, 4, 5), _f32(rng, 2, 3, 6, 5)
    shapes = {"a": ["B", "H", "Q", "D"], "b": ["B", "H", "K", "D"]}
    model = node_model("Einsum", {"a": a, "b": b}, opset=12, attrs={"equation": "abcd,abed->ceb"}, input_shapes=shapes)
    _assert_c_matches(model, [{"a": a, "b": b}, {"a": _f32(rng, 3, 1, 2, 4), "b": _f32(rng, 3, 1, 5, 4)}], cache)
    x = _f32(rng, 3, 5, 5)
    model = node_model("Einsum", {"x": x}, opset=12, attrs={"equation": "...ii->...i"}, input_shapes={"x": ["N", 5, 5]})
    _assert_c_matches(model, [{"x": x}, {"x": _f32(rng, 1, 5, 5)}], cache)


@pytest.mark.parametrize(
    ("equation", "message"),
    [
        ("ii->i", "the diagonal over index 'i' needs static dims of one size, got dynamic dims"),
        ("ij->k", "output index 'k' of equation 'ij->k' appears in no operand"),
        ("ijk->i", "equation term 'ijk' names 3 dims, the operand has rank 2"),
        ("ij->ii", "repeats an index"),
        ("i1->i", "may hold only letters"),
    ],
)
def test_einsum_diagnostics(equation: str, message: str) -> None:
    x = np.zeros((3, 3), np.float32)
    model = node_model("Einsum", {"x": x}, opset=12, attrs={"equation": equation}, input_shapes={"x": ["N", "N"]})
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    _assert_one_line(info, "node 'einsum_node' (Einsum, opset 12)", message)
