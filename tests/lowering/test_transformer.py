"""The transformer family through convert-onnx-to-infer, against onnxruntime: Einsum,
RMS/group/Lp/mean-variance normalization, RotaryEmbedding, Attention; through the
interpreter at -O0 and -O2, and compiled to C."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, parse
from onnx.reference import ReferenceEvaluator
from onnx_models import assert_matches_onnxruntime, node_model, run_infer, run_onnxruntime

import infer
from infer.transforms.decompose_composites import DecomposeCompositesPass


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


def _assert_matches_reference(model: onnx.ModelProto, feeds: Mapping[str, np.ndarray]) -> None:
    """-O0 and -O2 against onnx's reference evaluator (where onnxruntime differs from the spec)."""
    expected = ReferenceEvaluator(model).run(None, dict(feeds))
    for level in (0, 2):
        actual = list(infer.compile(model, opt_level=level).run(dict(feeds)).values())
        for a, e in zip(actual, expected, strict=True):
            assert a.dtype == e.dtype and a.shape == e.shape
            np.testing.assert_allclose(a, e, rtol=1e-4, atol=1e-5)


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


# -- RMSNormalization, GroupNormalization -------------------------------------------------------


@pytest.mark.parametrize(
    ("axis", "scale_shape"), [(-1, (6,)), (2, (1, 6)), (1, (5, 6)), (-2, (5, 1)), (0, (4, 5, 6)), (-3, (1,))]
)
def test_rms_norm(axis: int, scale_shape: tuple[int, ...], rng: np.random.Generator) -> None:
    x = _f32(rng, 4, 5, 6) * 2 + 1
    model = node_model(
        "RMSNormalization",
        {"x": x},
        opset=23,
        attrs={"axis": axis, "epsilon": 1e-3},
        initializers={"scale": _f32(rng, *scale_shape)},
    )
    _assert_levels_match(model, {"x": x})


def test_rms_norm_dynamic_dims_and_runtime_scale(rng: np.random.Generator) -> None:
    x, scale = _f32(rng, 2, 7, 16), _f32(rng, 16)
    model = node_model("RMSNormalization", {"x": x, "s": scale}, opset=23, input_shapes={"x": ["B", "T", 16]})
    _assert_levels_match(model, {"x": x, "s": scale})
    _assert_levels_match(model, {"x": _f32(rng, 1, 3, 16), "s": scale})


