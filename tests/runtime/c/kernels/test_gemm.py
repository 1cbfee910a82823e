"""The GEMM kernels against numpy: every entry point, every micro-kernel (AVX-512, AVX2,
portable), operands plain / prepacked / packed by a callback, transposes, leading
dimensions, batches, edge shapes, and every epilogue (bias, residual, activation)
against the infer reference semantics (runtime/reference/nn.py).

The kernel library is built as build.py builds it for a model (build_kernels, the
same flags) and linked with gemm_harness.c."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from gemm_harness import (
    ACTIVATIONS,
    AUTO,
    AVX2,
    AVX512,
    BIAS_ROW,
    CALLBACK,
    GEMM_SOURCES,
    GENERIC,
    PACKED,
    PLAIN,
    SIDE_B,
    GemmLib,
)

from infer.runtime.c.build import BASE_FLAGS, LINK_LIBS, OPT_FLAGS, build_kernels, find_compiler, kernel_include_dirs
from infer.runtime.reference.nn import ACTIVATION_SEMANTICS

HERE = Path(__file__).parent

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None and shutil.which("cc") is None, reason="no C compiler")

PARAMS = {"clip": (-0.5, 0.75), "leaky_relu": (0.1, 0.0), "hard_sigmoid": (0.2, 0.5)}
"""Activation parameters used in the tests (p0, p1); the others take none."""


@pytest.fixture(scope="session")
def kernel_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp() / "kernel_cache"


@pytest.fixture(scope="module")
def lib(kernel_cache: Path) -> GemmLib:
    return GemmLib.build(kernel_cache)


def isas(lib: GemmLib) -> list[int]:
    """The micro-kernels this CPU runs (the portable one always)."""
    return [isa for isa in (AVX512, AVX2, GENERIC) if lib.arch(isa) is not None]


def reference(
    a: np.ndarray,
    b: np.ndarray,
    *,
    trans_a: bool = False,
    trans_b: bool = False,
    bias: np.ndarray | None = None,
    bias_axis: int = 0,
    residual: np.ndarray | None = None,
    act: str = "none",
    params: tuple[float, float] = (0.0, 0.0),
) -> tuple[np.ndarray, np.ndarray]:
    """act(A x B + bias + residual) as the infer reference computes it (the product in f64,
    rounded to f32, then the epilogue in f32), and a tolerance per element: f32
    rounding of the products' sum (|A| x |B|), of the bias and residual, and a few ulp
    of the activation."""
    a = np.swapaxes(a, -1, -2) if trans_a else a
    b = np.swapaxes(b, -1, -2) if trans_b else b
    y = np.matmul(a.astype(np.float64), b.astype(np.float64)).astype(np.float32)
    scale = np.matmul(np.abs(a).astype(np.float64), np.abs(b).astype(np.float64))
    if bias is not None:
        shaped = bias[:, None] if bias_axis == BIAS_ROW else bias
        y = y + shaped
        scale = scale + np.abs(shaped)
    if residual is not None:
        y = y + residual
        scale = scale + np.abs(residual)
    if act != "none":
        with np.errstate(all="ignore"):
            y = ACTIVATION_SEMANTICS[act](y, params).astype(np.float32)
    k = a.shape[-1]
    tol = 4e-7 * (np.sqrt(k) + 2) * scale + 1e-6 * np.abs(y) + 1e-7
    return y, tol


def check(got: np.ndarray, want: np.ndarray, tol: np.ndarray, what: str = "") -> None:
    got = got.reshape(want.shape)
    assert not np.isnan(got).any() or np.isnan(want).any(), f"{what}: NaN in the result (an element not written?)"
    bad = ~(np.abs(got.astype(np.float64) - want) <= tol)
    if bad.any():
        where = np.argwhere(bad)[:5].tolist()
        raise AssertionError(
            f"{what}: {bad.sum()} of {bad.size} elements off, at {where}: got {got[bad][:5]}, want {want[bad][:5]}"
        )


def random(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


EDGE_SHAPES = [
    (1, 1, 1),
    (1, 1, 7),
    (1, 37, 5),
    (5, 1, 9),
    (2, 3, 4),
    (7, 13, 17),
    (13, 31, 255),
    (14, 32, 256),
    (15, 33, 257),
    (16, 64, 512),
    (29, 97, 101),
    (64, 96, 33),
    (101, 67, 3),
    (3, 5, 3001),
    (1, 130, 700),
    (131, 2, 513),
]
"""M, N, K: 1, primes, around the tiles (mr 14/6/4, nr 32/16, kc 256), not multiples, a large K."""


# -- entry points for generated code ---------------------------------------------------------


@pytest.mark.parametrize(("m", "n", "k"), EDGE_SHAPES)
def test_gemm_plain_and_packed(lib: GemmLib, rng: np.random.Generator, m: int, n: int, k: int) -> None:
    a, b = random(rng, m, k), random(rng, k, n)
    want, tol = reference(a, b)
    with lib.context(1) as ctx:
        check(lib.gemm(ctx, a, b), want, tol, "infer_gemm_f32")
        check(lib.gemm_packed(ctx, a, lib.pack_b(b), n), want, tol, "infer_gemm_packed_f32")  # type: ignore[arg-type]


@pytest.mark.parametrize(("trans_a", "trans_b"), list(itertools.product([False, True], repeat=2)))
@pytest.mark.parametrize(("m", "n", "k"), [(1, 33, 17), (37, 45, 300), (70, 3, 29)])
def test_transposes(
    lib: GemmLib, rng: np.random.Generator, trans_a: bool, trans_b: bool, m: int, n: int, k: int
) -> None:
    a = random(rng, k, m) if trans_a else random(rng, m, k)
    b = random(rng, n, k) if trans_b else random(rng, k, n)
    want, tol = reference(a, b, trans_a=trans_a, trans_b=trans_b)
    with lib.context(1) as ctx:
        check(lib.gemm(ctx, a, b, trans_a=trans_a, trans_b=trans_b), want, tol, "plain")
        packed = lib.pack_b(b, trans_b=trans_b)
        check(lib.gemm_packed(ctx, a, packed, n, trans_a=trans_a), want, tol, "packed")  # type: ignore[arg-type]


@pytest.mark.parametrize(("m", "n", "k"), [(9, 35, 19), (40, 70, 300)])
def test_leading_dimensions(lib: GemmLib, rng: np.random.Generator, m: int, n: int, k: int) -> None:
    """Operands and the result as views into wider matrices; what lies outside C's view is not touched."""
    a = random(rng, m, k + 5)[:, 2 : 2 + k]
    b = random(rng, k, n + 19)[:, :n]
    bt = random(rng, n, k + 3)[:, 1 : 1 + k]
    bias = random(rng, n)
    residual_full = random(rng, 1, m, n + 11)
    residual = residual_full[:, :, :n]
    for trans_b, bb in ((False, b), (True, bt)):
        want, tol = reference(a, bb, trans_b=trans_b, bias=bias, residual=residual[0], act="relu")
        with lib.context(1) as ctx:
            wide = np.full((1, m, n + 11), 7.0, np.float32)
            lib.gemm(ctx, a, bb, trans_b=trans_b, bias=bias, residual=residual, act="relu", out=wide[:, :, :n])
            check(wide[0, :, :n], want, tol, f"plain, trans_b={trans_b}")
            assert (wide[:, :, n:] == 7.0).all(), "wrote outside C"
            wide[:] = 7.0
            packed = lib.pack_b(bb, trans_b=trans_b)
            lib.gemm_packed(ctx, a, packed, n, bias=bias, residual=residual, act="relu", out=wide[:, :, :n])
            check(wide[0, :, :n], want, tol, f"packed, trans_b={trans_b}")
            assert (wide[:, :, n:] == 7.0).all(), "wrote outside C"


