"""The narrow element types compiled to C: the runtime's conversions (`infer_<fmt>_to_f32`,
`infer_<fmt>_from_f64`, `infer_bf16_from_f32`, `infer_e8m0_from_f32`) through `infer.cast`
on every bit pattern and on float32/float16/float64 probes (ties, subnormals, overflow,
NaN, inf), bit for bit against ml_dtypes and ONNX's helpers; sub-byte integers; ops on
narrow floats computing in f32; and the descriptors the loader maps to ml_dtypes arrays."""

from __future__ import annotations

from collections.abc import Sequence

import ml_dtypes
import numpy as np
import pytest
from c_harness import needs_cc
from narrow_cases import (
    E8M0,
    FLOAT8,
    NARROW_FLOATS,
    SUB_BYTE_INTS,
    all_values,
    assert_same_bits,
    e8m0,
    e8m0_probes,
    float32_probes,
    saturate_cast,
)

import infer
from infer.dialects.dtypes import from_numpy
from infer.lowering.infer_to_linalg.pipeline import LowerToLoopsPipelinePass
from infer.registry import load_context
from infer.runtime.c.build import build
from infer.runtime.c.loader import CModel
from infer.runtime.interpreter import Interpreter

pytestmark = needs_cc


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("c_narrow"))


def casts(source: str, targets: Sequence[tuple[str, str]]) -> str:
    """A module casting one 1-D input of type `source` to each (target, attributes)."""
    results = ", ".join(f"tensor<?x{t}>" for t, _ in targets)
    lines = [f"func.func @main_graph(%x: tensor<?x{source}>) -> ({results}) {{"]
    for i, (t, attrs) in enumerate(targets):
        lines.append(f"  %y{i} = infer.cast %x {attrs} : (tensor<?x{source}>) -> tensor<?x{t}>")
    names = ", ".join(f"%y{i}" for i in range(len(targets)))
    lines += [f"  func.return {names} : {results}", "}"]
    return "\n".join(lines)


def run_c(ir: str, inputs: Sequence[np.ndarray], cache: str, check_interpreter: bool = True) -> list[np.ndarray]:
    """Lowers `ir` to loops, compiles and runs it; the outputs also match the interpreter's bit for bit."""
    module = infer.parse_ir(ir)
    lowered = module.clone()
    LowerToLoopsPipelinePass().apply(load_context(), lowered)
    result = build(lowered, cache_dir=cache)
    with CModel(result.library, result.weights) as model:
        actual = list(model.run(list(inputs)).values())
    if check_interpreter:
        expected = list(Interpreter(module).run(list(inputs)).values())
        for a, e in zip(actual, expected, strict=True):
            assert_same_bits(a, e, inputs[0])
    return actual


NARROW = [*NARROW_FLOATS, E8M0[0]]


def _dtype(name: str) -> type:
    return NARROW_FLOATS[name] if name in NARROW_FLOATS else E8M0[1]


@pytest.mark.parametrize("name", NARROW)
def test_every_bit_pattern_widens_exactly(name: str, cache: str) -> None:
    x = all_values(_dtype(name))
    f32, f16, f64 = run_c(casts(name, [("f32", ""), ("f16", ""), ("f64", "")]), [x], cache)
    with np.errstate(all="ignore"):
        assert_same_bits(f32, x.astype(np.float32), x)
        assert_same_bits(f16, x.astype(np.float16), x)
        assert_same_bits(f64, x.astype(np.float64), x)


@pytest.mark.parametrize("name", list(NARROW_FLOATS))
def test_narrowing_rounds_to_nearest_even(name: str, cache: str, rng: np.random.Generator) -> None:
    dtype = NARROW_FLOATS[name]
    x = float32_probes(dtype, rng)
    targets = [(name, ""), *([(name, "{saturate}")] if name in FLOAT8 else [])]
    for source, wide in (("f32", x), ("f64", x.astype(np.float64)), ("f16", x.astype(np.float16))):
        outputs = run_c(casts(source, targets), [wide], cache)
        with np.errstate(all="ignore"):
            assert_same_bits(outputs[0], wide.astype(dtype), wide)
            if name in FLOAT8:
                assert_same_bits(outputs[1], saturate_cast(wide, dtype), wide)