def test_rms_norm_f16(rng: np.random.Generator) -> None:
    # Statistics in f32 (stash_type 1), the scale applied in f16: onnx's reference evaluator is the oracle.
    x, scale = (_f32(rng, 3, 8) * 4).astype(np.float16), _f32(rng, 8).astype(np.float16)
    model = node_model("RMSNormalization", {"x": x}, opset=23, initializers={"scale": scale})
    (expected,) = ReferenceEvaluator(model).run(None, {"x": x})
    (actual,) = run_infer(model, {"x": x})
    assert actual.dtype == np.float16
    np.testing.assert_allclose(actual.astype(np.float32), expected.astype(np.float32), rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("opset", [18, 21])
@pytest.mark.parametrize(("shape", "groups"), [((2, 6, 5), 3), ((2, 6, 4, 5), 2), ((1, 4, 2, 3, 2), 4), ((3, 4), 1)])
def test_group_norm(opset: int, shape: tuple[int, ...], groups: int, rng: np.random.Generator) -> None:
    x = _f32(rng, *shape) * 3 + 1
    params = groups if opset == 18 else shape[1]
    model = node_model(
        "GroupNormalization",
        {"x": x},
        opset=opset,
        attrs={"num_groups": groups, "epsilon": 1e-3},
        initializers={"scale": _f32(rng, params), "bias": _f32(rng, params)},
        input_shapes={"x": ["N", shape[1], *[f"D{i}" for i in range(len(shape) - 2)]]},
    )
    _assert_levels_match(model, {"x": x})
    _assert_levels_match(model, {"x": _f32(rng, 3, shape[1], *[d + 1 for d in shape[2:]])})


def test_group_norm_18_runtime_parameters(rng: np.random.Generator) -> None:
    feeds = {"x": _f32(rng, 2, 6, 5), "s": _f32(rng, 3), "b": _f32(rng, 3)}
    model = node_model("GroupNormalization", feeds, opset=18, attrs={"num_groups": 3})
    _assert_levels_match(model, feeds)


@pytest.mark.parametrize(
    ("opset", "attrs", "message"),
    [
        (21, {"num_groups": 4}, "attribute 'num_groups' = 4 is not supported"),
        (21, {"num_groups": 3, "stash_type": 0}, "attribute 'stash_type' = 0 is not supported"),
        (18, {"num_groups": 2}, "scale must have shape [2], got [3]"),
    ],
)
def test_group_norm_diagnostics(opset: int, attrs: dict[str, int], message: str, rng: np.random.Generator) -> None:
    x = _f32(rng, 2, 6, 5)
    model = node_model(
        "GroupNormalization", {"x": x}, opset=opset, attrs=attrs, initializers={"s": _f32(rng, 3), "b": _f32(rng, 3)}
    )
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    _assert_one_line(info, f"(GroupNormalization, opset {opset})", message)


# -- LpNormalization, MeanVarianceNormalization --------------------------------------------------


@pytest.mark.parametrize("opset", [1, 22])
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_lp_norm(opset: int, p: int, axis: int, rng: np.random.Generator) -> None:
    x = _f32(rng, 3, 4, 5)
    model = node_model(
        "LpNormalization", {"x": x}, opset=opset, attrs={"p": p, "axis": axis}, input_shapes={"x": ["N", 4, "W"]}
    )
    _assert_levels_match(model, {"x": x})


def test_lp_norm_zero_norm_gives_zeros() -> None:
    x = np.array([[0.0, 0.0, 0.0], [3.0, 0.0, 4.0]], np.float32)
    for p in (1, 2):
        model = node_model("LpNormalization", {"x": x}, opset=22, attrs={"p": p})
        (y,) = run_infer(model, {"x": x})
        np.testing.assert_allclose(y, x / np.maximum(np.linalg.norm(x, ord=p, axis=1, keepdims=True), 1e-30))


def test_lp_norm_p3_is_a_diagnostic() -> None:
    model = node_model("LpNormalization", {"x": np.zeros((2, 3), np.float32)}, opset=22, attrs={"p": 3})
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    _assert_one_line(info, "(LpNormalization, opset 22)", "attribute 'p' = 3 is not supported")


@pytest.mark.parametrize("opset", [9, 13])
@pytest.mark.parametrize("axes", [None, [1], [0, 1, 2, 3], [-1, -2]])
def test_mean_variance_norm(opset: int, axes: list[int] | None, rng: np.random.Generator) -> None:
    x = _f32(rng, 2, 3, 4, 5) * 2 + 1
    attrs = {} if axes is None else {"axes": axes}
    model = node_model(
        "MeanVarianceNormalization", {"x": x}, opset=opset, attrs=attrs, input_shapes={"x": ["N", 3, "H", "W"]}
    )
    _assert_levels_match(model, {"x": x}, atol=1e-4)


NORMALIZATIONS_IR = """
func.func @main(%x: tensor<?x?x8xf32>, %s: tensor<1x1x8xf32>, %h: tensor<?x4x8xf16>, %t: tensor<1x4x8xf16>,
                %g: tensor<?x6x?x?xf32>, %p: tensor<6xf32>, %q: tensor<6xf32>, %k: tensor<?x6x5xf16>,
                %pk: tensor<6xf16>) -> (tensor<?x?x8xf32>, tensor<?x4x8xf16>, tensor<?x6x?x?xf32>, tensor<?x6x5xf16>) {
  %r = infer.rms_norm %x, %s {axis = 2 : i64, epsilon = 1.0e-5 : f64}
         : (tensor<?x?x8xf32>, tensor<1x1x8xf32>) -> tensor<?x?x8xf32>
  %rh = infer.rms_norm %h, %t {axis = 1 : i64, epsilon = 1.0e-3 : f64}
          : (tensor<?x4x8xf16>, tensor<1x4x8xf16>) -> tensor<?x4x8xf16>
  %gn = infer.group_norm %g, %p, %q {num_groups = 3 : i64, epsilon = 1.0e-5 : f64}
          : (tensor<?x6x?x?xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<?x6x?x?xf32>
  %gh = infer.group_norm %k, %pk, %pk {num_groups = 2 : i64, epsilon = 1.0e-5 : f64}
          : (tensor<?x6x5xf16>, tensor<6xf16>, tensor<6xf16>) -> tensor<?x6x5xf16>
  func.return %r, %rh, %gn, %gh : tensor<?x?x8xf32>, tensor<?x4x8xf16>, tensor<?x6x?x?xf32>, tensor<?x6x5xf16>
}
"""


def test_normalization_decompositions_match(rng: np.random.Generator) -> None:
    module = parse(NORMALIZATIONS_IR)
    inputs = [
        _f32(rng, 2, 3, 8) * 2 + 1,
        _f32(rng, 1, 1, 8),
        (_f32(rng, 3, 4, 8) * 2).astype(np.float16),
        _f32(rng, 1, 4, 8).astype(np.float16),
        _f32(rng, 2, 6, 3, 4) * 3 - 1,
        _f32(rng, 6),
        _f32(rng, 6),
        (_f32(rng, 2, 6, 5) * 2).astype(np.float16),
        _f32(rng, 6).astype(np.float16),
    ]
    after = assert_pass_preserves(module, DecomposeCompositesPass(), inputs, rtol=2e-3, atol=2e-3)
    names = {op.name for op in after.walk()}
    assert not names & {"infer.rms_norm", "infer.group_norm"}
    assert {"infer.reduce_mean", "infer.sqrt", "infer.reshape", "infer.cast"} <= names


def test_normalizations_c(cache: str, rng: np.random.Generator) -> None:
    x = _f32(rng, 2, 6, 4, 5)
    dynamic = {"x": ["N", 6, "H", "W"]}
    models = [
        node_model(
            "RMSNormalization",
            {"x": x},
            opset=23,
            attrs={"axis": 2},
            initializers={"s": _f32(rng, 4, 5)},
            input_shapes={"x": ["N", 6, 4, 5]},
        ),
        node_model(
            "GroupNormalization",
            {"x": x},
            opset=21,
            attrs={"num_groups": 3},
            initializers={"s": _f32(rng, 6), "b": _f32(rng, 6)},
            input_shapes=dynamic,
        ),
        node_model("LpNormalization", {"x": x}, opset=22, attrs={"axis": 1}, input_shapes=dynamic),
        node_model("MeanVarianceNormalization", {"x": x}, opset=13, input_shapes=dynamic),
    ]
    for model in models:
        _assert_c_matches(model, [{"x": x}, {"x": _f32(rng, 1, 6, 4, 5) * 3}], cache)
    _assert_c_matches(models[1], [{"x": _f32(rng, 3, 6, 2, 7)}], cache)


# -- RotaryEmbedding ----------------------------------------------------------------------------------


def _rotary_feeds(
    rng: np.random.Generator, rank: int, rotary: int, positions: bool, shape: tuple[int, int, int, int] = (2, 3, 5, 8)
) -> dict[str, np.ndarray]:
    batch, heads, seq, head = shape
    half = (rotary or head) // 2
    x = _f32(rng, batch, heads, seq, head) if rank == 4 else _f32(rng, batch, seq, heads * head)
    if positions:
        return {
            "x": x,
            "cos": _f32(rng, 16, half),
            "sin": _f32(rng, 16, half),
            "pos": rng.integers(0, 16, (batch, seq)).astype(np.int64),
        }
    return {"x": x, "cos": _f32(rng, batch, seq, half), "sin": _f32(rng, batch, seq, half)}


def _rotary_model(feeds: Mapping[str, np.ndarray], rank: int, attrs: Mapping[str, int]) -> onnx.ModelProto:
    head = feeds["x"].shape[-1]
    shapes: dict[str, list[int | str]] = {"x": ["B", "H", "S", head] if rank == 4 else ["B", "S", head]}
    if "pos" in feeds:
        shapes["pos"] = ["B", "S"]
    else:
        half = feeds["cos"].shape[-1]
        shapes["cos"] = shapes["sin"] = ["B", "S", half]
    return node_model("RotaryEmbedding", feeds, opset=23, attrs=attrs, input_shapes=shapes)


@pytest.mark.parametrize("rank", [3, 4])
@pytest.mark.parametrize("interleaved", [0, 1])
@pytest.mark.parametrize("rotary", [0, 4, 8])
@pytest.mark.parametrize("positions", [True, False])
def test_rotary_embedding(rank: int, interleaved: int, rotary: int, positions: bool, rng: np.random.Generator) -> None:
    feeds = _rotary_feeds(rng, rank, rotary, positions)
    attrs = {"interleaved": interleaved, "rotary_embedding_dim": rotary}
    if rank == 3:
        attrs["num_heads"] = 3
    model = _rotary_model(feeds, rank, attrs)
    _assert_levels_match(model, feeds)
    assert_matches_onnxruntime(model, _rotary_feeds(rng, rank, rotary, positions, (1, 3, 7, 8)))


def test_rotary_embedding_constant_caches(rng: np.random.Generator) -> None:
    # Caches as initializers (as exported models have them), one batch broadcast over the heads.
    x = _f32(rng, 2, 4, 6, 16)
    angles = np.arange(32)[:, None] * (10000.0 ** (-np.arange(8) / 8))[None, :]
    caches = {"cos": np.cos(angles).astype(np.float32), "sin": np.sin(angles).astype(np.float32)}
    pos = np.tile(np.arange(6, dtype=np.int64), (2, 1))
    model = node_model(
        "RotaryEmbedding", {"x": x, "pos": pos}, opset=23, initializers=caches, node_inputs=["x", "cos", "sin", "pos"]
    )
    _assert_levels_match(model, {"x": x, "pos": pos})


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({}, "attribute 'num_heads' = 0 is not supported"),
        ({"num_heads": 5}, "must be static and a multiple of num_heads 5"),
        ({"num_heads": 3, "rotary_embedding_dim": 10}, "attribute 'rotary_embedding_dim' = 10 is not supported"),
    ],
)
def test_rotary_embedding_diagnostics(attrs: dict[str, int], message: str, rng: np.random.Generator) -> None:
    feeds = _rotary_feeds(rng, 3, 0, False)
    model = node_model("RotaryEmbedding", feeds, opset=23, attrs=attrs)
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    _assert_one_line(info, "node 'rotaryembedding_node' (RotaryEmbedding, opset 23)", message)