def test_batched(lib: GemmLib, rng: np.random.Generator) -> None:
    """Batches with both operands per item, and with A or B shared (stride 0)."""
    batch, m, n, k = 5, 19, 45, 70
    a3, b3 = random(rng, batch, m, k), random(rng, batch, k, n)
    a2, b2 = random(rng, m, k), random(rng, k, n)
    bias = random(rng, n)
    residual = random(rng, batch, m, n)
    with lib.context(2) as ctx:
        for a, b in ((a3, b3), (a2, b3), (a3, b2)):
            want, tol = reference(a, b, bias=bias, residual=residual, act="tanh")
            got = lib.gemm(ctx, a, b, bias=bias, residual=residual, act="tanh")
            check(got, want, tol, f"batch of A {a.shape} x B {b.shape}")
        want, tol = reference(a3, b2, bias=bias, residual=residual, act="silu")
        got = lib.gemm_packed(ctx, a3, lib.pack_b(b2), n, bias=bias, residual=residual, act="silu")
        check(got, want, tol, "batch with packed B")  # type: ignore[arg-type]


def test_k_zero_and_empty(lib: GemmLib, rng: np.random.Generator) -> None:
    """K = 0 gives the epilogue of 0; M or N = 0 writes nothing."""
    m, n = 5, 40
    bias = random(rng, n)
    a, b = np.zeros((m, 0), np.float32), np.zeros((0, n), np.float32)
    want = np.broadcast_to(ACTIVATION_SEMANTICS["sigmoid"](bias, ()), (m, n))
    with lib.context(1) as ctx:
        np.testing.assert_allclose(lib.gemm(ctx, a, b, bias=bias, act="sigmoid")[0], want, rtol=1e-6)
        packed = lib.pack_b(b)
        np.testing.assert_allclose(lib.gemm_packed(ctx, a, packed, n, bias=bias, act="sigmoid")[0], want, rtol=1e-6)  # type: ignore[index]
        out = np.full((1, 0, n), 3.0, np.float32)
        lib.gemm(ctx, np.zeros((0, 4), np.float32), random(rng, 4, n), out=out)
        out = np.full((1, m, 0), 3.0, np.float32)
        lib.gemm(ctx, random(rng, m, 4), np.zeros((4, 0), np.float32), out=out)


