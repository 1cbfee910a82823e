"""infer_depthwise_conv2d_f32 (runtime/c/kernels/depthwise_conv2d.c) against infer.conv's reference
semantics with groups == input channels: ShuffleNet's layers, every window at small sizes, channel
multipliers, edge widths, every activation with bias and residual, 1 and 2 threads."""

from __future__ import annotations

import numpy as np
import pytest
from conv_harness import ACTIVATIONS, ConvLib, Window, assert_conv_close, needs_cc, variant_lib

pytestmark = needs_cc


@pytest.fixture(scope="module", params=["native", "portable"])
def lib(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ConvLib:
    """As a model builds the kernels (AVX-512 here), and the portable C."""
    return variant_lib(tmp_path_factory, request.param)


def run_case(
    lib: ConvLib,
    ctx: int | None,
    rng: np.random.Generator,
    n: int,
    c: int,
    h: int,
    w: int,
    multiplier: int,
    kernel: tuple[int, int],
    window: Window,
    *,
    bias: bool = True,
    residual: bool = False,
    act: str = "none",
) -> np.ndarray:
    x = rng.standard_normal((n, c, h, w), np.float32)
    wt = rng.standard_normal((c * multiplier, 1, *kernel), np.float32)
    b = rng.standard_normal(c * multiplier).astype(np.float32) if bias else None
    oh, ow = window.out((h, w), kernel)
    r = rng.standard_normal((n, c * multiplier, oh, ow), np.float32) if residual else None
    got = lib.depthwise_conv2d(ctx, x, wt, window, bias=b, residual=r, act=act)
    assert_conv_close(got, x, wt, window, c, bias=b, residual=r, act=act)
    return got


S1P1 = Window((1, 1), (1, 1), (1, 1, 1, 1))
S2P1 = Window((2, 2), (1, 1), (1, 1, 1, 1))

SHUFFLENET = [
    (112, 56, 56, S2P1),
    (136, 28, 28, S1P1),
    (136, 28, 28, S2P1),
    (272, 14, 14, S1P1),
    (272, 14, 14, S2P1),
    (544, 7, 7, S1P1),
]


@pytest.mark.parametrize(("c", "h", "w", "window"), SHUFFLENET)
def test_shufflenet_layers(lib: ConvLib, rng: np.random.Generator, c: int, h: int, w: int, window: Window) -> None:
    run_case(lib, None, rng, 1, c, h, w, 1, (3, 3), window)


WINDOWS = [
    Window(),
    Window((2, 2)),
    S1P1,
    S2P1,
    Window((1, 1), (1, 1), (2, 2, 2, 2)),
    Window((3, 3), (1, 1), (1, 2, 0, 1)),
    Window((1, 2), (2, 1), (2, 0, 1, 3)),
    Window((2, 1), (1, 3), (0, 4, 2, 0)),
    Window((1, 1), (2, 2), (2, 2, 2, 2)),
    Window((4, 3), (2, 2), (1, 1, 2, 2)),
]


@pytest.mark.parametrize("window", WINDOWS, ids=str)
@pytest.mark.parametrize("kernel", [(3, 3), (5, 5), (1, 1), (7, 3), (2, 4)], ids=str)
@pytest.mark.parametrize("width", [5, 16, 17, 37])
def test_windows(lib: ConvLib, rng: np.random.Generator, kernel, window: Window, width: int) -> None:
    if not window.fits((11, width), kernel):
        pytest.skip("the window does not fit")
    run_case(lib, None, rng, 2, 3, 11, width, 1, kernel, window)


@pytest.mark.parametrize("multiplier", [2, 3])
def test_channel_multiplier(lib: ConvLib, rng: np.random.Generator, multiplier: int) -> None:
    run_case(lib, None, rng, 2, 5, 13, 21, multiplier, (3, 3), S1P1, act="relu")
    run_case(lib, None, rng, 1, 4, 16, 16, multiplier, (3, 3), S2P1)


@pytest.mark.parametrize("act", list(ACTIVATIONS))
@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("bias", [False, True])
def test_epilogues(lib: ConvLib, rng: np.random.Generator, act: str, residual: bool, bias: bool) -> None:
    run_case(lib, None, rng, 2, 6, 9, 19, 1, (3, 3), S1P1, bias=bias, residual=residual, act=act)
    run_case(lib, None, rng, 1, 4, 10, 7, 2, (3, 3), S2P1, bias=bias, residual=residual, act=act)


def test_random_shapes(lib: ConvLib, rng: np.random.Generator) -> None:
    for _ in range(60):
        kernel = tuple(int(v) for v in rng.integers(1, 6, 2))
        window = Window(
            tuple(int(v) for v in rng.integers(1, 4, 2)),  # type: ignore[arg-type]
            tuple(int(v) for v in rng.integers(1, 3, 2)),  # type: ignore[arg-type]
            tuple(int(v) for v in rng.integers(0, 4, 4)),  # type: ignore[arg-type]
        )
        h, w = (int(v) for v in rng.integers(1, 50, 2))
        if not window.fits((h, w), kernel):
            continue
        run_case(
            lib,
            None,
            rng,
            int(rng.integers(1, 3)),
            int(rng.integers(1, 9)),
            h,
            w,
            int(rng.integers(1, 3)),
            kernel,  # type: ignore[arg-type]
            window,
            act=str(rng.choice(list(ACTIVATIONS))),
            residual=bool(rng.integers(0, 2)),
            bias=bool(rng.integers(0, 2)),
        )


@pytest.mark.parametrize(("c", "h", "w", "window"), SHUFFLENET[:3])
def test_two_threads_give_the_same_bits(
    lib: ConvLib, rng: np.random.Generator, c: int, h: int, w: int, window: Window
) -> None:
    x = rng.standard_normal((2, c, h, w), np.float32)
    wt = rng.standard_normal((c, 1, 3, 3), np.float32)
    b = rng.standard_normal(c).astype(np.float32)
    one = lib.depthwise_conv2d(None, x, wt, window, bias=b, act="relu")
    with lib.context(threads=2) as ctx:
        two = lib.depthwise_conv2d(ctx, x, wt, window, bias=b, act="relu")
    np.testing.assert_array_equal(one.view(np.uint32), two.view(np.uint32))
    assert_conv_close(two, x, wt, window, c, bias=b, act="relu")