ROTARY_IR = """
func.func @main(%x: tensor<?x3x?x8xf32>, %c: tensor<?x1x?x4xf32>, %s: tensor<?x1x?x4xf32>,
                %d: tensor<?x1x?x2xf32>, %t: tensor<?x1x?x2xf32>) -> (tensor<?x3x?x8xf32>, tensor<?x3x?x8xf32>) {
  %r = infer.rotary_embedding %x, %c, %s {rotary_dim = 8 : i64}
         : (tensor<?x3x?x8xf32>, tensor<?x1x?x4xf32>, tensor<?x1x?x4xf32>) -> tensor<?x3x?x8xf32>
  %i = infer.rotary_embedding %x, %d, %t {rotary_dim = 4 : i64, interleaved}
         : (tensor<?x3x?x8xf32>, tensor<?x1x?x2xf32>, tensor<?x1x?x2xf32>) -> tensor<?x3x?x8xf32>
  func.return %r, %i : tensor<?x3x?x8xf32>, tensor<?x3x?x8xf32>
}
"""


def test_rotary_decomposition_matches(rng: np.random.Generator) -> None:
    inputs = [
        _f32(rng, 2, 3, 5, 8),
        _f32(rng, 2, 1, 5, 4),
        _f32(rng, 2, 1, 5, 4),
        _f32(rng, 2, 1, 5, 2),
        _f32(rng, 2, 1, 5, 2),
    ]
    after = assert_pass_preserves(parse(ROTARY_IR), DecomposeCompositesPass(), inputs)
    names = {op.name for op in after.walk()}
    assert "infer.rotary_embedding" not in names
    assert {"infer.slice", "infer.concat", "infer.reshape"} <= names


