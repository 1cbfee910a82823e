"""The indexing ops lowered to loops compute what the reference interpreter computes.

Each op runs on tiny shapes through xDSL's interpreter; all of them, with more
element types, also run compiled to C in one module.
"""

from __future__ import annotations

import numpy as np
import pytest
from cases import Case, assert_case, assert_cases_in_c
from xdsl.ir import SSAValue

from infer.dialects.infer.indexing import (
    CumProdOp,
    CumSumOp,
    GatherNDOp,
    ScatterElementsOp,
    ScatterNDOp,
    TopKOp,
)


def _x(*shape: int, dtype: type = np.float32) -> np.ndarray:
    return (np.arange(int(np.prod(shape))).reshape(shape) % 7 * 1.5 - 4).astype(dtype)


def _cases(dtype: type = np.float32) -> dict[str, Case]:
    x = _x(2, 3, dtype=dtype)
    data = _x(3, 4, dtype=dtype)
    return {
        "cumsum": Case(lambda v: CumSumOp(v, 1), [x], [[None, 3]]),
        "cumsum_exclusive_reverse": Case(lambda v: CumSumOp(v, 0, exclusive=True, reverse=True), [x]),
        "cumprod_axis_operand": Case(
            lambda v, a: CumProdOp(v, a, exclusive=True), [x, np.array([-1], np.int64)], [[None, None]]
        ),
        "gather_nd": Case(lambda d, i: GatherNDOp(d, i), [data, np.array([[2, -1], [0, 1]], np.int64)]),
        "gather_nd_batch": Case(
            lambda d, i: GatherNDOp(d, i, 1), [data, np.array([[3], [0], [-2]], np.int64)], [[None, 4]]
        ),
        "scatter_nd_add": Case(
            lambda d, i, u: ScatterNDOp(d, i, u, "add"),
            [data, np.array([[1], [1]], np.int64), _x(2, 4, dtype=dtype)],
        ),
        "scatter_elements_max": Case(
            lambda d, i, u: ScatterElementsOp(d, i, u, 1, "max"),
            [data, np.array([[0, 3], [-1, -1]], np.int64), _x(2, 2, dtype=dtype) * 2],
            [[None, 4]],
        ),
        "scatter_elements_none": Case(
            lambda d, i, u: ScatterElementsOp(d, i, u, 0),
            [data, np.array([[2, 0, 1, 1]], np.int64), _x(1, 4, dtype=dtype) + 9],
        ),
    }


def _top_k(largest: bool, count: int | None) -> Case:
    def build(v: SSAValue, k: SSAValue) -> TopKOp:
        return TopKOp(v, k, 1, largest=largest, count=count)

    x = np.array([[3.0, 1.0, 3.0, -2.0, 1.0], [0.5, np.nan, 7.0, 0.5, -1.0]], np.float32)
    return Case(build, [x, np.array([3], np.int64)], [[None, 5]])


@pytest.mark.parametrize("name", list(_cases()))
def test_indexing_op(name: str) -> None:
    assert_case(_cases()[name])


@pytest.mark.parametrize(("largest", "count"), [(True, 3), (False, None)])
def test_top_k(largest: bool, count: int | None) -> None:
    assert_case(_top_k(largest, count))


def test_indexing_in_c() -> None:
    cases = [case for dtype in (np.float32, np.float16, np.int32, np.int64) for case in _cases(dtype).values()]
    cases += [_top_k(True, 3), _top_k(False, None), _top_k(True, None)]
    cases.append(Case(lambda v: TopKOp(v, v, 0, count=None), [np.array([1], np.int64)]))
    assert_cases_in_c(cases, rtol=1e-3)