def test_float64_narrows_in_one_rounding(cache: str) -> None:
    """A double just above a bf16 tie must round up (through float it would tie to even)."""
    tie = 1.0 + 2.0**-8
    x = np.array([tie + 2.0**-40, tie - 2.0**-40, tie, -(tie + 2.0**-40)], np.float64)
    (y,) = run_c(casts("f64", [("bf16", "")]), [x], cache)
    np.testing.assert_array_equal(y.astype(np.float64), [1.0078125, 1.0, 1.0, -1.0078125])


@pytest.mark.parametrize("source", ["f32", "f16"])
def test_e8m0_round_modes(source: str, cache: str, rng: np.random.Generator) -> None:
    x = e8m0_probes(rng)
    if source == "f16":
        x = x.astype(np.float16)
        x = x[np.isfinite(x)]
    modes = [(m, s) for m in ("up", "down", "nearest") for s in (True, False)]
    targets = [(E8M0[0], f'{{{"saturate, " if s else ""}round_mode = "{m}"}}') for m, s in modes]
    outputs = run_c(casts(source, targets), [x], cache)
    for (mode, saturate), y in zip(modes, outputs, strict=True):
        assert_same_bits(y, e8m0(x, saturate, mode), x)
    special = np.array([np.inf, np.nan], np.float32).astype(x.dtype)
    outputs = run_c(casts(source, targets), [special], cache)
    for (_, saturate), y in zip(modes, outputs, strict=True):
        np.testing.assert_array_equal(y.view(np.uint8), [0xFE if saturate else 0xFF, 0xFF])


@pytest.mark.parametrize("name", list(SUB_BYTE_INTS))
def test_sub_byte_integers(name: str, cache: str) -> None:
    dtype = SUB_BYTE_INTS[name]
    info = ml_dtypes.iinfo(dtype)
    every = np.arange(int(info.min), int(info.max) + 1).astype(dtype)
    f32, i8, flag = run_c(casts(name, [("f32", ""), ("i8", ""), ("i1", "")]), [every], cache)
    np.testing.assert_array_equal(f32, every.astype(np.float32))
    np.testing.assert_array_equal(i8, every.astype(np.int8))
    np.testing.assert_array_equal(flag, every != 0)
    ints = np.arange(-40, 40, dtype=np.int32)
    (wrapped,) = run_c(casts("i32", [(name, "")]), [ints], cache)
    np.testing.assert_array_equal(wrapped, ints.astype(dtype))
    floats = np.array([-9.7, -8.5, -0.5, 0.5, 1.5, 2.9, 7.5, 8.0, 15.9, 16.0, np.nan, np.inf, -1e30], np.float32)
    (truncated,) = run_c(casts("f32", [(name, "")]), [floats], cache)
    np.testing.assert_array_equal(truncated[:11], np.nan_to_num(np.trunc(floats[:11])).astype(np.int64).astype(dtype))


def test_integers_and_bool_to_narrow_floats(cache: str) -> None:
    ints = np.array([-300, -1, 0, 7, 1000, 65537, 1 << 20], np.int32)
    outputs = run_c(casts("i32", [("bf16", ""), ("f8E4M3FN", "{saturate}"), ("f8E5M2", "")]), [ints], cache)
    with np.errstate(all="ignore"):
        assert_same_bits(outputs[0], ints.astype(np.float64).astype(ml_dtypes.bfloat16), ints)
        assert_same_bits(outputs[1], saturate_cast(ints.astype(np.float64), ml_dtypes.float8_e4m3fn), ints)
        assert_same_bits(outputs[2], ints.astype(np.float64).astype(ml_dtypes.float8_e5m2), ints)
    flags = np.array([True, False, True])
    (y,) = run_c(casts("i1", [("bf16", "")]), [flags], cache)
    np.testing.assert_array_equal(y.astype(np.float32), [1, 0, 1])