def test_rotary_embedding_c(cache: str, rng: np.random.Generator) -> None:
    for rank, attrs in [(4, {"interleaved": 1}), (3, {"num_heads": 3, "rotary_embedding_dim": 4})]:
        rotary = attrs.get("rotary_embedding_dim", 0)
        feeds = _rotary_feeds(rng, rank, rotary, True)
        model = _rotary_model(feeds, rank, attrs)
        _assert_c_matches(model, [feeds, _rotary_feeds(rng, rank, rotary, True, (3, 3, 2, 8))], cache)


# -- Attention --------------------------------------------------------------------------------------


def _attention_model(
    feeds: Mapping[str, np.ndarray],
    opset: int,
    attrs: Mapping[str, object],
    *,
    outputs: tuple[str, ...] = ("y",),
    symbolic: bool = False,
) -> onnx.ModelProto:
    """An Attention node over the feeds q, k, v and, when present, m (mask), pk, pv (cache)."""
    names = ["q", "k", "v", "m" if "m" in feeds else "", "pk" if "pk" in feeds else "", "pv" if "pv" in feeds else ""]
    while names[-1] == "":
        names.pop()
    shapes: dict[str, list[int | str]] = {}
    if symbolic:
        if "m" in feeds and feeds["m"].ndim == 4:
            shapes["m"] = ["B", 1, "Sq", "T"]
        for n in ("q", "k", "v"):
            dims = list(feeds[n].shape)
            shapes[n] = ["B", *dims[1:-2], f"S{n}", dims[-1]] if len(dims) == 4 else ["B", f"S{n}", dims[-1]]
    return node_model(
        "Attention", feeds, opset=opset, attrs=attrs, outputs=outputs, input_shapes=shapes, node_inputs=names
    )