def test_packed_b_of_another_shape_is_refused(lib: GemmLib, rng: np.random.Generator) -> None:
    a, b = random(rng, 4, 10), random(rng, 10, 20)
    packed = lib.pack_b(b)
    with lib.context(1) as ctx:
        status = lib.gemm_packed(ctx, random(rng, 4, 11), packed, 20, status_ok=False)
        assert status == 1  # INFER_ERR_ARGUMENT
        assert "prepacked operand" in lib.message(ctx)
        garbage = np.zeros_like(packed)
        assert lib.gemm_packed(ctx, a, garbage, 20, status_ok=False) == 1
        assert "infer_pack_gemm_b" in lib.message(ctx)


# -- the epilogue --------------------------------------------------------------------------


@pytest.mark.parametrize("act", list(ACTIVATIONS))
@pytest.mark.parametrize("with_bias", [False, True])
@pytest.mark.parametrize("with_residual", [False, True])
def test_epilogue(lib: GemmLib, rng: np.random.Generator, act: str, with_bias: bool, with_residual: bool) -> None:
    """Every activation, with and without bias and residual, on plain and packed B (edge tiles included)."""
    m, n, k = 33, 70, 40
    a, b = random(rng, m, k) * 0.5, random(rng, k, n) * 0.5
    bias = random(rng, n) if with_bias else None
    residual = random(rng, 1, m, n) if with_residual else None
    params = PARAMS.get(act, (0.0, 0.0))
    want, tol = reference(a, b, bias=bias, residual=None if residual is None else residual[0], act=act, params=params)
    with lib.context(1) as ctx:
        got = lib.gemm(ctx, a, b, bias=bias, residual=residual, act=act, params=params)
        check(got, want, tol, f"{act} plain")
        got = lib.gemm_packed(ctx, a, lib.pack_b(b), n, bias=bias, residual=residual, act=act, params=params)
        check(got, want, tol, f"{act} packed")  # type: ignore[arg-type]


