"""infer_conv2d_f32 (runtime/c/kernels/conv2d.c) against infer.conv's reference semantics.

The kernel is compiled with a model's flags (build_kernels) and called through
conv_harness.c. Shapes: the layers of the models the kernel serves (ResNet-50,
Inception v2, DenseNet-121, SqueezeNet, ShuffleNet, the bundled example), every
window they use at small sizes, edge tiles, and random ones; every activation,
bias and residual; 1 and 2 threads give the same bits.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from conv_harness import (
    ACTIVATIONS,
    ERR_ARGUMENT,
    HERE,
    OK,
    VARIANTS,
    ConvLib,
    Window,
    assert_conv_close,
    needs_cc,
    variant_lib,
)

from infer.runtime.c.build import BASE_FLAGS, LINK_LIBS, OPT_FLAGS, build_kernels, find_compiler, kernel_include_dirs

pytestmark = needs_cc


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> ConvLib:
    return variant_lib(tmp_path_factory, "native")


@pytest.fixture(scope="module", params=list(VARIANTS))
def any_lib(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ConvLib:
    """Every build: conv2d's kernel chosen by shape, each of its two kernels forced, the portable C."""
    return variant_lib(tmp_path_factory, request.param)


def run_case(
    lib: ConvLib,
    ctx: int | None,
    rng: np.random.Generator,
    n: int,
    c: int,
    h: int,
    w: int,
    o: int,
    kernel: tuple[int, int],
    window: Window,
    groups: int = 1,
    *,
    bias: bool = True,
    residual: bool = False,
    act: str = "none",
) -> np.ndarray:
    x = rng.standard_normal((n, c, h, w), np.float32)
    wt = rng.standard_normal((o, c // groups, *kernel), np.float32)
    b = rng.standard_normal(o).astype(np.float32) if bias else None
    oh, ow = window.out((h, w), kernel)
    r = rng.standard_normal((n, o, oh, ow), np.float32) if residual else None
    packed = lib.pack_conv2d(wt, groups)
    got = lib.conv2d(ctx, x, packed, wt.shape, window, bias=b, residual=r, act=act)
    assert_conv_close(got, x, wt, window, groups, bias=b, residual=r, act=act)
    return got


# -- the models' layers --------------------------------------------------------------------------

S1P1 = Window((1, 1), (1, 1), (1, 1, 1, 1))
S2P1 = Window((2, 2), (1, 1), (1, 1, 1, 1))
S1 = Window()
S2 = Window((2, 2))
STEM = Window((2, 2), (1, 1), (3, 3, 3, 3))

MODEL_LAYERS = [
    # (n, c, h, w, o, kernel, window, groups): the models' layers at their sizes
    pytest.param(1, 3, 224, 224, 64, (7, 7), STEM, 1, id="stem-7x7s2"),  # ResNet-50, Inception v2, DenseNet-121
    pytest.param(1, 3, 224, 224, 64, (3, 3), Window((2, 2)), 1, id="squeezenet-stem-3x3s2p0"),
    pytest.param(1, 3, 224, 224, 24, (3, 3), S2P1, 1, id="shufflenet-stem-3x3s2p1"),
    pytest.param(1, 64, 56, 56, 64, (3, 3), S1P1, 1, id="resnet-3x3-56"),
    pytest.param(1, 64, 56, 56, 256, (1, 1), S1, 1, id="resnet-1x1-56"),
    pytest.param(1, 256, 56, 56, 128, (1, 1), S1, 1, id="resnet-1x1-256-128"),
    pytest.param(1, 128, 56, 56, 128, (3, 3), S2P1, 1, id="resnet-3x3s2"),
    pytest.param(1, 256, 56, 56, 512, (1, 1), S2, 1, id="resnet-1x1s2"),
    pytest.param(1, 512, 14, 14, 1024, (1, 1), S1, 1, id="resnet-1x1-14"),
    pytest.param(1, 512, 7, 7, 512, (3, 3), S1P1, 1, id="resnet-3x3-7"),
    pytest.param(1, 1024, 14, 14, 2048, (1, 1), S2, 1, id="resnet-1x1s2-14"),
    pytest.param(1, 2048, 7, 7, 512, (1, 1), S1, 1, id="resnet-1x1-2048"),
    pytest.param(1, 64, 56, 56, 192, (3, 3), S1P1, 1, id="inception-3x3-192"),
    pytest.param(1, 96, 28, 28, 96, (3, 3), S2P1, 1, id="inception-3x3s2-28"),
    pytest.param(1, 576, 14, 14, 224, (1, 1), S1, 1, id="inception-1x1-576"),
    pytest.param(1, 160, 7, 7, 224, (3, 3), S1P1, 1, id="inception-3x3-7"),
    pytest.param(1, 128, 56, 56, 32, (3, 3), S1P1, 1, id="densenet-3x3-32"),
    pytest.param(1, 992, 7, 7, 128, (1, 1), S1, 1, id="densenet-1x1-992"),
    pytest.param(1, 1024, 1, 1, 1000, (1, 1), S1, 1, id="densenet-classifier-1x1"),
    pytest.param(1, 96, 55, 55, 16, (1, 1), S1, 1, id="squeezenet-squeeze-55"),
    pytest.param(1, 16, 55, 55, 64, (3, 3), S1P1, 1, id="squeezenet-expand-3x3-55"),
    pytest.param(1, 48, 13, 13, 192, (3, 3), S1P1, 1, id="squeezenet-expand-3x3-13"),
    pytest.param(1, 512, 13, 13, 1000, (1, 1), S1, 1, id="squeezenet-classifier"),
    pytest.param(1, 24, 56, 56, 112, (1, 1), S1, 4, id="shufflenet-1x1-g4-56"),
    pytest.param(1, 136, 28, 28, 136, (1, 1), S1, 4, id="shufflenet-1x1-g4-28"),
    pytest.param(1, 544, 7, 7, 544, (1, 1), S1, 4, id="shufflenet-1x1-g4-7"),
    pytest.param(1, 3, 64, 64, 64, (3, 3), S1P1, 1, id="example-3x3-3-64"),
    pytest.param(1, 64, 40, 40, 256, (3, 3), S1P1, 1, id="example-3x3-64-256"),
]


@pytest.mark.parametrize(("n", "c", "h", "w", "o", "kernel", "window", "groups"), MODEL_LAYERS)
def test_model_layers(lib: ConvLib, rng: np.random.Generator, n, c, h, w, o, kernel, window, groups) -> None:
    run_case(lib, None, rng, n, c, h, w, o, kernel, window, groups, act="relu")


# -- windows, edges, epilogues ------------------------------------------------------------------------

WINDOWS = [
    Window(),
    Window((2, 2)),
    Window((1, 1), (1, 1), (1, 1, 1, 1)),
    Window((2, 2), (1, 1), (1, 1, 1, 1)),
    Window((2, 2), (1, 1), (3, 3, 3, 3)),
    Window((3, 3), (1, 1), (1, 2, 0, 1)),
    Window((1, 2), (2, 1), (2, 0, 1, 3)),
    Window((2, 1), (1, 3), (0, 4, 2, 0)),
    Window((4, 3), (2, 2), (1, 1, 2, 2)),
    Window((1, 1), (3, 3), (3, 3, 3, 3)),
]


@pytest.mark.parametrize("window", WINDOWS, ids=str)
@pytest.mark.parametrize("kernel", [(1, 1), (3, 3), (7, 7), (1, 3), (5, 2)], ids=str)
def test_windows(any_lib: ConvLib, rng: np.random.Generator, kernel: tuple[int, int], window: Window) -> None:
    # Sizes that leave partial register tiles on both sides (channels 11, positions not a multiple of 32).
    h, w = 19, 23
    if not window.fits((h, w), kernel):
        pytest.skip("the window does not fit")
    run_case(any_lib, None, rng, 2, 5, h, w, 11, kernel, window, act="relu")


@pytest.mark.parametrize("o", [1, 7, 8, 9, 16, 17, 31, 33])
@pytest.mark.parametrize("spatial", [(1, 1), (1, 31), (4, 8), (5, 7), (9, 9), (33, 2)])
def test_edge_tiles(any_lib: ConvLib, rng: np.random.Generator, o: int, spatial: tuple[int, int]) -> None:
    run_case(any_lib, None, rng, 1, 6, *spatial, o, (3, 3), S1P1)
    run_case(any_lib, None, rng, 1, 6, *spatial, o, (1, 1), S1)


@pytest.mark.parametrize("act", list(ACTIVATIONS))
@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("bias", [False, True])
def test_epilogues(any_lib: ConvLib, rng: np.random.Generator, act: str, residual: bool, bias: bool) -> None:
    # K = 600 > one K block (partial sums stored, then reloaded before the epilogue)
    run_case(any_lib, None, rng, 2, 24, 9, 13, 20, (5, 5), S1P1, bias=bias, residual=residual, act=act)
    run_case(any_lib, None, rng, 1, 8, 7, 5, 9, (1, 1), S1, bias=bias, residual=residual, act=act)


@pytest.mark.parametrize("groups", [2, 3, 4, 8])
def test_groups(any_lib: ConvLib, rng: np.random.Generator, groups: int) -> None:
    run_case(any_lib, None, rng, 2, 4 * groups, 10, 12, 3 * groups, (3, 3), S2P1, groups, act="relu")
    run_case(any_lib, None, rng, 1, 6 * groups, 14, 14, 10 * groups, (1, 1), S1, groups, residual=True)


def test_depthwise_shapes_through_the_gemm_path(any_lib: ConvLib, rng: np.random.Generator) -> None:
    # groups == channels is the depthwise kernel's job, but the implicit GEMM must compute it too.
    run_case(any_lib, None, rng, 1, 12, 9, 9, 24, (3, 3), S1P1, 12)


def test_random_shapes(any_lib: ConvLib, rng: np.random.Generator) -> None:
    for _ in range(40):
        groups = int(rng.choice([1, 1, 1, 2, 3]))
        kh, kw = (int(v) for v in rng.integers(1, 6, 2))
        window = Window(
            tuple(int(v) for v in rng.integers(1, 4, 2)),  # type: ignore[arg-type]
            tuple(int(v) for v in rng.integers(1, 3, 2)),  # type: ignore[arg-type]
            tuple(int(v) for v in rng.integers(0, 4, 4)),  # type: ignore[arg-type]
        )
        h, w = (int(v) for v in rng.integers(1, 40, 2))
        if not window.fits((h, w), (kh, kw)):
            continue
        c = groups * int(rng.integers(1, 20))
        o = groups * int(rng.integers(1, 20))
        act = str(rng.choice(list(ACTIVATIONS)))
        run_case(
            any_lib,
            None,
            rng,
            int(rng.integers(1, 4)),
            c,
            h,
            w,
            o,
            (kh, kw),
            window,
            groups,
            act=act,
            residual=bool(rng.integers(0, 2)),
            bias=bool(rng.integers(0, 2)),
        )


# -- threads, batch, errors -----------------------------------------------------------------------------

THREAD_CASES = [
    (1, 64, 56, 56, 64, (3, 3), S1P1, 1),
    (1, 3, 112, 112, 64, (7, 7), STEM, 1),
    (3, 16, 20, 20, 24, (3, 3), S2P1, 1),
    (1, 512, 7, 7, 512, (1, 1), S1, 1),
    (2, 24, 28, 28, 136, (1, 1), S1, 4),
]


@pytest.mark.parametrize(("n", "c", "h", "w", "o", "kernel", "window", "groups"), THREAD_CASES)
def test_two_threads_give_the_same_bits(
    any_lib: ConvLib, rng: np.random.Generator, n, c, h, w, o, kernel, window, groups
) -> None:
    x = rng.standard_normal((n, c, h, w), np.float32)
    wt = rng.standard_normal((o, c // groups, *kernel), np.float32)
    b = rng.standard_normal(o).astype(np.float32)
    packed = any_lib.pack_conv2d(wt, groups)
    one = any_lib.conv2d(None, x, packed, wt.shape, window, bias=b, act="relu")
    with any_lib.context(threads=2) as ctx:
        two = any_lib.conv2d(ctx, x, packed, wt.shape, window, bias=b, act="relu")
    np.testing.assert_array_equal(one.view(np.uint32), two.view(np.uint32))
    assert_conv_close(two, x, wt, window, groups, bias=b, act="relu")


def test_batch_items_are_independent(any_lib: ConvLib, rng: np.random.Generator) -> None:
    x = rng.standard_normal((3, 10, 15, 17), np.float32)
    wt = rng.standard_normal((12, 10, 3, 3), np.float32)
    packed = any_lib.pack_conv2d(wt)
    whole = any_lib.conv2d(None, x, packed, wt.shape, S1P1)
    for i in range(3):
        one = any_lib.conv2d(None, np.ascontiguousarray(x[i : i + 1]), packed, wt.shape, S1P1)
        np.testing.assert_array_equal(whole[i : i + 1], one)


def test_no_input_channels_gives_the_epilogue(lib: ConvLib) -> None:
    x = np.zeros((1, 0, 4, 4), np.float32)
    wt = np.zeros((3, 0, 1, 1), np.float32)
    b = np.array([1.0, -2.0, 3.0], np.float32)
    got = lib.conv2d(None, x, lib.pack_conv2d(wt), wt.shape, S1, bias=b, act="relu")
    np.testing.assert_array_equal(
        got, np.broadcast_to(np.array([1.0, 0.0, 3.0], np.float32)[None, :, None, None], got.shape)
    )


def test_a_weight_packed_for_another_shape_is_refused(lib: ConvLib, rng: np.random.Generator) -> None:
    x = rng.standard_normal((1, 8, 6, 6), np.float32)
    packed = lib.pack_conv2d(rng.standard_normal((4, 4, 3, 3), np.float32), groups=1)  # 4 input channels, not 8
    y = np.zeros((1, 4, 6, 6), np.float32)
    assert lib.conv2d_status(None, x, packed, y, S1P1) == ERR_ARGUMENT
    corrupt = packed.copy()
    corrupt[:4] = 0  # the header's magic
    x4 = np.ascontiguousarray(x[:, :4])
    assert lib.conv2d_status(None, x4, corrupt, y, S1P1) == ERR_ARGUMENT
    assert lib.conv2d_status(None, x4, packed, y, S1P1) == OK
    bad_stride = Window((0, 1), (1, 1), (1, 1, 1, 1))
    assert lib.conv2d_status(None, x4, packed, y, bad_stride) == ERR_ARGUMENT


# -- sanitizers ------------------------------------------------------------------------------------------

CONV_SOURCES = ("conv2d.c", "depthwise_conv2d.c", "pool2d.c", "threads.c", "epilogue.c")
"""The kernel library's sources these kernels use (the thread pool and the activations)."""


@pytest.mark.parametrize("variant", ["native", "cv", "sv"])
def test_sanitizers(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, variant: str) -> None:
    """conv_sanitize.c (random convolutions, depthwise convolutions and pools against naive references,
    every buffer against an inaccessible page, 1 and 2 threads) with the kernels built with
    -fsanitize=address,undefined: no report, every case right."""
    flags = [*OPT_FLAGS, *BASE_FLAGS, *VARIANTS[variant].get("extra_flags", ())]
    flags += ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g"]
    cache = tmp_path_factory.getbasetemp() / "conv_kernels"
    cache.mkdir(exist_ok=True)
    archive = build_kernels(cache, flags=flags, only=CONV_SOURCES)
    exe = tmp_path / "conv_sanitize"
    includes = [f"-I{d}" for d in kernel_include_dirs()]
    sources = [str(HERE / "conv_sanitize.c"), str(HERE / "conv_harness.c")]
    cmd = [find_compiler(None), *flags, *includes, "-o", str(exe), *sources, str(archive), *LINK_LIBS]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([str(exe), "15"], capture_output=True, text=True, timeout=900)
    assert "runtime error" not in proc.stderr and "AddressSanitizer" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stdout.strip().endswith(" 0 failed"), proc.stdout[-3000:]