def _qkv(
    rng: np.random.Generator, rank: int, heads: int, kv_heads: int, s: int = 4, t: int = 6, d: int = 8, b: int = 2
) -> dict[str, np.ndarray]:
    if rank == 4:
        return {"q": _f32(rng, b, heads, s, d), "k": _f32(rng, b, kv_heads, t, d), "v": _f32(rng, b, kv_heads, t, d)}
    return {"q": _f32(rng, b, s, heads * d), "k": _f32(rng, b, t, kv_heads * d), "v": _f32(rng, b, t, kv_heads * d)}


MASKS = {
    "none": None,
    "bool_4d": (2, 1, 4, 6),
    "bool_2d": (4, 6),
    "float_4d": (2, 4, 4, 6),
    "float_3d": (4, 4, 6),
    "float_short": (4, 3),
}


@pytest.mark.parametrize("opset", [23, 24])
@pytest.mark.parametrize("rank", [3, 4])
@pytest.mark.parametrize("kv_heads", [4, 2, 1])
@pytest.mark.parametrize("causal", [0, 1])
@pytest.mark.parametrize("mask", list(MASKS))
def test_attention(opset: int, rank: int, kv_heads: int, causal: int, mask: str, rng: np.random.Generator) -> None:
    feeds = _qkv(rng, rank, 4, kv_heads)
    shape = MASKS[mask]
    if shape is not None:
        if mask.startswith("bool"):
            m = rng.random(shape) > 0.3
            m[..., 0] = True  # no fully masked rows (onnxruntime gives NaN or zeros there)
            feeds["m"] = m
        else:
            feeds["m"] = _f32(rng, *shape)
    attrs: dict[str, object] = {"is_causal": causal}
    if rank == 3:
        attrs |= {"q_num_heads": 4, "kv_num_heads": kv_heads}
    model = _attention_model(feeds, opset, attrs)
    if mask == "float_short":
        # onnxruntime rejects a mask shorter than the keys; the spec pads it with -inf.
        _assert_matches_reference(model, feeds)
    else:
        _assert_levels_match(model, feeds)


@pytest.mark.parametrize(
    "attrs",
    [{"scale": 0.3}, {"softcap": 2.0}, {"softcap": 2.0, "is_causal": 1, "scale": 0.7}, {"softmax_precision": 1}],
    ids=["scale", "softcap", "softcap_causal_scale", "softmax_precision"],
)
def test_attention_attributes(attrs: dict[str, object], rng: np.random.Generator) -> None:
    feeds = _qkv(rng, 4, 4, 2, s=5, t=5)
    _assert_levels_match(_attention_model(feeds, 23, attrs), feeds)