SPECIAL = np.array(
    [0.0, -0.0, 1e-30, -1e-30, 1e-7, -1e-7, 0.3, -0.3, 0.625, -0.625, 0.7, -0.7, 1.0, -1.0, 2.5, -2.5, 3.9, -4.1, 8.9]
    + [-9.5, 15.0, -20.0, 44.0, -87.0, -88.5, 89.0, -104.0, 1e10, -1e10, 3e38, -3e38]
    + [np.inf, -np.inf, np.nan],
    np.float32,
)


@pytest.mark.parametrize("act", [a for a in ACTIVATIONS if a != "none"])
def test_activations_against_reference(lib: GemmLib, rng: np.random.Generator, act: str) -> None:
    """infer_activate on special values and a dense range, within a few ulp of the reference (NaN as NaN)."""
    x = np.concatenate([SPECIAL, np.linspace(-12, 12, 20001, dtype=np.float32), random(rng, 3000) * 30])
    params = PARAMS.get(act, (0.0, 0.0))
    with np.errstate(all="ignore"):
        want = ACTIVATION_SEMANTICS[act](x, params).astype(np.float32)
    got = lib.activate(x, act, params)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=f"{act}: NaN where the reference has none")
    finite = ~np.isnan(want)
    exact = act in ("relu", "clip", "leaky_relu", "hard_sigmoid", "hard_swish")
    if exact:
        np.testing.assert_array_equal(got[finite], want[finite], err_msg=act)
        return
    ulp = np.spacing(np.abs(want[finite]).astype(np.float32))
    with np.errstate(invalid="ignore"):
        err = np.where(got[finite] == want[finite], 0.0, np.abs(got[finite].astype(np.float64) - want[finite]))
    # gelu is x/2 (1 + erf) and gelu_tanh x/2 (1 + tanh): where erf or tanh is near -1 the sum
    # cancels, and an ulp of difference in erf or tanh (numpy's f32 tanh is not correctly rounded
    # either; the erf approximation is within 5e-7) is an error of about |x| * 1e-7.
    cancels = act in ("gelu", "gelu_tanh")
    allowed = 8 * ulp + (1e-6 * np.abs(x[finite]) if cancels else 0) + 1e-37
    bad = ~((err == 0) | (err <= allowed))
    assert not bad.any(), f"{act}: at x={x[finite][bad][:5]} got {got[finite][bad][:5]}, want {want[finite][bad][:5]}"


# -- every micro-kernel and operand kind through the driver ---------------------------------------


@pytest.mark.parametrize(("m", "n", "k"), EDGE_SHAPES[::2] + [(45, 70, 600), (30, 40, 1024)])
def test_driver_every_kernel_and_operand(lib: GemmLib, rng: np.random.Generator, m: int, n: int, k: int) -> None:
    a, b = random(rng, m, k), random(rng, k, n)
    bias = random(rng, n)
    want, tol = reference(a, b, bias=bias, act="gelu_tanh")
    with lib.context(2) as ctx:
        for isa in isas(lib):
            for a_kind, b_kind in itertools.product((PLAIN, PACKED, CALLBACK), repeat=2):
                got = lib.run(ctx, a, b, isa=isa, a_kind=a_kind, b_kind=b_kind, bias=bias, act="gelu_tanh")
                check(got, want, tol, f"{lib.arch(isa).name}, A kind {a_kind}, B kind {b_kind}")  # type: ignore[union-attr]
            # A plain row-major A is read in place where the micro-kernel can; packed when told not to.
            got = lib.run(ctx, a, b, isa=isa, bias=bias, act="gelu_tanh", blocking=(0, 0, 0, -1))
            check(got, want, tol, f"{lib.arch(isa).name}, A packed")  # type: ignore[union-attr]


