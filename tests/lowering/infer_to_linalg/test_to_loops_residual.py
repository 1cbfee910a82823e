"""Convolutions and gemms with a `residual` operand, lowered to loops, compute what
the reference interpreter computes (which is the unfused conv, add and activation)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from cases import Case, assert_case, assert_cases_in_c

from infer.dialects.infer.epilogue import Epilogue
from infer.dialects.infer.matmul import GemmOp
from infer.dialects.infer.nn import ConvOp


def _conv_out(x: Sequence[int], w: Sequence[int], strides: Sequence[int], pads: Sequence[int]) -> list[int]:
    n = len(x) - 2
    spatial = [(x[2 + i] + pads[i] + pads[n + i] - w[2 + i]) // strides[i] + 1 for i in range(n)]
    return [x[0], w[0], *spatial]


def residual_conv_case(
    x_shape: Sequence[int],
    w_shape: Sequence[int],
    *,
    strides: Sequence[int] | None = None,
    pads: Sequence[int] | None = None,
    groups: int = 1,
    bias: bool = True,
    layout: str = "nchw",
    epilogue: Epilogue | None = None,
    dtype: type = np.float32,
    dynamic: Sequence[int] = (),
    seed: int = 0,
) -> Case:
    """A conv with a residual; `dynamic` dims (channels-first positions) of the input
    and the residual are `?`."""
    rng = np.random.default_rng(seed)
    n = len(x_shape) - 2
    strides = list(strides or [1] * n)
    pads = list(pads or [0] * (2 * n))
    out = _conv_out(x_shape, w_shape, strides, pads)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    r = rng.standard_normal(out).astype(dtype)
    x_dims: list[int | None] = [None if i in dynamic else d for i, d in enumerate(x_shape)]
    r_dims: list[int | None] = [None if i in dynamic else d for i, d in enumerate(out)]
    if layout == "nhwc":
        x, r = (np.ascontiguousarray(np.moveaxis(a, 1, -1)) for a in (x, r))
        x_dims, r_dims = ([d[0], *d[2:], d[1]] for d in (x_dims, r_dims))
    inputs = [x, w] + ([rng.standard_normal(w_shape[0]).astype(dtype)] if bias else []) + [r]
    dims = [x_dims, None] + ([None] if bias else []) + [r_dims]
    window = {"strides": strides, "dilations": [1] * n, "pads": pads, "groups": groups, "layout": layout}

    def build(*args):
        *operands, residual = args
        return ConvOp(*operands, residual=residual, epilogue=epilogue, **window)

    return Case(build, inputs, dims)


CONVS = {
    "plain": ((1, 2, 5, 5), (3, 2, 3, 3), {"pads": [1, 1, 1, 1]}),
    "strided_no_bias": ((1, 2, 6, 5), (2, 2, 3, 3), {"strides": [2, 2], "pads": [1, 1, 1, 1], "bias": False}),
    "pointwise": ((2, 3, 3, 2), (4, 3, 1, 1), {}),
    "depthwise": ((1, 3, 4, 4), (3, 1, 3, 3), {"groups": 3, "pads": [1, 1, 1, 1]}),
    "relu": ((1, 2, 4, 4), (2, 2, 3, 3), {"pads": [1, 1, 1, 1], "epilogue": Epilogue("relu")}),
    "pointwise_clip": ((1, 4, 3, 2), (6, 4, 1, 1), {"epilogue": Epilogue("clip", (-0.5, 0.5))}),
    "conv1d_silu": ((2, 2, 7), (3, 2, 3), {"pads": [1, 1], "epilogue": Epilogue("silu")}),
}


@pytest.mark.parametrize("name", CONVS)
@pytest.mark.parametrize("layout", ["nchw", "nhwc"])
def test_conv_residual(name: str, layout: str) -> None:
    x, w, options = CONVS[name]
    assert_case(residual_conv_case(x, w, layout=layout, **options), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape", [(2, 3, 4, 3), (2, 2, 5, 4)], ids=["pointwise", "3x3"])
def test_conv_residual_dynamic_dims(shape: Sequence[int]) -> None:
    w = (4, shape[1], 1, 1) if shape == (2, 3, 4, 3) else (4, shape[1], 3, 3)
    pads = [0, 0, 0, 0] if w[2] == 1 else [1, 1, 1, 1]
    case = residual_conv_case(shape, w, pads=pads, dynamic=(0, 2, 3), epilogue=Epilogue("relu"))
    assert_case(case, rtol=1e-5, atol=1e-6)
    # Other sizes through the same lowered function.
    case.inputs[0] = case.inputs[0][:1, :, :2]
    case.inputs[-1] = np.ascontiguousarray(case.inputs[-1][:1, :, :2])
    assert_case(case, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float16, np.float64])
def test_conv_residual_float_widths(dtype: type) -> None:
    case = residual_conv_case((1, 3, 4, 4), (2, 3, 3, 3), pads=[1, 1, 1, 1], dtype=dtype, epilogue=Epilogue("relu"))
    tolerance = 1e-3 if dtype == np.float16 else 1e-12
    assert_case(case, rtol=tolerance, atol=tolerance)


def gemm_case(
    m: int, k: int, n: int, *, c: Sequence[int] | None, trans_b: bool = False, epilogue: Epilogue | None = None
) -> Case:
    rng = np.random.default_rng(3)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((n, k) if trans_b else (k, n)).astype(np.float32)
    r = rng.standard_normal((m, n)).astype(np.float32)
    inputs = [a, b] + ([rng.standard_normal(c).astype(np.float32)] if c is not None else []) + [r]
    dims = [[None, k], None] + ([None] if c is not None else []) + [[None, n]]

    def build(*args):
        *operands, residual = args
        return GemmOp(*operands, trans_b=trans_b, alpha=0.5, epilogue=epilogue, residual=residual)

    return Case(build, inputs, dims)


def test_gemm_residual() -> None:
    cases = [
        gemm_case(3, 4, 5, c=(1, 5), trans_b=True, epilogue=Epilogue("relu")),
        gemm_case(2, 3, 4, c=None),
        gemm_case(4, 2, 3, c=(4, 1), epilogue=Epilogue("tanh")),
    ]
    for case in cases:
        assert_case(case, rtol=1e-5, atol=1e-6)


def test_residual_in_c() -> None:
    cases = [residual_conv_case(x, w, **options) for x, w, options in CONVS.values()]
    cases.append(residual_conv_case((2, 8, 9, 7), (8, 8, 3, 3), pads=[1, 1, 1, 1], dynamic=(0,)))
    cases.append(gemm_case(5, 7, 6, c=(1, 6), trans_b=True, epilogue=Epilogue("relu")))
    assert_cases_in_c(cases, rtol=1e-5, atol=1e-5)
