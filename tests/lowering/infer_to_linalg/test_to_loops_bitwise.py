"""Bitwise ops and shifts lowered to loops, compiled to C, against the reference
interpreter: every integer type, broadcasting, dynamic dims, shift amounts that are
negative or at least the bit width."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from loop_level import Program, assert_c_matches

pytestmark = pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None, reason="no C compiler")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("c_cache"))


def _values(dtype: type) -> np.ndarray:
    info = np.iinfo(dtype)
    values = [0, 1, 2, 5, 100, int(info.max), int(info.min), int(info.min) + 1, -1, -3, -100]
    return np.array([v for v in values if info.min <= v <= info.max], dtype=dtype)


def _amounts(dtype: type) -> np.ndarray:
    bits = np.dtype(dtype).itemsize * 8
    amounts = [0, 1, 3, bits - 1, bits, bits + 1, 2 * bits, -1, -bits]
    info = np.iinfo(dtype)
    return np.array([a if info.min <= a <= info.max else a % (info.max + 1) for a in amounts], dtype=dtype)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64])
def test_bitwise_in_c(dtype: type, cache: str) -> None:
    values, amounts = _values(dtype), _amounts(dtype)
    a = np.repeat(values, len(amounts)).reshape(len(values), len(amounts))
    b = np.tile(amounts, (1, 1))
    p = Program()
    x = p.arg(a, dims=[None, len(amounts)])
    y = p.arg(b)
    result = p.types[x]
    for op in ["bitwise_and", "bitwise_or", "bitwise_xor", "shift_left", "shift_right"]:
        p.result(p.op(op, [x, y], result))
    p.result(p.op("bitwise_not", [x]))
    assert_c_matches(p.text(), [[a, b], [a[:2], b]], cache)