def test_narrow_to_narrow_and_to_integers(cache: str) -> None:
    x = all_values(ml_dtypes.bfloat16)
    f8, i32, u8 = run_c(casts("bf16", [("f8E4M3FN", "{saturate}"), ("i32", ""), ("ui8", "")]), [x], cache)
    wide = x.astype(np.float32)
    assert_same_bits(f8, saturate_cast(wide, ml_dtypes.float8_e4m3fn), x)
    with np.errstate(all="ignore"):
        finite = np.nan_to_num(np.trunc(wide.astype(np.float64)), nan=0.0)
    np.testing.assert_array_equal(i32, np.clip(finite, -(2**31), 2**31 - 1).astype(np.int64).astype(np.int32))
    np.testing.assert_array_equal(u8, np.clip(finite, 0, 255).astype(np.uint8))


def test_ops_on_narrow_floats_compute_in_f32(cache: str, rng: np.random.Generator) -> None:
    """Elementwise ops, with broadcasting and a constant, round after each op; the result
    matches the interpreter bit for bit (and the interpreter is f32 arithmetic rounded)."""
    ir = """
    func.func @main_graph(%a: tensor<?x8xbf16>, %b: tensor<1x8xbf16>, %f: tensor<?x8xf8E4M3FN>)
        -> (tensor<?x8xbf16>, tensor<?x8xi1>, tensor<?x8xf8E4M3FN>, tensor<?x8xbf16>) {
      %c = infer.constant dense<1.5> : tensor<1x1xbf16>
      %s = infer.add %a, %b : (tensor<?x8xbf16>, tensor<1x8xbf16>) -> tensor<?x8xbf16>
      %m = infer.mul %s, %c : (tensor<?x8xbf16>, tensor<1x1xbf16>) -> tensor<?x8xbf16>
      %r = infer.relu %m : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
      %t = infer.tanh %r : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
      %l = infer.less %a, %t : (tensor<?x8xbf16>, tensor<?x8xbf16>) -> tensor<?x8xi1>
      %g = infer.add %f, %f : (tensor<?x8xf8E4M3FN>, tensor<?x8xf8E4M3FN>) -> tensor<?x8xf8E4M3FN>
      %w = infer.select %l, %a, %t : (tensor<?x8xi1>, tensor<?x8xbf16>, tensor<?x8xbf16>) -> tensor<?x8xbf16>
      func.return %m, %l, %g, %w : tensor<?x8xbf16>, tensor<?x8xi1>, tensor<?x8xf8E4M3FN>, tensor<?x8xbf16>
    }"""
    a = (rng.standard_normal((5, 8)) * 4).astype(ml_dtypes.bfloat16)
    b = rng.standard_normal((1, 8)).astype(ml_dtypes.bfloat16)
    f = np.array([1, 300, -448, 0.5, np.nan, 2, -3, 100] * 5, np.float32).reshape(5, 8).astype(ml_dtypes.float8_e4m3fn)
    m, _, g, _ = run_c(ir, [a, b, f], cache)
    bf = ml_dtypes.bfloat16
    s = (a.astype(np.float32) + b.astype(np.float32)).astype(bf)
    assert_same_bits(m, (s.astype(np.float32) * np.float32(1.5)).astype(bf), a)
    with np.errstate(all="ignore"):
        assert_same_bits(g, (f.astype(np.float32) * 2).astype(ml_dtypes.float8_e4m3fn), f)


