"""infer.cast from floats to integers: truncation, saturation at the range, NaN to 0."""

import numpy as np
import pytest
from infer_ir import parse, run


@pytest.mark.parametrize(
    ("element", "dtype"),
    [("i8", np.int8), ("ui8", np.uint8), ("i32", np.int32), ("i64", np.int64), ("ui16", np.uint16)],
)
def test_float_to_int_saturates(element: str, dtype: type) -> None:
    module = parse(f"""
    func.func @main_graph(%x: tensor<8xf32>) -> tensor<8x{element}> {{
      %y = infer.cast %x : (tensor<8xf32>) -> tensor<8x{element}>
      func.return %y : tensor<8x{element}>
    }}""")
    x = np.array([1.9, -1.9, 1e10, -1e10, np.inf, -np.inf, np.nan, -0.5], np.float32)
    info = np.iinfo(dtype)
    big = [min(10**10, info.max), max(-(10**10), info.min)]
    expected = np.array([1, -1, *big, info.max, info.min, 0, 0], dtype=object).clip(info.min, info.max)
    (actual,) = run(module, [x])
    assert actual.dtype == dtype
    np.testing.assert_array_equal(actual, expected.astype(dtype))
