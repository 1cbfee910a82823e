"""Constants print from their bytes: elided by default, in full bit-exactly."""

from __future__ import annotations

from io import StringIO

import ml_dtypes
import numpy as np
import pytest
from xdsl.dialects import test as test_dialect
from xdsl.dialects.builtin import (
    BFloat16Type,
    DenseIntOrFPElementsAttr,
    Float8E4M3FNType,
    IntegerType,
    ModuleOp,
    TensorType,
)
from xdsl.parser import Parser

from infer.dialects.constants import (
    ConstantPrinter,
    bytes_to_dense,
    dense_to_numpy,
    is_elided,
    numpy_to_dense,
)
from infer.registry import load_context


def _print(attrs: dict[str, DenseIntOrFPElementsAttr], elide_limit: int | None = None) -> str:
    out = StringIO()
    ConstantPrinter(stream=out, elide_limit=elide_limit).print_op(
        ModuleOp([test_dialect.TestOp(attributes=dict(attrs))])
    )
    return out.getvalue()


def _parse(text: str) -> dict[str, object]:
    module = Parser(load_context(allow_unregistered=True), text).parse_module()
    return dict(next(iter(module.body.block.ops)).attributes)


def _with_special_floats(array: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """NaNs with payloads and both signs, infinities, -0.0, subnormals at random places."""
    bits = {np.float32: np.uint32, np.float16: np.uint16, np.float64: np.uint64}[array.dtype.type]
    width = array.dtype.itemsize * 8
    specials = np.array(
        [
            np.nan,
            -np.nan,
            np.inf,
            -np.inf,
            -0.0,
            np.finfo(array.dtype).smallest_subnormal,
            -np.finfo(array.dtype).smallest_subnormal,
        ],
        dtype=array.dtype,
    )
    payload = np.array([np.nan], dtype=array.dtype).view(bits) | bits(0x5)
    negative_payload = payload | bits(1 << (width - 1))
    specials = np.concatenate([specials, payload.view(array.dtype), negative_payload.view(array.dtype)])
    flat = array.reshape(-1)
    places = rng.choice(flat.size, size=specials.size, replace=False)
    flat[places] = specials
    return array


def _random_tensors(rng: np.random.Generator, size: int) -> dict[str, np.ndarray]:
    return {
        "f32": _with_special_floats(rng.standard_normal(size).astype(np.float32), rng),
        "f16": _with_special_floats(rng.standard_normal(size).astype(np.float16), rng),
        "f64": _with_special_floats(rng.standard_normal(size), rng),
        "i64": rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, size, dtype=np.int64, endpoint=True),
        "bool": rng.integers(0, 2, size).astype(np.bool_),
        "u8": rng.integers(0, 256, size).astype(np.uint8),
        "i8": rng.integers(-128, 128, size).astype(np.int8),
        # Every bit pattern (NaNs, infinities, -0) of the narrow types, at random places.
        "bf16": rng.integers(0, 1 << 16, size).astype(np.uint16).view(ml_dtypes.bfloat16),
        "f8": rng.integers(0, 256, size).astype(np.uint8).view(ml_dtypes.float8_e4m3fn),
        "f8e8m0": rng.integers(0, 256, size).astype(np.uint8).view(ml_dtypes.float8_e8m0fnu),
        "i4": rng.integers(-8, 8, size).astype(ml_dtypes.int4),
        "ui4": rng.integers(0, 16, size).astype(ml_dtypes.uint4),
    }


@pytest.mark.parametrize("size", [9, 150, 10_000], ids=["decimal-sized", "hex-sized", "large"])
def test_full_print_parses_back_bit_exactly(size: int, rng: np.random.Generator) -> None:
    arrays = _random_tensors(rng, size)
    if size < 10:  # small enough for decimals, but floats with NaN must still be exact
        arrays["finite_f32"] = rng.standard_normal(size).astype(np.float32)
    attrs = {name: numpy_to_dense(a.reshape(-1, 1) if name == "u8" else a) for name, a in arrays.items()}
    text = _print(attrs)
    parsed = _parse(text)
    for name, attr in attrs.items():
        back = parsed[name]
        assert isinstance(back, DenseIntOrFPElementsAttr)
        assert back.type == attr.type
        assert back.data.data == attr.data.data, name
    # Printing what was parsed gives the same text.
    assert _print({k: v for k, v in parsed.items() if isinstance(v, DenseIntOrFPElementsAttr)}) == text
    if size >= 150:
        assert 'dense<"0x' in text


def test_small_finite_constants_print_as_decimals() -> None:
    text = _print({"v": numpy_to_dense(np.array([1.5, -0.0, 3.0], np.float32))})
    assert "dense<[1.500000e+00, -0.000000e+00, 3.000000e+00]> : tensor<3xf32>" in text
    text = _print({"v": numpy_to_dense(np.array([1.5, np.nan], np.float32))})
    assert 'dense<"0x0000C03F0000C07F"> : tensor<2xf32>' in text


def test_default_print_elides_large_constants_but_not_splats() -> None:
    big = numpy_to_dense(np.arange(1000, dtype=np.float32))
    splat = numpy_to_dense(np.full((512, 512), 0.25, np.float32))
    nan_splat = numpy_to_dense(np.full((4, 8), np.nan, np.float32))
    small = numpy_to_dense(np.arange(4, dtype=np.int64))
    text = _print({"big": big, "splat": splat, "nan_splat": nan_splat, "small": small}, elide_limit=16)
    assert "big = dense_resource<__elided__> : tensor<1000xf32>" in text
    assert "splat = dense<2.500000e-01> : tensor<512x512xf32>" in text
    assert 'nan_splat = dense<"0x0000C07F"> : tensor<4x8xf32>' in text
    assert "small = dense<[0, 1, 2, 3]> : tensor<4xi64>" in text
    parsed = _parse(text)
    assert is_elided(parsed["big"])  # type: ignore[arg-type]
    assert parsed["splat"].data.data == splat.data.data  # type: ignore[attr-defined]
    assert parsed["nan_splat"].data.data == nan_splat.data.data  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "element, width",
    [(BFloat16Type(), 2), (Float8E4M3FNType(), 1), (IntegerType(4), 1)],
    ids=["bf16", "f8E4M3FN", "i4"],
)
def test_narrow_types_print_as_hex(element: object, width: int, rng: np.random.Generator) -> None:
    data = rng.integers(0, 256, 5 * width, dtype=np.uint8)
    if isinstance(element, IntegerType):
        data = (data.astype(np.int8) >> 4).view(np.uint8)  # sign-extended nibbles
    attr = bytes_to_dense(data.tobytes(), TensorType(element, [5]))  # type: ignore[arg-type]
    text = _print({"v": attr})
    assert f'dense<"0x{data.tobytes().hex().upper()}">' in text
    assert _parse(text)["v"].data.data == data.tobytes()  # type: ignore[attr-defined]


def test_bytes_to_dense_checks_the_size() -> None:
    with pytest.raises(ValueError, match="12 bytes do not fill tensor<4xf32>"):
        bytes_to_dense(b"\x00" * 12, TensorType(numpy_to_dense(np.zeros(1, np.float32)).get_element_type(), [4]))


def test_dense_to_numpy_is_a_view_of_the_bytes(rng: np.random.Generator) -> None:
    array = rng.standard_normal((3, 4)).astype(np.float32)
    attr = numpy_to_dense(array)
    view = dense_to_numpy(attr)
    np.testing.assert_array_equal(view, array)
    assert not view.flags.writeable
    assert np.shares_memory(view, np.frombuffer(attr.data.data, np.uint8))