@pytest.mark.parametrize("rank", [3, 4])
@pytest.mark.parametrize(("s", "past"), [(3, 5), (1, 7), (4, 0)])
@pytest.mark.parametrize("causal", [0, 1])
def test_attention_cache(rank: int, s: int, past: int, causal: int, rng: np.random.Generator) -> None:
    # The cache is concatenated before the new keys; present_key/value are returned.
    feeds = _qkv(rng, rank, 4, 2, s=s, t=s)
    feeds["pk"], feeds["pv"] = _f32(rng, 2, 2, past, 8), _f32(rng, 2, 2, past, 8)
    attrs: dict[str, object] = {"is_causal": causal}
    if rank == 3:
        attrs |= {"q_num_heads": 4, "kv_num_heads": 2}
    model = _attention_model(feeds, 24, attrs, outputs=("y", "present_key", "present_value"))
    _assert_levels_match(model, feeds)


def test_attention_cache_causal_with_other_key_length(rng: np.random.Generator) -> None:
    # Causal with a cache when the new keys outnumber the queries: query i sees j <= i + past.
    feeds = _qkv(rng, 4, 2, 2, s=3, t=5)
    feeds["m"] = _f32(rng, 2, 1, 3, 12)
    feeds["pk"], feeds["pv"] = _f32(rng, 2, 2, 7, 8), _f32(rng, 2, 2, 7, 8)
    outputs = ("y", "present_key", "present_value")
    model = _attention_model(feeds, 23, {"is_causal": 1}, outputs=outputs, symbolic=True)
    _assert_levels_match(model, feeds)


@pytest.mark.parametrize("mode", [0, 1, 2, 3])
def test_attention_qk_matmul_output(mode: int, rng: np.random.Generator) -> None:
    feeds = _qkv(rng, 4, 4, 2, s=5, t=5)
    feeds["m"] = _f32(rng, 5, 5)
    attrs = {"qk_matmul_output_mode": mode, "softcap": 3.0, "is_causal": 1}
    outputs = ("y", "present_key", "present_value", "qk")
    model = _attention_model(feeds, 23, attrs, outputs=outputs)
    if mode == 2:
        # onnxruntime masks with the lowest float where the spec adds -inf.
        _assert_matches_reference(model, feeds)
    else:
        _assert_levels_match(model, feeds)


@pytest.mark.parametrize("rank", [3, 4])
@pytest.mark.parametrize("causal", [0, 1])
def test_attention_dynamic_dims(rank: int, causal: int, rng: np.random.Generator) -> None:
    feeds = _qkv(rng, rank, 4, 2, s=3, t=5)
    attrs: dict[str, object] = {"is_causal": causal}
    if rank == 3:
        attrs |= {"q_num_heads": 4, "kv_num_heads": 2}
    model = _attention_model(feeds, 23, attrs, symbolic=True)
    _assert_levels_match(model, feeds)
    _assert_levels_match(model, _qkv(rng, rank, 4, 2, s=6, t=6, b=1))


def test_attention_fully_masked_rows_give_zeros(rng: np.random.Generator) -> None:
    # A query that sees no key: zero weights, a zero output row (onnx's reference evaluator is the oracle).
    feeds = _qkv(rng, 4, 2, 2, s=3, t=4)
    mask = np.ones((3, 4), np.bool_)
    mask[1] = False
    feeds["m"] = mask
    model = _attention_model(feeds, 23, {})
    (expected,) = ReferenceEvaluator(model).run(None, feeds)
    (actual,) = run_infer(model, feeds)
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)
    assert not np.isnan(actual).any() and np.all(actual[:, :, 1] == 0)


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"softmax_precision": 7}, "attribute 'softmax_precision' = 7 is not supported"),
        ({"qk_matmul_output_mode": 4}, "attribute 'qk_matmul_output_mode' = 4 is not supported"),
    ],
)
def test_attention_diagnostics(attrs: dict[str, object], message: str, rng: np.random.Generator) -> None:
    feeds = _qkv(rng, 4, 2, 2)
    model = _attention_model(feeds, 23, attrs, outputs=("y", "present_key", "present_value", "qk"))
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    _assert_one_line(info, "node 'attention_node' (Attention, opset 23)", message)