@pytest.mark.parametrize("isa", [AVX512, AVX2, GENERIC])
def test_driver_row_bias_transposes_batches(lib: GemmLib, rng: np.random.Generator, isa: int) -> None:
    """A per-row bias (NCHW convolution), transposed operands, batches with a callback B, on one micro-kernel."""
    if lib.arch(isa) is None:
        pytest.skip("the CPU cannot run this micro-kernel")
    m, n, k, batch = 21, 50, 90, 3
    bias = random(rng, m)
    at, bt = random(rng, k, m), random(rng, n, k)
    residual = random(rng, m, n)
    want, tol = reference(at, bt, trans_a=True, trans_b=True, bias=bias, bias_axis=BIAS_ROW, residual=residual)
    with lib.context(1) as ctx:
        for a_kind, b_kind in ((PLAIN, PLAIN), (PACKED, CALLBACK), (CALLBACK, PACKED)):
            got = lib.run(
                ctx,
                at,
                bt,
                isa=isa,
                a_kind=a_kind,
                b_kind=b_kind,
                trans_a=True,
                trans_b=True,
                bias=bias,
                bias_axis=BIAS_ROW,
                residual=residual,
            )
            check(got, want, tol, f"kinds {a_kind}, {b_kind}")
        a3, b3 = random(rng, batch, m, k), random(rng, batch, k, n)
        want, tol = reference(a3, b3, bias=bias, bias_axis=BIAS_ROW, act="hard_swish")
        got = lib.run(
            ctx, a3, b3, isa=isa, a_kind=CALLBACK, b_kind=CALLBACK, bias=bias, bias_axis=BIAS_ROW, act="hard_swish"
        )
        check(got, want, tol, "batched callbacks")


def test_packed_for_another_kernel_is_refused(lib: GemmLib, rng: np.random.Generator) -> None:
    """A prepacked operand records its micro-kernel: the driver refuses it on another one."""
    others = [isa for isa in isas(lib) if isa != lib.arch(AUTO).isa]  # type: ignore[union-attr]
    a, b = random(rng, 8, 40), random(rng, 40, 24)
    packed = lib.pack(others[0], SIDE_B, b, False, 24, 40)
    with lib.context(1) as ctx, pytest.raises(AssertionError, match=r"^1$"):
        lib.run(ctx, a, b, b_kind=PACKED, packed=(None, packed))


# -- threads ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("m", "n", "k", "batch"), [(300, 260, 200, 1), (9, 1000, 300, 1), (700, 20, 300, 1)])
def test_threads_give_the_same_bits(lib: GemmLib, rng: np.random.Generator, m: int, n: int, k: int, batch: int) -> None:
    """The work split changes which thread computes a tile, not how: 1, 2 and 3 threads agree bit for bit."""
    a, b = random(rng, m, k), random(rng, k, n)
    bias, residual = random(rng, n), random(rng, 1, m, n)
    results = []
    for threads in (1, 2, 3):
        with lib.context(threads) as ctx:
            plain = lib.gemm(ctx, a, b, bias=bias, residual=residual, act="silu")
            packed = lib.gemm_packed(ctx, a, lib.pack_b(b), n, bias=bias, residual=residual, act="silu")
            results.append((plain, packed))
    want, tol = reference(a, b, bias=bias, residual=residual[0], act="silu")
    check(results[0][0], want, tol, "1 thread")
    for plain, packed in results:
        np.testing.assert_array_equal(plain, results[0][0])
        np.testing.assert_array_equal(packed, results[0][0])


# -- the library as a model gets it without -march=native ---------------------------------------------


def test_portable_build_dispatches_by_cpu(kernel_cache: Path, rng: np.random.Generator) -> None:
    """Built for baseline x86-64 (-O3 only), the library still carries the AVX-512 and AVX2
    micro-kernels (function-level targets) and picks the best the CPU runs."""
    lib = GemmLib.build(kernel_cache, opt_flags=("-O3",), name="gemm_harness_portable")
    best = AVX512 if lib.arch(AVX512) else AVX2 if lib.arch(AVX2) else GENERIC
    assert lib.arch(AUTO).isa == best  # type: ignore[union-attr]
    a, b = random(rng, 50, 300), random(rng, 300, 70)
    bias = random(rng, 70)
    want, tol = reference(a, b, bias=bias, act="gelu")
    with lib.context(2) as ctx:
        check(lib.gemm(ctx, a, b, bias=bias, act="gelu"), want, tol, "portable build")
        for isa in isas(lib):
            check(lib.run(ctx, a, b, isa=isa, bias=bias, act="gelu"), want, tol, f"portable build, isa {isa}")


