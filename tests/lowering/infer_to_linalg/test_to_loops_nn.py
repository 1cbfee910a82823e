"""Convolutions and pooling lowered to loops compute what the reference interpreter computes.

Every attribute variant runs on tiny shapes through xDSL's interpreter; the
same variants (on larger shapes) run compiled to C, many per module.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from cases import Case, assert_case, assert_cases_in_c

from infer.dialects.infer.epilogue import Epilogue
from infer.dialects.infer.nn import AvgPoolOp, ConvOp, ConvTransposeOp, LpPoolOp, MaxPoolOp


def _channels_last(shape: Sequence[int]) -> list[int]:
    return [shape[0], *shape[2:], shape[1]]


def _data(rng: np.random.Generator, shape: Sequence[int], dtype: type) -> np.ndarray:
    if np.dtype(dtype).kind in "iu":
        return rng.integers(-3, 4, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def conv_case(
    x_shape: Sequence[int],
    w_shape: Sequence[int],
    *,
    strides: Sequence[int] | None = None,
    dilations: Sequence[int] | None = None,
    pads: Sequence[int] | None = None,
    groups: int = 1,
    bias: bool = True,
    layout: str = "nchw",
    epilogue: Epilogue | None = None,
    dtype: type = np.float32,
    dynamic: Sequence[int] = (),
    transpose: bool = False,
    output_padding: Sequence[int] | None = None,
    seed: int = 0,
) -> Case:
    """A convolution (or transposed one) of an input of `x_shape` (channels first;
    moved last for nhwc) whose dims at `dynamic` (channels-first positions) are `?`."""
    rng = np.random.default_rng(seed)
    n = len(x_shape) - 2
    x = _data(rng, x_shape, dtype)
    w = _data(rng, w_shape, dtype)
    out_channels = w_shape[1] * groups if transpose else w_shape[0]
    inputs = [x, w] + ([_data(rng, [out_channels], dtype)] if bias else [])
    dims: list[int | None] = [None if i in dynamic else d for i, d in enumerate(x_shape)]
    if layout == "nhwc":
        inputs[0] = np.ascontiguousarray(np.moveaxis(x, 1, -1))
        dims = _channels_last(dims)  # type: ignore[arg-type]
    window = {
        "strides": strides or [1] * n,
        "dilations": dilations or [1] * n,
        "pads": pads or [0] * (2 * n),
        "groups": groups,
        "layout": layout,
        "epilogue": epilogue,
    }

    def build(*args):
        if transpose:
            return ConvTransposeOp(*args, output_padding=output_padding or [0] * n, **window)
        return ConvOp(*args, **window)

    return Case(build, inputs, [dims])


def pool_case(
    kind: str,
    x_shape: Sequence[int],
    kernel: Sequence[int],
    *,
    strides: Sequence[int] | None = None,
    dilations: Sequence[int] | None = None,
    pads: Sequence[int] | None = None,
    ceil_mode: bool = False,
    layout: str = "nchw",
    dtype: type = np.float32,
    dynamic: Sequence[int] = (),
    count_include_pad: bool = False,
    p: float = 2.0,
    x: np.ndarray | None = None,
) -> Case:
    rng = np.random.default_rng(1)
    n = len(kernel)
    if x is None:
        integers = np.dtype(dtype).kind == "i"
        x = rng.integers(-100, 100, x_shape).astype(dtype) if integers else _data(rng, x_shape, dtype)
    dims: list[int | None] = [None if i in dynamic else d for i, d in enumerate(x_shape)]
    if layout == "nhwc":
        x = np.ascontiguousarray(np.moveaxis(x, 1, -1))
        dims = _channels_last(dims)  # type: ignore[arg-type]
    window = {
        "kernel": kernel,
        "strides": strides or [1] * n,
        "dilations": dilations or [1] * n,
        "pads": pads or [0] * (2 * n),
        "ceil_mode": ceil_mode,
        "layout": layout,
    }

    def build(value):
        if kind == "max":
            return MaxPoolOp(value, **window)
        if kind == "avg":
            return AvgPoolOp(value, count_include_pad=count_include_pad, **window)
        return LpPoolOp(value, p=p, **window)

    return Case(build, [x], [dims])


# -- convolution ------------------------------------------------------------------------------

CONVS = {
    "plain": ((1, 2, 5, 5), (3, 2, 3, 3), {}),
    "padded": ((1, 2, 5, 5), (3, 2, 3, 3), {"pads": [1, 1, 1, 1]}),
    "strided": ((1, 2, 6, 5), (2, 2, 3, 3), {"strides": [2, 2], "pads": [1, 1, 1, 1]}),
    "asymmetric_pads": ((1, 2, 4, 5), (2, 2, 3, 2), {"pads": [0, 2, 2, 0], "strides": [1, 2]}),
    "dilated": ((1, 1, 6, 6), (2, 1, 3, 3), {"dilations": [2, 1], "pads": [2, 1, 2, 1]}),
    "grouped": ((1, 4, 4, 4), (4, 2, 3, 3), {"groups": 2, "pads": [1, 1, 1, 1]}),
    "depthwise": ((1, 3, 4, 4), (6, 1, 3, 3), {"groups": 3, "pads": [1, 1, 1, 1], "strides": [2, 2]}),
    "pointwise": ((2, 3, 3, 2), (4, 3, 1, 1), {}),
    "pointwise_grouped_relu": ((1, 4, 3, 2), (6, 2, 1, 1), {"groups": 2, "epilogue": Epilogue("relu")}),
    "pointwise_3d": ((1, 2, 2, 3, 2), (3, 2, 1, 1, 1), {}),
    "no_bias": ((1, 2, 4, 4), (2, 2, 3, 3), {"bias": False, "pads": [1, 0, 0, 1]}),
    "conv1d": ((2, 2, 7), (3, 2, 3), {"pads": [2, 1], "strides": [2], "dilations": [2]}),
    "conv3d": ((1, 2, 3, 3, 4), (2, 2, 2, 3, 3), {"pads": [1, 0, 1, 0, 1, 1]}),
    "window_in_padding": ((1, 1, 2, 2), (1, 1, 2, 2), {"pads": [3, 3, 0, 0]}),
}


@pytest.mark.parametrize("name", CONVS)
@pytest.mark.parametrize("layout", ["nchw", "nhwc"])
def test_conv(name: str, layout: str) -> None:
    x, w, options = CONVS[name]
    assert_case(conv_case(x, w, layout=layout, **options), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("layout", ["nchw", "nhwc"])
def test_pointwise_conv_dynamic_dims(layout: str) -> None:
    case = conv_case((2, 3, 4, 3), (5, 3, 1, 1), layout=layout, dynamic=(0, 2, 3))
    assert_case(case, rtol=1e-5, atol=1e-6)
    case.inputs[0] = case.inputs[0][:1, :, :2] if layout == "nchw" else case.inputs[0][:1, :2]
    assert_case(case, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("layout", ["nchw", "nhwc"])
def test_conv_dynamic_dims(layout: str) -> None:
    case = conv_case((2, 2, 5, 4), (3, 2, 3, 3), strides=[2, 1], pads=[1, 0, 1, 2], layout=layout, dynamic=(0, 2, 3))
    assert_case(case, rtol=1e-5, atol=1e-6)
    # Other sizes at run time through the same lowered function.
    case.inputs[0] = case.inputs[0][:1, :, :3] if layout == "nchw" else case.inputs[0][:1, :3]
    assert_case(case, rtol=1e-5, atol=1e-6)


EPILOGUES = [
    Epilogue("relu"),
    Epilogue("clip", (-0.5, 0.5)),
    Epilogue("leaky_relu", (0.1,)),
    Epilogue("sigmoid"),
    Epilogue("hard_sigmoid", (0.2, 0.5)),
    Epilogue("hard_swish"),
    Epilogue("silu"),
    Epilogue("tanh"),
    Epilogue("gelu"),
    Epilogue("gelu_tanh"),
]


@pytest.mark.parametrize("epilogue", EPILOGUES, ids=str)
def test_conv_epilogue(epilogue: Epilogue) -> None:
    case = conv_case((1, 2, 3, 3), (2, 2, 2, 2), pads=[1, 1, 0, 0], epilogue=epilogue)
    (y,) = assert_case(case, rtol=1e-5, atol=1e-6)
    assert np.isfinite(y).all()


@pytest.mark.parametrize("dtype", [np.float16, np.float64])
def test_conv_float_widths(dtype: type) -> None:
    case = conv_case((1, 3, 4, 4), (2, 3, 3, 3), pads=[1, 1, 1, 1], dtype=dtype, epilogue=Epilogue("relu"))
    assert_case(case, rtol=1e-3 if dtype == np.float16 else 1e-12, atol=1e-3 if dtype == np.float16 else 1e-12)


@pytest.mark.parametrize("epilogue", [None, Epilogue("relu"), Epilogue("clip", (-4.0, 5.0))], ids=str)
def test_conv_integers(epilogue: Epilogue | None) -> None:
    case = conv_case((1, 2, 4, 4), (3, 2, 3, 3), pads=[1, 1, 1, 1], dtype=np.int32, epilogue=epilogue)
    assert_case(case)


# -- transposed convolution -------------------------------------------------------------------------

CONV_TRANSPOSES = {
    "plain": ((1, 2, 3, 3), (2, 3, 3, 3), {}),
    "strided": ((1, 2, 3, 2), (2, 2, 3, 3), {"strides": [2, 3], "pads": [1, 0, 1, 1], "output_padding": [1, 2]}),
    "dilated": ((1, 1, 3, 3), (1, 2, 2, 3), {"dilations": [2, 2], "strides": [2, 1]}),
    "negative_pads": ((1, 1, 3, 3), (1, 1, 3, 3), {"pads": [-1, 0, 1, -2], "strides": [2, 2]}),
    "grouped": ((1, 4, 2, 3), (4, 1, 2, 2), {"groups": 2, "strides": [2, 2], "pads": [1, 0, 0, 1]}),
    "no_bias": ((1, 2, 3, 3), (2, 1, 2, 2), {"bias": False, "strides": [1, 2]}),
    "conv1d": ((2, 2, 4), (2, 2, 3), {"strides": [3], "output_padding": [2], "pads": [0, 1]}),
}


@pytest.mark.parametrize("name", CONV_TRANSPOSES)
@pytest.mark.parametrize("layout", ["nchw", "nhwc"])
def test_conv_transpose(name: str, layout: str) -> None:
    x, w, options = CONV_TRANSPOSES[name]
    assert_case(conv_case(x, w, transpose=True, layout=layout, **options), rtol=1e-5, atol=1e-6)


def test_conv_transpose_dynamic_epilogue() -> None:
    case = conv_case(
        (2, 2, 3, 2), (2, 2, 3, 3), strides=[2, 2], pads=[1, 1, 0, 1], transpose=True, dynamic=(0, 2, 3),
        epilogue=Epilogue("leaky_relu", (0.2,)),
    )  # fmt: skip
    assert_case(case, rtol=1e-5, atol=1e-6)
    case.inputs[0] = case.inputs[0][:1, :, :2, :1]
    assert_case(case, rtol=1e-5, atol=1e-6)


# -- pooling ----------------------------------------------------------------------------------------

POOLS = {
    "plain": ((1, 2, 4, 4), [2, 2], {"strides": [2, 2]}),
    "padded": ((1, 2, 5, 5), [3, 3], {"strides": [2, 2], "pads": [1, 1, 1, 1]}),
    "asymmetric": ((1, 1, 5, 4), [3, 2], {"pads": [2, 0, 0, 1], "strides": [1, 2]}),
    "dilated": ((1, 1, 6, 6), [2, 2], {"dilations": [2, 3], "pads": [1, 1, 1, 1]}),
    "ceil": ((1, 2, 5, 6), [2, 3], {"strides": [2, 2], "ceil_mode": True}),
    "ceil_padded": ((1, 1, 6, 5), [3, 3], {"strides": [2, 2], "pads": [1, 1, 1, 0], "ceil_mode": True}),
    "window_in_padding": ((1, 1, 3, 3), [2, 2], {"pads": [2, 0, 0, 0]}),
    "pool1d": ((2, 2, 7), [3], {"strides": [2], "pads": [1, 1], "ceil_mode": True}),
    "pool3d": ((1, 1, 3, 4, 4), [2, 2, 3], {"strides": [1, 2, 2], "pads": [0, 1, 1, 1, 0, 1]}),
}


@pytest.mark.parametrize("name", POOLS)
@pytest.mark.parametrize("kind", ["max", "avg", "avg_include_pad", "lp"])
def test_pool(kind: str, name: str) -> None:
    x, kernel, options = POOLS[name]
    include = kind == "avg_include_pad"
    assert_case(pool_case(kind.removesuffix("_include_pad"), x, kernel, count_include_pad=include, **options), 1e-5)


@pytest.mark.parametrize("kind", ["max", "avg", "avg_include_pad", "lp"])
def test_pool_nhwc_dynamic(kind: str) -> None:
    include = kind == "avg_include_pad"
    case = pool_case(
        kind.removesuffix("_include_pad"), (2, 2, 5, 4), [3, 2], strides=[2, 1], pads=[1, 0, 1, 1],
        ceil_mode=True, layout="nhwc", dynamic=(0, 2, 3), count_include_pad=include,
    )  # fmt: skip
    assert_case(case, rtol=1e-5)
    case.inputs[0] = case.inputs[0][:1, :4, :3]
    assert_case(case, rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.uint8])
def test_max_pool_integers(dtype: type) -> None:
    x = np.arange(32).reshape(1, 2, 4, 4).astype(dtype) * (1 if dtype == np.uint8 else -1)
    assert_case(pool_case("max", x.shape, [3, 3], pads=[1, 1, 1, 1], x=x))
    # A window that holds only padding gives the least integer.
    (y,) = assert_case(pool_case("max", x.shape, [1, 1], pads=[1, 0, 0, 0], x=x))
    assert y[0, 0, 0, 0] == np.iinfo(dtype).min


def test_max_pool_nan_and_infinities() -> None:
    x = np.array([[[[1.0, np.nan, 3.0], [-np.inf, -np.inf, 2.0], [np.inf, 0.0, -1.0]]]], np.float32)
    (y,) = assert_case(pool_case("max", x.shape, [2, 2], pads=[1, 1, 0, 0], x=x))
    assert np.isnan(y[0, 0, 1, 1]) and y[0, 0, 0, 0] == 1.0


def test_avg_pool_divisor_rules() -> None:
    # A window only in padding averages nothing (0 / 0) unless the pads count.
    x = np.ones((1, 1, 2, 2), np.float32)
    (y,) = assert_case(pool_case("avg", x.shape, [2, 2], pads=[2, 2, 0, 0], x=x))
    assert np.isnan(y[0, 0, 0, 0]) and y[0, 0, 2, 2] == 1.0
    (y,) = assert_case(pool_case("avg", x.shape, [2, 2], pads=[2, 2, 0, 0], x=x, count_include_pad=True))
    assert y[0, 0, 0, 0] == 0.0
    # Ceil mode with count_include_pad: the part past the end padding is never counted.
    x = np.ones((1, 1, 5, 5), np.float32)
    (y,) = assert_case(pool_case("avg", x.shape, [3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=True, x=x,
                                 count_include_pad=True))  # fmt: skip
    assert y.shape == (1, 1, 3, 3)


@pytest.mark.parametrize("dtype", [np.float16, np.float64])
@pytest.mark.parametrize("kind", ["max", "avg", "lp"])
def test_pool_float_widths(kind: str, dtype: type) -> None:
    case = pool_case(kind, (1, 2, 4, 4), [3, 3], pads=[1, 1, 1, 1], strides=[2, 2], dtype=dtype)
    assert_case(case, rtol=1e-3 if dtype == np.float16 else 1e-12)


@pytest.mark.parametrize("p", [1.0, 3.0, 0.5])
def test_lp_pool_norms(p: float) -> None:
    assert_case(pool_case("lp", (1, 2, 4, 4), [2, 2], pads=[1, 1, 0, 0], ceil_mode=True, p=p), rtol=1e-5)


# -- C ---------------------------------------------------------------------------------------------


def test_nn_in_c() -> None:
    """Every family and variant on larger shapes, compiled to C in one module."""
    cases = []
    for x, w, options in CONVS.values():
        big = [2, x[1] * 2, *[d * 3 for d in x[2:]]]
        wide = [w[0] * 2, w[1] * 2, *w[2:]]
        for layout in ("nchw", "nhwc"):
            cases.append(conv_case(big, wide, layout=layout, dynamic=(0, 2), **options))
    for epilogue in EPILOGUES:
        cases.append(conv_case((1, 4, 9, 9), (8, 4, 3, 3), pads=[1, 1, 1, 1], epilogue=epilogue))
    cases.append(conv_case((1, 4, 6, 6), (4, 4, 3, 3), pads=[1, 1, 1, 1], dtype=np.float16))
    cases.append(conv_case((1, 4, 6, 6), (4, 4, 3, 3), pads=[1, 1, 1, 1], dtype=np.int32, epilogue=Epilogue("relu")))
    for x, w, options in CONV_TRANSPOSES.values():
        big = [2, x[1] * 2, *[d * 2 for d in x[2:]]]
        wide = [w[0] * 2, w[1] * 2, *w[2:]]
        for layout in ("nchw", "nhwc"):
            cases.append(conv_case(big, wide, transpose=True, layout=layout, dynamic=(0, 2), **options))
    for x, kernel, options in POOLS.values():
        big = [2, 3, *[d * 3 for d in x[2:]]]
        for kind in ("max", "avg", "avg_include_pad", "lp"):
            include = kind == "avg_include_pad"
            for layout in ("nchw", "nhwc"):
                kind_ = kind.removesuffix("_include_pad")
                options_ = {"layout": layout, "dynamic": (0, 2), "count_include_pad": include, **options}
                cases.append(pool_case(kind_, big, kernel, **options_))
    cases.append(pool_case("avg", (1, 2, 6, 6), [3, 3], pads=[1, 1, 1, 1], dtype=np.float16))
    cases.append(pool_case("max", (1, 2, 6, 6), [3, 3], pads=[1, 1, 1, 1], dtype=np.int8))
    assert_cases_in_c(cases, rtol=2e-3, atol=1e-5)