def test_narrow_weights_and_data_movement(cache: str) -> None:
    """Constants of narrow types become globals of their storage bits; transposes and
    concatenations move the bits as they are."""
    ir = """
    func.func @main_graph(%x: tensor<2x3xbf16>, %i: tensor<2x3xi4>)
        -> (tensor<4x3xbf16>, tensor<3x2xi4>, tensor<2x3xbf16>) {
      %w = infer.constant dense<"0x803F0040C0BFC07F807F0000"> : tensor<2x3xbf16>
      %c = infer.concat %x, %w {axis = 0 : i64} : (tensor<2x3xbf16>, tensor<2x3xbf16>) -> tensor<4x3xbf16>
      %t = infer.transpose %i {perm = array<i64: 1, 0>} : (tensor<2x3xi4>) -> tensor<3x2xi4>
      %s = infer.add %x, %w : (tensor<2x3xbf16>, tensor<2x3xbf16>) -> tensor<2x3xbf16>
      func.return %c, %t, %s : tensor<4x3xbf16>, tensor<3x2xi4>, tensor<2x3xbf16>
    }"""
    x = np.array([[1, -2, 3.5], [0, -0.0, 1e30]], np.float32).astype(ml_dtypes.bfloat16)
    i = np.array([[-8, -1, 0], [1, 5, 7]]).astype(ml_dtypes.int4)
    c, t, _ = run_c(ir, [x, i], cache)
    w = np.frombuffer(bytes.fromhex("803F0040C0BFC07F807F0000"), ml_dtypes.bfloat16).reshape(2, 3)
    assert_same_bits(c, np.concatenate([x, w]), x)
    np.testing.assert_array_equal(t, i.T)
    assert t.dtype == np.dtype(ml_dtypes.int4)


def test_reductions_and_matmul_on_bf16_accumulate_in_f32(cache: str, rng: np.random.Generator) -> None:
    ir = """
    func.func @main_graph(%x: tensor<?x8xbf16>, %y: tensor<8x3xbf16>) -> (tensor<?x1xbf16>, tensor<?x3xbf16>) {
      %s = infer.reduce_sum %x {axes = array<i64: 1>, keepdims} : (tensor<?x8xbf16>) -> tensor<?x1xbf16>
      %m = infer.matmul %x, %y : (tensor<?x8xbf16>, tensor<8x3xbf16>) -> tensor<?x3xbf16>
      func.return %s, %m : tensor<?x1xbf16>, tensor<?x3xbf16>
    }"""
    x = rng.standard_normal((5, 8)).astype(ml_dtypes.bfloat16)
    y = rng.standard_normal((8, 3)).astype(ml_dtypes.bfloat16)
    s, m = run_c(ir, [x, y], cache, check_interpreter=False)
    wide_x, wide_y = x.astype(np.float64), y.astype(np.float64)
    # One rounding to bf16 of an f32 sum: within one bf16 ulp (2^-7 relative) of the exact value.
    np.testing.assert_allclose(s.astype(np.float64), wide_x.sum(axis=1, keepdims=True), rtol=2**-7, atol=1e-6)
    np.testing.assert_allclose(m.astype(np.float64), wide_x @ wide_y, rtol=2**-7, atol=1e-6)


def test_comparisons_and_max_min_on_narrow_floats(cache: str, rng: np.random.Generator) -> None:
    """Max/min reductions, arg max and max pooling compare the widened values (exact);
    NaN propagates; the results match the interpreter bit for bit."""
    t = "tensor<1x2x6x6xbf16>"
    pool = (
        "kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, "
        "pads = array<i64: 0, 0, 0, 0>"
    )
    ir = f"""
    func.func @main_graph(%x: {t}) -> (tensor<1x2xbf16>, tensor<1x2xbf16>, tensor<1x1x6x6xi64>, tensor<1x2x3x3xbf16>) {{
      %s = infer.reduce_max %x {{axes = array<i64: 2, 3>}} : ({t}) -> tensor<1x2xbf16>
      %m = infer.reduce_min %x {{axes = array<i64: 2, 3>}} : ({t}) -> tensor<1x2xbf16>
      %a = infer.arg_max %x {{axis = 1 : i64, keepdims}} : ({t}) -> tensor<1x1x6x6xi64>
      %p = infer.max_pool %x {{{pool}}} : ({t}) -> tensor<1x2x3x3xbf16>
      func.return %s, %m, %a, %p : tensor<1x2xbf16>, tensor<1x2xbf16>, tensor<1x1x6x6xi64>, tensor<1x2x3x3xbf16>
    }}"""
    x = rng.standard_normal((1, 2, 6, 6)).astype(ml_dtypes.bfloat16)
    x[0, 1, 2, 3] = np.nan
    s, m, _, p = run_c(ir, [x], cache)
    assert np.isnan(s.astype(np.float32)[0, 1]) and not np.isnan(s.astype(np.float32)[0, 0])
    np.testing.assert_array_equal(m.astype(np.float32)[0, 0], x.astype(np.float32)[0, 0].min())
    np.testing.assert_array_equal(
        p.astype(np.float32)[0, 0], x.astype(np.float32)[0, 0].reshape(3, 2, 3, 2).max((1, 3))
    )