def test_attention_3d_without_heads_is_a_diagnostic(rng: np.random.Generator) -> None:
    feeds = _qkv(rng, 3, 2, 2)
    with pytest.raises(infer.InferError) as info:
        infer.compile(_attention_model(feeds, 23, {}))
    _assert_one_line(info, "(Attention, opset 23)", "q_num_heads and kv_num_heads")


ATTENTION_IR = """
func.func @main(%q: tensor<?x4x?x8xf32>, %k: tensor<?x2x?x8xf32>, %v: tensor<?x2x?x8xf32>, %b: tensor<?x1x?x?xf32>)
    -> (tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>) {
  %a = infer.attention %q, %k, %v {scale = 0.35 : f64, causal = "top_left"}
         : (tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>) -> tensor<?x4x?x8xf32>
  %c = infer.attention %q, %k, %v, %b {scale = 0.35 : f64, causal = "bottom_right", softcap = 2.0 : f64}
         : (tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x1x?x?xf32>) -> tensor<?x4x?x8xf32>
  %d = infer.attention %q, %k, %v, %b {scale = 1.0 : f64, softmax_type = f64}
         : (tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x1x?x?xf32>) -> tensor<?x4x?x8xf32>
  func.return %a, %c, %d : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>
}
"""


def test_attention_decomposition_matches(rng: np.random.Generator) -> None:
    bias = _f32(rng, 2, 1, 3, 5)
    bias[0, 0, 1] = -np.inf  # a fully masked row
    inputs = [_f32(rng, 2, 4, 3, 8), _f32(rng, 2, 2, 5, 8), _f32(rng, 2, 2, 5, 8), bias]
    after = assert_pass_preserves(parse(ATTENTION_IR), DecomposeCompositesPass(), inputs)
    names = {op.name for op in after.walk()}
    assert "infer.attention" not in names
    assert {"infer.matmul", "infer.gather", "infer.range", "infer.select", "infer.tanh", "infer.cast"} <= names


def test_attention_c(cache: str, rng: np.random.Generator) -> None:
    feeds = _qkv(rng, 3, 4, 2, s=3, t=5)
    m = rng.random((2, 1, 3, 5)) > 0.3
    m[..., 0] = True
    feeds["m"] = m
    model = _attention_model(feeds, 23, {"is_causal": 1, "q_num_heads": 4, "kv_num_heads": 2}, symbolic=True)
    other = _qkv(rng, 3, 4, 2, s=4, t=4, b=1)
    other["m"] = np.ones((1, 1, 4, 4), np.bool_)
    _assert_c_matches(model, [feeds, other], cache)
    feeds = _qkv(rng, 4, 4, 2, s=2, t=2)
    feeds["pk"], feeds["pv"] = _f32(rng, 2, 2, 5, 8), _f32(rng, 2, 2, 5, 8)
    outputs = ("y", "present_key", "present_value", "qk")
    model = _attention_model(feeds, 24, {"is_causal": 1, "qk_matmul_output_mode": 3, "softcap": 4.0}, outputs=outputs)
    _assert_c_matches(model, [feeds], cache)


@pytest.mark.parametrize("causal", [0, 1])
@pytest.mark.parametrize("s", [1, 3])
def test_attention_nonpad_kv_seqlen(causal: int, s: int, rng: np.random.Generator) -> None:
    # Keys past each batch's length are padding; causal is aligned to each batch's last key.
    feeds = _qkv(rng, 4, 4, 2, s=s, t=6)
    feeds["n"] = np.array([6, 4], np.int64)
    names = ["q", "k", "v", "", "", "", "n"]
    model = node_model("Attention", feeds, opset=24, attrs={"is_causal": causal}, node_inputs=names)
    _assert_matches_reference(model, feeds)


@pytest.mark.parametrize(
    ("left", "right", "causal"), [(2, -1, 1), (1, 1, 0), (-1, 0, 0), (0, 2, 0)], ids=["left", "both", "right0", "right"]
)
@pytest.mark.parametrize("cache", [False, True])
def test_attention_window(left: int, right: int, causal: int, cache: bool, rng: np.random.Generator) -> None:
    feeds = _qkv(rng, 4, 4, 2, s=4, t=4)
    if cache:
        feeds["pk"], feeds["pv"] = _f32(rng, 2, 2, 3, 8), _f32(rng, 2, 2, 3, 8)
    attrs = {"left_window_size": left, "right_window_size": right, "is_causal": causal}
    outputs = ("y", "present_key", "present_value") if cache else ("y",)
    model = _attention_model(feeds, 25, attrs, outputs=outputs, symbolic=True)
    _assert_matches_reference(model, feeds)