def test_build_time_preference(kernel_cache: Path, rng: np.random.Generator) -> None:
    """-DINFER_KERNELS_ISA=0 makes the entry points (and the packer) use the portable micro-kernel."""
    lib = GemmLib.build(kernel_cache, defines=["-DINFER_KERNELS_ISA=0"], name="gemm_harness_generic")
    assert lib.arch(AUTO).isa == GENERIC  # type: ignore[union-attr]
    a, b = random(rng, 23, 130), random(rng, 130, 37)
    want, tol = reference(a, b, act="relu")
    with lib.context(2) as ctx:
        check(lib.gemm(ctx, a, b, act="relu"), want, tol, "plain")
        check(lib.gemm_packed(ctx, a, lib.pack_b(b), 37, act="relu"), want, tol, "packed")  # type: ignore[arg-type]


# -- AddressSanitizer and UBSan ------------------------------------------------------------------------


def test_sanitizers(kernel_cache: Path, tmp_path: Path) -> None:
    """gemm_sanitize.c (every micro-kernel and operand kind on edge shapes, 1 and 2 threads, the pool)
    with the kernel library built with -fsanitize=address,undefined: no report, every case right."""
    flags = [*OPT_FLAGS, *BASE_FLAGS, "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g"]
    flags += ["-Wall", "-Werror=implicit-function-declaration"]
    archive = build_kernels(kernel_cache, flags=flags, only=GEMM_SOURCES)
    exe = tmp_path / "gemm_sanitize"
    includes = [f"-I{d}" for d in kernel_include_dirs()]
    sources = [str(HERE / "gemm_sanitize.c"), str(HERE / "gemm_harness.c")]
    subprocess.run(
        [find_compiler(None), *flags, *includes, "-o", str(exe), *sources, str(archive), *LINK_LIBS],
        check=True,
        capture_output=True,
        text=True,
    )
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "runtime error" not in proc.stderr and "AddressSanitizer" not in proc.stderr, proc.stderr[-3000:]
    assert proc.stdout.strip().endswith(" 0 failed"), proc.stdout


# -- the OpenBLAS provider --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openblas_lib(kernel_cache: Path) -> GemmLib:
    pytest.importorskip("scipy_openblas32", reason="the optional openblas extra is not installed")
    return GemmLib.build(kernel_cache, openblas=True, name="gemm_harness_openblas")


@pytest.mark.parametrize(("m", "n", "k"), [(1, 1, 1), (7, 13, 17), (29, 97, 101), (1, 130, 700), (3, 5, 0)])
@pytest.mark.parametrize("threads", [1, 2])
def test_openblas_provider(
    openblas_lib: GemmLib, rng: np.random.Generator, m: int, n: int, k: int, threads: int
) -> None:
    """infer_gemm_openblas_f32 (scipy-openblas32's sgemm, then our epilogue): the same contract as infer_gemm_f32."""
    lib = openblas_lib
    with lib.context(threads) as ctx:
        for trans_a, trans_b in itertools.product([False, True], repeat=2):
            a = random(rng, k, m) if trans_a else random(rng, m, k)
            b = random(rng, n, k) if trans_b else random(rng, k, n)
            bias, residual = random(rng, n), random(rng, 1, m, n)
            want, tol = reference(a, b, trans_a=trans_a, trans_b=trans_b, bias=bias, residual=residual[0], act="gelu")
            got = lib.gemm(
                ctx,
                a,
                b,
                trans_a=trans_a,
                trans_b=trans_b,
                bias=bias,
                residual=residual,
                act="gelu",
                provider="openblas",
            )
            check(got, want, tol, f"openblas, trans {trans_a}, {trans_b}")
        a3, b2 = random(rng, 3, m, k), random(rng, k, n)
        want, tol = reference(a3, b2, act="sigmoid")
        check(lib.gemm(ctx, a3, b2, act="sigmoid", provider="openblas"), want, tol, "openblas, batched")