def test_descriptors_name_the_narrow_dtypes(cache: str) -> None:
    x = np.zeros(3, ml_dtypes.float8_e5m2)
    module = infer.parse_ir(casts("f8E5M2", [("bf16", "")]))
    LowerToLoopsPipelinePass().apply(load_context(), module)
    result = build(module, cache_dir=cache)
    with CModel(result.library, result.weights) as model:
        assert model.inputs[0].dtype == np.dtype(ml_dtypes.float8_e5m2)
        assert model.outputs[0].dtype == np.dtype(ml_dtypes.bfloat16)
        with pytest.raises(infer.InferError, match=r"dtype is float8e4m3fn \(17\), expected float8e5m2"):
            model.run([np.zeros(3, ml_dtypes.float8_e4m3fn)])
        (y,) = model.run([x]).values()
        assert y.dtype == np.dtype(ml_dtypes.bfloat16)
    assert from_numpy(x.dtype) is not None


@pytest.mark.parametrize("opt_level", [0, 2])
def test_packed_initializers_through_both_targets(opt_level: int, cache: str, rng: np.random.Generator) -> None:
    """ONNX packs int4/uint4/float4 two per byte (an odd count leaves half a byte): the
    importer unpacks them; a bf16 and a float8 initializer keep their bits. Each is added
    to (or cast against) a graph input, through the interpreter and through C."""
    from onnx import TensorProto, helper, numpy_helper
    from onnx.reference import ReferenceEvaluator

    i4 = rng.integers(-8, 8, 7).astype(ml_dtypes.int4)
    u4 = rng.integers(0, 16, 7).astype(ml_dtypes.uint4)
    f4 = np.array([0.5, -6, 3, 1.5, -0.0, 4, 2], np.float32).astype(ml_dtypes.float4_e2m1fn)
    bf = rng.standard_normal(7).astype(ml_dtypes.bfloat16)
    f8 = rng.standard_normal(7).astype(ml_dtypes.float8_e4m3fn)
    weights = {"i4": i4, "u4": u4, "f4": f4, "bf": bf, "f8": f8}
    nodes = [helper.make_node("Cast", [n], [f"{n}_f"], to=TensorProto.FLOAT) for n in weights]
    nodes += [helper.make_node("Sum", ["x", *[f"{n}_f" for n in weights]], ["y"])]
    nodes += [helper.make_node("Cast", ["y"], ["z"], to=TensorProto.BFLOAT16)]
    nodes += [helper.make_node("Add", ["z", "bf"], ["w"])]
    graph = helper.make_graph(
        nodes,
        "packed",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [7])],
        [helper.make_tensor_value_info("w", TensorProto.BFLOAT16, [7])],
        [numpy_helper.from_array(a, n) for n, a in weights.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23)])
    model.ir_version = 11
    assert len(model.graph.initializer[0].raw_data) == 4  # packed: 7 elements in 4 bytes
    x = rng.standard_normal(7).astype(np.float32)
    total = x.copy()
    for a in weights.values():  # in the order of the Sum chain
        total = total + a.astype(np.float32)
    expected = (total.astype(ml_dtypes.bfloat16).astype(np.float32) + bf.astype(np.float32)).astype(ml_dtypes.bfloat16)
    reference = ReferenceEvaluator(model).run(None, {"x": x})[0]
    for target in ("interp", "c"):
        compiled = infer.compile(model, target=target, opt_level=opt_level, cache_dir=cache)
        (w,) = compiled.run({"x": x}).values()
        assert_same_bits(w, expected, x)
        np.testing.assert_allclose(w.astype(np.float32), reference.astype(np.float32), rtol=2**-7)
