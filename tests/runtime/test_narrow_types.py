"""The narrow element types in the interpreter: `infer.cast` to and from bf16, the
float8 types, f8E8M0FNU, f4E2M1FN and the sub-byte integers on every bit pattern
and on float32 probes (ties, subnormals, overflow, NaN, inf), and ops on them
computing in f32 and rounding after each op."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest
from infer_ir import parse, run
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


def cast_module(source: str, target: str, n: int, attrs: str = "") -> str:
    return f"""
    func.func @main_graph(%x: tensor<{n}x{source}>) -> tensor<{n}x{target}> {{
      %y = infer.cast %x {attrs} : (tensor<{n}x{source}>) -> tensor<{n}x{target}>
      func.return %y : tensor<{n}x{target}>
    }}"""


def cast(x: np.ndarray, source: str, target: str, attrs: str = "") -> np.ndarray:
    (y,) = run(parse(cast_module(source, target, x.size, attrs)), [x])
    return y


@pytest.mark.parametrize("name", list(NARROW_FLOATS) + [E8M0[0]])
@pytest.mark.parametrize(("wide", "wide_dtype"), [("f32", np.float32), ("f16", np.float16), ("f64", np.float64)])
def test_every_bit_pattern_widens_exactly(name: str, wide: str, wide_dtype: type) -> None:
    dtype = dict(NARROW_FLOATS)[name] if name in NARROW_FLOATS else E8M0[1]
    x = all_values(dtype)
    with np.errstate(all="ignore"):
        expected = x.astype(wide_dtype)
    assert_same_bits(cast(x, name, wide), expected, x)


@pytest.mark.parametrize("name", list(NARROW_FLOATS))
def test_float32_rounds_to_nearest_even_without_saturation(name: str, rng: np.random.Generator) -> None:
    dtype = NARROW_FLOATS[name]
    x = float32_probes(dtype, rng)
    with np.errstate(all="ignore"):
        expected = x.astype(dtype)
    assert_same_bits(cast(x, "f32", name), expected, x)


@pytest.mark.parametrize("name", list(FLOAT8))
@pytest.mark.parametrize("source", ["f32", "f16"])
def test_saturating_casts_clamp_to_the_largest_finite_value(name: str, source: str, rng: np.random.Generator) -> None:
    dtype = FLOAT8[name]
    x = float32_probes(dtype, rng)
    if source == "f16":
        with np.errstate(all="ignore"):
            x = x.astype(np.float16)
    assert_same_bits(cast(x, source, name, "{saturate}"), saturate_cast(x, dtype), x)


# ONNX's table for float8 casts: x -> (E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ), as storage bytes.
SATURATED = [
    (0.0, (0x00, 0x00, 0x00, 0x00)),
    (-0.0, (0x80, 0x00, 0x80, 0x00)),
    (np.inf, (0x7E, 0x7F, 0x7B, 0x7F)),
    (-np.inf, (0xFE, 0xFF, 0xFB, 0xFF)),
    (1e6, (0x7E, 0x7F, 0x7B, 0x7F)),
    (-1e6, (0xFE, 0xFF, 0xFB, 0xFF)),
]
NOT_SATURATED = [
    (np.inf, (0x7F, 0x80, 0x7C, 0x80)),
    (-np.inf, (0xFF, 0x80, 0xFC, 0x80)),
    (1e6, (0x7F, 0x80, 0x7C, 0x80)),
    (-1e6, (0xFF, 0x80, 0xFC, 0x80)),
    (-0.0, (0x80, 0x00, 0x80, 0x00)),
]


@pytest.mark.parametrize(("attrs", "table"), [("{saturate}", SATURATED), ("", NOT_SATURATED)])
def test_the_onnx_float8_table(attrs: str, table: list) -> None:
    x = np.array([value for value, _ in table], np.float32)
    for i, name in enumerate(FLOAT8):
        actual = cast(x, "f32", name, attrs).view(np.uint8)
        expected = np.array([row[i] for _, row in table], np.uint8)
        np.testing.assert_array_equal(actual, expected, err_msg=f"{name} {attrs}")
    nan = cast(np.array([np.nan], np.float32), "f32", "f8E4M3FN", attrs)
    assert np.isnan(nan.astype(np.float32)).all()


@pytest.mark.parametrize("round_mode", ["up", "down", "nearest"])
@pytest.mark.parametrize("saturate", [True, False])
def test_e8m0(round_mode: str, saturate: bool, rng: np.random.Generator) -> None:
    x = e8m0_probes(rng)
    attrs = f'{{{"saturate, " if saturate else ""}round_mode = "{round_mode}"}}'
    assert_same_bits(cast(x, "f32", E8M0[0], attrs), e8m0(x, saturate, round_mode), x)
    special = np.array([np.inf, np.nan], np.float32)
    bits = cast(special, "f32", E8M0[0], attrs).view(np.uint8)
    np.testing.assert_array_equal(bits, [0xFE if saturate else 0xFF, 0xFF])


def test_e8m0_defaults_to_rounding_up() -> None:
    x = np.array([1.0, 1.1, 3.0, 0.124], np.float32)
    np.testing.assert_array_equal(cast(x, "f32", E8M0[0], "{saturate}").astype(np.float32), [1, 2, 4, 0.125])


@pytest.mark.parametrize("name", list(SUB_BYTE_INTS))
def test_sub_byte_integers(name: str) -> None:
    dtype = SUB_BYTE_INTS[name]
    info = ml_dtypes.iinfo(dtype)
    every = np.arange(int(info.min), int(info.max) + 1).astype(dtype)
    np.testing.assert_array_equal(cast(every, name, "f32"), every.astype(np.float32))
    np.testing.assert_array_equal(cast(every, name, "i8"), every.astype(np.int8))
    # Integers wrap around; floats truncate to an integer and then wrap around.
    ints = np.arange(-40, 40, dtype=np.int32)
    np.testing.assert_array_equal(cast(ints, "i32", name).view(np.uint8) & ((1 << info.bits) - 1),
                                  ints.astype(dtype).view(np.uint8) & ((1 << info.bits) - 1))  # fmt: skip
    floats = np.array([-9.7, -8.5, -0.5, 0.5, 1.5, 2.9, 7.5, 8.0, 15.9, 16.0, np.nan], np.float32)
    expected = np.nan_to_num(np.trunc(floats)).astype(np.int64).astype(dtype)
    np.testing.assert_array_equal(cast(floats, "f32", name), expected)
    np.testing.assert_array_equal(cast(every, name, "i1"), every != 0)


def test_bool_and_integers_to_narrow_floats() -> None:
    flags = np.array([True, False, True])
    np.testing.assert_array_equal(cast(flags, "i1", "f8E4M3FN").astype(np.float32), [1, 0, 1])
    ints = np.array([-300, -1, 0, 7, 1000, 1 << 40], np.int64)
    with np.errstate(all="ignore"):
        assert_same_bits(cast(ints, "i64", "bf16"), ints.astype(np.float32).astype(ml_dtypes.bfloat16), ints)
    x = np.array([1.7, -2.5, np.nan, 1e10, -1e10], np.float32).astype(ml_dtypes.bfloat16)
    np.testing.assert_array_equal(cast(x, "bf16", "i32"), [1, -2, 0, 2**31 - 1, -(2**31)])


def test_ops_compute_in_f32_and_round_after_each_op(rng: np.random.Generator) -> None:
    module = parse("""
    func.func @main_graph(%a: tensor<64xbf16>, %b: tensor<64xbf16>) -> tensor<64xbf16> {
      %s = infer.add %a, %b : (tensor<64xbf16>, tensor<64xbf16>) -> tensor<64xbf16>
      %m = infer.mul %s, %b : (tensor<64xbf16>, tensor<64xbf16>) -> tensor<64xbf16>
      %e = infer.exp %m : (tensor<64xbf16>) -> tensor<64xbf16>
      func.return %e : tensor<64xbf16>
    }""")
    a = rng.standard_normal(64).astype(ml_dtypes.bfloat16)
    b = rng.standard_normal(64).astype(ml_dtypes.bfloat16)
    (actual,) = run(module, [a, b])
    s = (a.astype(np.float32) + b.astype(np.float32)).astype(ml_dtypes.bfloat16)
    m = (s.astype(np.float32) * b.astype(np.float32)).astype(ml_dtypes.bfloat16)
    expected = np.exp(m.astype(np.float32)).astype(ml_dtypes.bfloat16)
    assert actual.dtype == np.dtype(ml_dtypes.bfloat16)
    assert_same_bits(actual, expected, a)


def test_float8_overflow_in_an_op_is_nan_or_inf() -> None:
    module = parse("""
    func.func @main_graph(%a: tensor<2xf8E4M3FN>, %b: tensor<2xf8E5M2>) -> (tensor<2xf8E4M3FN>, tensor<2xf8E5M2>) {
      %s = infer.add %a, %a : (tensor<2xf8E4M3FN>, tensor<2xf8E4M3FN>) -> tensor<2xf8E4M3FN>
      %t = infer.add %b, %b : (tensor<2xf8E5M2>, tensor<2xf8E5M2>) -> tensor<2xf8E5M2>
      func.return %s, %t : tensor<2xf8E4M3FN>, tensor<2xf8E5M2>
    }""")
    a = np.array([448, 1], np.float32).astype(ml_dtypes.float8_e4m3fn)
    b = np.array([57344, 1], np.float32).astype(ml_dtypes.float8_e5m2)
    s, t = run(module, [a, b])
    assert np.isnan(s.astype(np.float32)[0]) and s.astype(np.float32)[1] == 2
    assert np.isposinf(t.astype(np.float32)[0]) and t.astype(np.float32)[1] == 2


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ("{saturate}", "saturate applies to float8 targets only"),
        ('{round_mode = "up"}', "round_mode applies to f8E8M0FNU targets only"),
    ],
)
def test_cast_attributes_are_verified(attrs: str, message: str) -> None:
    with pytest.raises(Exception, match=message):
        parse(cast_module("f32", "f16", 4, attrs)).verify()