def test_attention_window_and_nonpad_c(cache: str, rng: np.random.Generator) -> None:
    feeds = _qkv(rng, 4, 4, 2, s=3, t=6)
    feeds["n"] = np.array([6, 4], np.int64)
    names = ["q", "k", "v", "", "", "", "n"]
    attrs = {"is_causal": 1, "left_window_size": 2}
    model = node_model("Attention", feeds, opset=25, attrs=attrs, node_inputs=names)
    expected = ReferenceEvaluator(model).run(None, feeds)
    compiled = infer.compile(model, target="c", cache_dir=cache, threads=1)
    for a, e in zip(compiled.run(feeds).values(), expected, strict=True):
        np.testing.assert_allclose(a, e, rtol=1e-4, atol=1e-5)


# -- a transformer block -------------------------------------------------------------------------------


def _block_model(rng: np.random.Generator) -> onnx.ModelProto:
    """RMS norm, Einsum projections, rotary embeddings, grouped-query causal attention, a residual
    and a layer norm, with dynamic batch and sequence."""
    from onnx import TensorProto, helper, numpy_helper

    angles = np.arange(64)[:, None] * (10000.0 ** (-np.arange(4) / 4))[None, :]
    weights = {
        "g": _f32(rng, 32),
        "wq": _f32(rng, 32, 32) * 0.2,
        "wk": _f32(rng, 32, 16) * 0.2,
        "wv": _f32(rng, 32, 16) * 0.2,
        "cos": np.cos(angles).astype(np.float32),
        "sin": np.sin(angles).astype(np.float32),
        "ls": _f32(rng, 32),
        "lb": _f32(rng, 32),
    }
    nodes = [
        helper.make_node("RMSNormalization", ["x", "g"], ["h"], epsilon=1e-5),
        helper.make_node("Einsum", ["h", "wq"], ["q"], equation="bsd,de->bse"),
        helper.make_node("Einsum", ["h", "wk"], ["k"], equation="bsd,de->bse"),
        helper.make_node("Einsum", ["h", "wv"], ["v"], equation="bsd,de->bse"),
        helper.make_node("RotaryEmbedding", ["q", "cos", "sin", "pos"], ["qr"], num_heads=4),
        helper.make_node("RotaryEmbedding", ["k", "cos", "sin", "pos"], ["kr"], num_heads=2),
        helper.make_node("Attention", ["qr", "kr", "v"], ["a"], q_num_heads=4, kv_num_heads=2, is_causal=1),
        helper.make_node("Add", ["x", "a"], ["r"]),
        helper.make_node("LayerNormalization", ["r", "ls", "lb"], ["y"], axis=-1),
    ]
    graph = helper.make_graph(
        nodes,
        "block",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, ["B", "S", 32]),
            helper.make_tensor_value_info("pos", TensorProto.INT64, ["B", "S"]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["B", "S", 32])],
        [numpy_helper.from_array(a, n) for n, a in weights.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23)])
    model.ir_version = 10
    return model


def _block_feeds(rng: np.random.Generator, batch: int, seq: int) -> dict[str, np.ndarray]:
    return {"x": _f32(rng, batch, seq, 32), "pos": np.tile(np.arange(seq, dtype=np.int64), (batch, 1))}


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_transformer_block_levels(level: int, rng: np.random.Generator) -> None:
    model = _block_model(rng)
    feeds = _block_feeds(rng, 2, 5)
    (expected,) = run_onnxruntime(model, feeds)
    module = infer.load(model)
    infer.optimize(module, level, verify_each=True)
    (actual,) = infer.compile(module).run(feeds).values()
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)


def test_transformer_block_c(cache: str, rng: np.random.Generator) -> None:
    model = _block_model(rng)
    _assert_c_matches(model, [_block_feeds(rng, 2, 5), _block_feeds(rng, 1, 9)], cache)
