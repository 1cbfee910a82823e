"""Inputs and oracles for the narrow element types (bf16, float8, float4, int4, ...),
shared by the interpreter's and the C target's conversion tests.

The oracle is ml_dtypes (round to nearest even, its overflow rules) and, for the
saturating casts and float8e8m0, ONNX's own numpy helpers: test oracles only.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
from onnx import numpy_helper

FLOAT8 = {
    "f8E4M3FN": ml_dtypes.float8_e4m3fn,
    "f8E4M3FNUZ": ml_dtypes.float8_e4m3fnuz,
    "f8E5M2": ml_dtypes.float8_e5m2,
    "f8E5M2FNUZ": ml_dtypes.float8_e5m2fnuz,
}
NARROW_FLOATS = {"bf16": ml_dtypes.bfloat16, **FLOAT8, "f4E2M1FN": ml_dtypes.float4_e2m1fn}
E8M0 = ("f8E8M0FNU", ml_dtypes.float8_e8m0fnu)
SUB_BYTE_INTS = {"i4": ml_dtypes.int4, "ui4": ml_dtypes.uint4, "i2": ml_dtypes.int2, "ui2": ml_dtypes.uint2}


def all_values(dtype: type) -> np.ndarray:
    """Every bit pattern of a narrow float type (65536 for bf16, 256 or 16 for the others)."""
    d = np.dtype(dtype)
    if d.itemsize == 2:
        return np.arange(1 << 16, dtype=np.uint16).view(d)
    bits = 4 if dtype is ml_dtypes.float4_e2m1fn else 8
    return np.arange(1 << bits, dtype=np.uint8).view(d)


def float32_probes(dtype: type, rng: np.random.Generator) -> np.ndarray:
    """float32 values that exercise a conversion to `dtype`: each of its finite values,
    the midpoints between neighbours (ties), one ulp either side of those, values
    beyond the largest finite one, the subnormal range, signed zeros, inf, NaN,
    and random floats of every magnitude."""
    values = np.unique(all_values(dtype).astype(np.float32))
    values = values[np.isfinite(values)]
    mids = (values[:-1].astype(np.float64) + values[1:]) / 2
    mids = mids.astype(np.float32)
    near = np.concatenate([np.nextafter(mids, np.float32(np.inf)), np.nextafter(mids, np.float32(-np.inf))])
    largest = float(ml_dtypes.finfo(dtype).max)
    beyond = np.array([largest * 1.01, largest * 1.5, largest * 2, 1e30, 3.4e38], np.float32)
    tiny = float(ml_dtypes.finfo(dtype).smallest_subnormal)
    small = np.array([tiny / 2, tiny / 4, tiny * 0.75, tiny * 1.5, 1e-30, 1e-45], np.float32)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan], np.float32)
    random = (rng.standard_normal(2000) * np.exp2(rng.integers(-40, 40, 2000))).astype(np.float32)
    positive = np.concatenate([values, mids, near, beyond, small, random])
    return np.concatenate([positive, -positive, special]).astype(np.float32)


def saturate_cast(x: np.ndarray, dtype: type) -> np.ndarray:
    """ONNX's saturating float8 cast (its numpy helper)."""
    return numpy_helper.saturate_cast(x, np.dtype(dtype))


def e8m0_probes(rng: np.random.Generator) -> np.ndarray:
    """Finite float32 inputs for e8m0's round modes: every power of two, the
    midpoints between neighbouring ones and their neighbours, random magnitudes."""
    powers = np.exp2(np.arange(-149, 128, dtype=np.float64)).astype(np.float32)
    x = np.concatenate(
        [
            powers,
            powers * 1.5,
            np.nextafter(powers * 1.5, np.float32(0)),
            np.nextafter(powers, np.float32(np.inf)),
            (rng.random(500) * np.exp2(rng.integers(-130, 128, 500))).astype(np.float32),
            np.array([0.0, 3.4e38], np.float32),
        ]
    ).astype(np.float32)
    x = x[np.isfinite(x)]
    return x


def e8m0(x: np.ndarray, saturate: bool, round_mode: str) -> np.ndarray:
    """ONNX's float8e8m0 conversion (its numpy helper), for finite inputs."""
    return numpy_helper.to_float8e8m0(x, saturate, round_mode)


def same_bits(actual: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Elementwise: the same storage bits, or both NaN (NaN payloads and signs may differ)."""
    a, e = np.ascontiguousarray(actual), np.ascontiguousarray(expected)
    assert a.dtype == e.dtype, (a.dtype, e.dtype)
    unsigned = np.dtype(f"u{a.dtype.itemsize}")
    equal = a.view(unsigned) == e.view(unsigned)
    if a.dtype.kind == "V" or a.dtype.kind == "f":
        with np.errstate(all="ignore"):
            wide_a, wide_e = a.astype(np.float32), e.astype(np.float32)
        equal |= np.isnan(wide_a) & np.isnan(wide_e)
    return equal


def assert_same_bits(actual: np.ndarray, expected: np.ndarray, inputs: np.ndarray) -> None:
    ok = same_bits(actual, expected)
    if not ok.all():
        bad = np.flatnonzero(~ok)[:8]
        raise AssertionError(
            f"{len(np.flatnonzero(~ok))} of {ok.size} differ, e.g. inputs {inputs.reshape(-1)[bad]!r} "
            f"gave {actual.reshape(-1)[bad]!r}, expected {expected.reshape(-1)[bad]!r}"
        )