# -- GEMV: one row (M = 1) or one column (N = 1) ------------------------------------------------------


@pytest.mark.parametrize(("m", "n", "k"), [(1, 2000, 1000), (1, 37, 3), (1500, 1, 1400), (9, 1, 17)])
@pytest.mark.parametrize(("trans_a", "trans_b"), list(itertools.product([False, True], repeat=2)))
@pytest.mark.parametrize("threads", [1, 2])
def test_gemv(
    lib: GemmLib, rng: np.random.Generator, m: int, n: int, k: int, trans_a: bool, trans_b: bool, threads: int
) -> None:
    """The GEMV paths (no packing; N = 1 computed as its transpose) with the whole epilogue, batched too."""
    a = random(rng, 2, k, m) if trans_a else random(rng, 2, m, k)
    b = random(rng, 2, n, k) if trans_b else random(rng, 2, k, n)
    bias, residual = random(rng, n), random(rng, 2, m, n)
    leaky = {"act": "leaky_relu", "params": (0.1, 0.0)}
    want, tol = reference(a, b, trans_a=trans_a, trans_b=trans_b, bias=bias, residual=residual, **leaky)  # type: ignore[arg-type]
    args = {"bias": bias, "residual": residual, **leaky}
    with lib.context(threads) as ctx:
        got = lib.gemm(ctx, a, b, trans_a=trans_a, trans_b=trans_b, **args)  # type: ignore[arg-type]
        check(got, want, tol, "plain")
        want, tol = reference(a, b[0], trans_a=trans_a, trans_b=trans_b, bias=bias, residual=residual, **leaky)  # type: ignore[arg-type]
        got = lib.gemm_packed(ctx, a, lib.pack_b(b[0], trans_b=trans_b), n, trans_a=trans_a, **args)  # type: ignore[arg-type]
        check(got, want, tol, "packed")  # type: ignore[arg-type]


def test_model_with_openblas_gemms(kernel_cache: Path, rng: np.random.Generator) -> None:
    """A model whose gemm and matmul select OpenBLAS (select-kernels{gemm=openblas}) builds with
    gemm_openblas.c and scipy-openblas32 linked in, and gives the same results as ours, on 1 and 2 threads."""
    pytest.importorskip("scipy_openblas32", reason="the optional openblas extra is not installed")
    from onnx import TensorProto, helper, numpy_helper

    from infer.api import load
    from infer.runtime.c.build import build, lower_to_loop_level
    from infer.runtime.c.loader import CModel

    w, bias, w2 = random(rng, 300, 200), random(rng, 300), random(rng, 300, 50)
    graph = helper.make_graph(
        [
            helper.make_node("Gemm", ["x", "w", "b"], ["h"], transB=1),
            helper.make_node("Relu", ["h"], ["r"]),
            helper.make_node("MatMul", ["r", "w2"], ["y"]),
        ],
        "fc",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 200])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 50])],
        initializer=[numpy_helper.from_array(a, n) for a, n in ((w, "w"), (bias, "b"), (w2, "w2"))],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    x = random(rng, 7, 200)
    h = np.maximum(x.astype(np.float64) @ w.T + bias, 0)
    want = h @ w2
    tol = 1e-5 * (np.abs(h) @ np.abs(w2)).max()
    for gemm in ("openblas", "ours"):
        built = build(lower_to_loop_level(load(model), gemm=gemm), cache_dir=kernel_cache)
        text = "".join((built.directory / unit).read_text() for unit in built.units)
        assert ("infer_gemm_openblas_f32" in text) == (gemm == "openblas")
        for threads in (1, 2):
            with CModel(built.library, built.weights, threads) as m:
                got = next(iter(m.run([x]).values()))
            np.testing.assert_allclose(got, want, atol=tol, rtol=0, err_msg=f"gemm={gemm}, {threads} threads")
