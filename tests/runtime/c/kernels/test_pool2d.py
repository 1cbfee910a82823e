"""infer_max_pool2d_f32 / infer_avg_pool2d_f32 (runtime/c/kernels/pool2d.c) against infer.max_pool /
infer.avg_pool's reference semantics: the models' pooling layers, every window, ceil mode,
count_include_pad (the divisor rule), windows of padding only, NaN and infinities, 1 and 2 threads.

Max pooling is compared bit for bit (NaN with NaN); average pooling within the rounding of a sum
taken in another order."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from conv_harness import EPS, ERR_ARGUMENT, ERR_SHAPE, ConvLib, Window, needs_cc, reference_pool, variant_lib

pytestmark = needs_cc


@pytest.fixture(scope="module", params=["native", "portable"])
def lib(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ConvLib:
    """As a model builds the kernels (AVX-512 here), and the portable C."""
    return variant_lib(tmp_path_factory, request.param)


def check(
    lib: ConvLib,
    kind: str,
    x: np.ndarray,
    kernel: Sequence[int],
    window: Window,
    *,
    ceil_mode: bool = False,
    count_include_pad: bool = False,
    ctx: int | None = None,
) -> np.ndarray:
    got = lib.pool2d(ctx, kind, x, kernel, window, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
    want = reference_pool(kind, x, kernel, window, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
    assert got.shape == want.shape, (got.shape, want.shape)
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan, err_msg="NaN positions")
    if kind == "max":
        np.testing.assert_array_equal(got[~nan], want[~nan])
    else:
        # The sum of at most kh * kw terms in another order, divided by the count.
        scale = reference_pool(
            "avg", np.abs(x), kernel, window, ceil_mode=ceil_mode, count_include_pad=count_include_pad
        )
        tol = 2 * kernel[0] * kernel[1] * EPS * scale[~nan] + 1e-30
        inf = np.isinf(want[~nan])
        np.testing.assert_array_equal(got[~nan][inf], want[~nan][inf])
        assert np.all(np.abs(got[~nan][~inf] - want[~nan][~inf]) <= tol[~inf]), np.max(
            np.abs(got[~nan][~inf] - want[~nan][~inf]) - tol[~inf]
        )
    return got


# -- the models' layers ------------------------------------------------------------------------------

MODEL_POOLS = [
    # (kind, c, h, w, kernel, window, ceil_mode, count_include_pad)
    pytest.param("max", 64, 112, 112, (3, 3), Window((2, 2), (1, 1), (1, 1, 1, 1)), False, False, id="resnet-max"),
    pytest.param("max", 64, 111, 111, (3, 3), Window((2, 2)), False, False, id="squeezenet-max-111"),
    pytest.param("max", 128, 55, 55, (3, 3), Window((2, 2)), True, False, id="squeezenet-max-ceil"),
    pytest.param("max", 192, 56, 56, (3, 3), Window((2, 2), (1, 1), (0, 0, 1, 1)), False, False, id="inception-max"),
    pytest.param("max", 1024, 7, 7, (3, 3), Window((1, 1), (1, 1), (1, 1, 1, 1)), False, False, id="inception-max-s1"),
    pytest.param("max", 24, 112, 112, (3, 3), Window((2, 2), (1, 1), (1, 1, 1, 1)), False, False, id="shufflenet-max"),
    pytest.param("avg", 192, 28, 28, (3, 3), Window((1, 1), (1, 1), (1, 1, 1, 1)), False, False, id="inception-avg"),
    pytest.param("avg", 192, 28, 28, (3, 3), Window((1, 1), (1, 1), (1, 1, 1, 1)), False, True, id="inception-avg-pad"),
    pytest.param("avg", 24, 56, 56, (3, 3), Window((2, 2), (1, 1), (1, 1, 1, 1)), False, False, id="shufflenet-avg"),
    pytest.param("avg", 128, 56, 56, (2, 2), Window((2, 2)), False, False, id="densenet-avg"),
    pytest.param("avg", 2048, 7, 7, (7, 7), Window(), False, False, id="resnet-avg-7x7"),
]


@pytest.mark.parametrize(("kind", "c", "h", "w", "kernel", "window", "ceil_mode", "count_include_pad"), MODEL_POOLS)
def test_model_layers(
    lib: ConvLib, rng: np.random.Generator, kind, c, h, w, kernel, window, ceil_mode, count_include_pad
) -> None:
    x = rng.standard_normal((1, c, h, w), np.float32)
    check(lib, kind, x, kernel, window, ceil_mode=ceil_mode, count_include_pad=count_include_pad)


# -- windows -----------------------------------------------------------------------------------------

WINDOWS = [
    Window(),
    Window((2, 2)),
    Window((1, 1), (1, 1), (1, 1, 1, 1)),
    Window((2, 2), (1, 1), (1, 1, 1, 1)),
    Window((2, 2), (1, 1), (0, 0, 1, 1)),
    Window((3, 3), (1, 1), (1, 2, 0, 1)),
    Window((1, 2), (2, 1), (2, 0, 1, 2)),
    Window((2, 3), (1, 2), (0, 2, 2, 0)),
    Window((4, 5), (2, 2), (1, 1, 2, 2)),
]


@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize(("kind", "count_include_pad"), [("max", False), ("avg", False), ("avg", True)])
@pytest.mark.parametrize("window", WINDOWS, ids=str)
@pytest.mark.parametrize("kernel", [(2, 2), (3, 3), (1, 4), (5, 3)], ids=str)
def test_windows(
    lib: ConvLib, rng: np.random.Generator, kernel, window: Window, kind: str, count_include_pad: bool, ceil_mode: bool
) -> None:
    for h, w in ((13, 37), (6, 16), (7, 17)):
        if not window.fits((h, w), kernel):
            continue
        x = rng.standard_normal((2, 3, h, w), np.float32)
        check(lib, kind, x, kernel, window, ceil_mode=ceil_mode, count_include_pad=count_include_pad)


def test_ceil_mode_windows_that_reach_past_the_padding(lib: ConvLib, rng: np.random.Generator) -> None:
    # 9 + 1 - 3 = 7, / 4 rounds up to 2: the last window starts at 8 (inside the input) and ends
    # at 10, past the end padding; its count includes the pad only up to size + pad_end (2 taps).
    x = rng.standard_normal((1, 2, 9, 9), np.float32)
    window = Window((4, 4), (1, 1), (0, 0, 1, 1))
    for kind, include in (("max", False), ("avg", False), ("avg", True)):
        got = check(lib, kind, x, (3, 3), window, ceil_mode=True, count_include_pad=include)
        assert got.shape == (1, 2, 3, 3)
    # A last window that would start in the end padding is dropped.
    x = rng.standard_normal((1, 1, 5, 5), np.float32)
    got = check(lib, "avg", x, (2, 2), Window((2, 2), (1, 1), (0, 0, 1, 1)), ceil_mode=True)
    assert got.shape == (1, 1, 3, 3)


def test_windows_of_padding_only(lib: ConvLib, rng: np.random.Generator) -> None:
    # pads larger than the kernel: the first and last windows hold no input element.
    x = rng.standard_normal((1, 2, 5, 6), np.float32)
    window = Window((1, 1), (1, 1), (3, 3, 3, 3))
    got = check(lib, "max", x, (2, 2), window)
    assert np.isneginf(got[0, 0, 0, 0])
    got = check(lib, "avg", x, (2, 2), window)
    assert np.isnan(got[0, 0, 0, 0])  # 0 / 0
    got = check(lib, "avg", x, (2, 2), window, count_include_pad=True)
    assert got[0, 0, 0, 0] == 0.0


def test_nan_and_infinities(lib: ConvLib, rng: np.random.Generator) -> None:
    x = rng.standard_normal((1, 3, 12, 40), np.float32)
    x[0, 0, 3, 5] = np.nan
    x[0, 1, 7, 20] = np.inf
    x[0, 2, 0, 0] = -np.inf
    x[0, 2, 11, 39] = np.nan
    for window in (Window((1, 1), (1, 1), (1, 1, 1, 1)), Window((2, 2), (1, 1), (1, 1, 1, 1)), Window((3, 3))):
        for kind in ("max", "avg"):
            check(lib, kind, x, (3, 3), window)
    x = np.full((1, 1, 4, 20), -np.inf, np.float32)
    got = check(lib, "max", x, (2, 2), Window((1, 1), (1, 1), (1, 1, 1, 1)))
    assert np.isneginf(got).all()


def test_random_shapes(lib: ConvLib, rng: np.random.Generator) -> None:
    for _ in range(100):
        kernel = tuple(int(v) for v in rng.integers(1, 6, 2))
        window = Window(
            tuple(int(v) for v in rng.integers(1, 4, 2)),  # type: ignore[arg-type]
            tuple(int(v) for v in rng.integers(1, 3, 2)),  # type: ignore[arg-type]
            tuple(int(v) for v in rng.integers(0, 4, 4)),  # type: ignore[arg-type]
        )
        h, w = (int(v) for v in rng.integers(1, 45, 2))
        if not window.fits((h, w), kernel):
            continue
        x = rng.standard_normal((int(rng.integers(1, 3)), int(rng.integers(1, 5)), h, w), np.float32)
        kind = str(rng.choice(["max", "avg"]))
        check(
            lib, kind, x, kernel, window, ceil_mode=bool(rng.integers(0, 2)), count_include_pad=bool(rng.integers(0, 2))
        )


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_two_threads_give_the_same_bits(lib: ConvLib, rng: np.random.Generator, kind: str) -> None:
    x = rng.standard_normal((2, 48, 57, 57), np.float32)
    window = Window((2, 2), (1, 1), (1, 1, 1, 1))
    one = lib.pool2d(None, kind, x, (3, 3), window, ceil_mode=True)
    with lib.context(threads=2) as ctx:
        two = check(lib, kind, x, (3, 3), window, ceil_mode=True, ctx=ctx)
    np.testing.assert_array_equal(one.view(np.uint32), two.view(np.uint32))


def test_errors(lib: ConvLib) -> None:
    x = np.zeros((1, 1, 4, 4), np.float32)
    y = np.zeros((1, 1, 4, 4), np.float32)
    assert lib.pool2d_status(None, "max", x, y, (6, 6), Window()) == ERR_SHAPE  # the window does not fit
    assert lib.pool2d_status(None, "avg", x, y, (3, 3), Window((0, 1))) == ERR_ARGUMENT
    assert lib.pool2d_status(None, "avg", x, y, (0, 3), Window()) == ERR_ARGUMENT
