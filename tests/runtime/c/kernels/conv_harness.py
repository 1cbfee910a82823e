"""The convolution, depthwise convolution and pooling kernels from Python, for tests and bench/conv.py.

    lib = ConvLib.build(cache_dir)              # the kernel library as build.py builds it + conv_harness.c
    with lib.context(threads=2) as ctx:
        packed = lib.pack_conv2d(w, groups)                       # infer_pack_conv2d_f32
        y = lib.conv2d(ctx, x, packed, w.shape, window, bias=b, residual=r, act="relu")
        y = lib.depthwise_conv2d(ctx, x, w, window, bias=b)       # infer_depthwise_conv2d_f32
        y = lib.max_pool2d(ctx, x, (3, 3), window, ceil_mode=True)
        y = lib.avg_pool2d(ctx, x, (3, 3), window, count_include_pad=True)

A window is (strides, dilations, pads) in infer's order: pads = (top, left,
bottom, right). Arrays are contiguous float32 NCHW; results are new arrays.
The reference semantics (numpy) are infer's: `reference_conv`, `reference_pool`.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import math
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from infer.dialects.infer.epilogue import Epilogue
from infer.dialects.infer.nn import window_output_dim
from infer.runtime.c.build import (
    BASE_FLAGS,
    LINK_LIBS,
    OPT_FLAGS,
    build_kernels,
    find_compiler,
    kernel_include_dirs,
)
from infer.runtime.reference.nn import apply_epilogue, conv_nchw, pool_nchw

HERE = Path(__file__).parent
HARNESS = HERE / "conv_harness.c"

ACTIVATIONS = {
    "none": 0,
    "relu": 1,
    "clip": 2,
    "leaky_relu": 3,
    "sigmoid": 4,
    "hard_sigmoid": 5,
    "hard_swish": 6,
    "silu": 7,
    "tanh": 8,
    "gelu": 9,
    "gelu_tanh": 10,
}
"""INFER_ACT_* of infer_kernels.h, by the epilogue names of dialects/infer/epilogue.py."""

ACTIVATION_PARAMS = {
    "clip": (-0.5, 0.75),
    "leaky_relu": (0.1,),
    "hard_sigmoid": (0.2, 0.5),
}
"""Parameters the tests give the activations that take some."""

OK, ERR_ARGUMENT, ERR_SHAPE, ERR_MEMORY = 0, 1, 2, 4

needs_cc = pytest.mark.skipif(shutil.which("gcc") is None and shutil.which("cc") is None, reason="no C compiler")

i64, i32, f32, vp = ctypes.c_int64, ctypes.c_int32, ctypes.c_float, ctypes.c_void_p


@dataclass(frozen=True)
class Window:
    """Strides, dilations and pads (top, left, bottom, right) of a 2-D window."""

    strides: tuple[int, int] = (1, 1)
    dilations: tuple[int, int] = (1, 1)
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)

    def array(self) -> np.ndarray:
        return np.array([*self.strides, *self.dilations, *self.pads], np.int64)

    def fits(self, size: Sequence[int], kernel: Sequence[int]) -> bool:
        """Whether the window fits the padded input (else the ops' shape rules refuse it)."""
        return all(
            size[i] + self.pads[i] + self.pads[2 + i] - self.dilations[i] * (kernel[i] - 1) - 1 >= 0 for i in range(2)
        )

    def out(self, size: Sequence[int], kernel: Sequence[int], ceil_mode: bool = False) -> tuple[int, int]:
        h, w = (
            window_output_dim(
                size[i], kernel[i], self.strides[i], self.dilations[i], self.pads[i], self.pads[2 + i], ceil_mode
            )
            for i in range(2)
        )
        assert h is not None and w is not None
        return h, w


VARIANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "native": {},
    "cv": {"extra_flags": ("-DINFER_CONV_PATH=1",)},
    "sv": {"extra_flags": ("-DINFER_CONV_PATH=2",)},
    "portable": {"opt_flags": ("-O2", "-march=x86-64-v2")},
}
"""Builds of the kernel library the tests run: as a model builds it (conv2d picks its kernel by shape), with
conv2d forced to its channel-vectorized or spatial-vectorized kernel, and without AVX-512 (the portable C of
every kernel)."""


def variant_lib(tmp_path_factory: pytest.TempPathFactory, variant: str) -> ConvLib:
    """The library of a variant, built once per test session (the archives are cached by their flags)."""
    cache = tmp_path_factory.getbasetemp() / "conv_kernels"
    cache.mkdir(exist_ok=True)
    return ConvLib.build(cache, name=f"conv_harness_{variant}", **VARIANTS[variant])  # type: ignore[arg-type]


def _ptr(x: np.ndarray | None) -> int | None:
    return None if x is None else x.ctypes.data


def _f32(x: np.ndarray) -> np.ndarray:
    assert x.dtype == np.float32 and x.flags.c_contiguous, (x.dtype, x.flags)
    return x


def aligned_bytes(size: int) -> np.ndarray:
    """A zeroed uint8 array of `size` bytes starting on a 64-byte boundary."""
    raw = np.zeros(size + 64, np.uint8)
    offset = (-raw.ctypes.data) % 64
    return raw[offset : offset + size]


def act_params(act: str) -> tuple[float, float]:
    params = ACTIVATION_PARAMS.get(act, ())
    return (*params, 0.0, 0.0)[:2]  # type: ignore[return-value]


class ConvLib:
    """conv_harness.c linked with the kernel library."""

    def __init__(self, path: Path):
        self.path = path
        self.lib = ctypes.CDLL(str(path))
        L = self.lib
        L.h_ctx_create.argtypes = [ctypes.c_int]
        L.h_ctx_create.restype = vp
        L.h_ctx_destroy.argtypes = [vp]
        L.h_pack_conv2d_size.argtypes = [i64, i64, i64, i64, i64]
        L.h_pack_conv2d_size.restype = i64
        L.h_pack_conv2d.argtypes = [vp, i64, i64, i64, i64, i64, vp]
        L.h_conv2d.argtypes = [vp, vp, vp, vp, vp, vp, vp, vp, i32, f32, f32]
        L.h_depthwise_conv2d.argtypes = [vp, vp, vp, vp, i64, i64, i64, vp, vp, vp, vp, i32, f32, f32]
        L.h_max_pool2d.argtypes = [vp, vp, vp, vp, i64, i64, vp, i32]
        L.h_avg_pool2d.argtypes = [vp, vp, vp, vp, i64, i64, vp, i32, i32]
        L.h_conv2d_timed.argtypes = [*L.h_conv2d.argtypes, i64, vp]
        L.h_depthwise_conv2d_timed.argtypes = [*L.h_depthwise_conv2d.argtypes, i64, vp]
        L.h_pool2d_timed.argtypes = [vp, i32, vp, vp, vp, i64, i64, vp, i32, i32, i64, vp]

    @classmethod
    def build(
        cls,
        cache_dir: str | Path,
        *,
        opt_flags: Sequence[str] = OPT_FLAGS,
        extra_flags: Sequence[str] = (),
        name: str = "conv_harness",
    ) -> ConvLib:
        """The kernel library with a model's flags (build_kernels), plus the harness, as one shared library."""
        flags = [*opt_flags, *BASE_FLAGS, *extra_flags]
        archive = build_kernels(cache_dir, flags=flags)
        digest = hashlib.blake2b(HARNESS.read_bytes() + archive.name.encode(), digest_size=8).hexdigest()
        out = Path(cache_dir) / f"{name}-{digest}.so"
        if not out.exists():
            includes = [f"-I{d}" for d in kernel_include_dirs()]
            cmd = [find_compiler(None), *flags, *includes, "-shared", "-o", str(out), str(HARNESS), str(archive)]
            proc = subprocess.run([*cmd, *LINK_LIBS], capture_output=True, text=True)
            assert proc.returncode == 0, proc.stderr
        return cls(out)

    @contextlib.contextmanager
    def context(self, threads: int = 1) -> Iterator[int]:
        ctx = self.lib.h_ctx_create(threads)
        assert ctx, "h_ctx_create failed"
        try:
            yield ctx
        finally:
            self.lib.h_ctx_destroy(ctx)

    # -- convolution -------------------------------------------------------------------------

    def pack_conv2d(self, w: np.ndarray, groups: int = 1) -> np.ndarray:
        """infer_pack_conv2d_f32 of an OIHW weight, into a 64-byte aligned buffer."""
        o, cg, kh, kw = w.shape
        size = self.lib.h_pack_conv2d_size(o, cg, kh, kw, groups)
        assert size > 0, (w.shape, groups)
        packed = aligned_bytes(size)
        self.lib.h_pack_conv2d(_ptr(_f32(w)), o, cg, kh, kw, groups, _ptr(packed))
        return packed

    def conv2d_status(
        self,
        ctx: int | None,
        x: np.ndarray,
        packed: np.ndarray,
        y: np.ndarray,
        window: Window,
        *,
        bias: np.ndarray | None = None,
        residual: np.ndarray | None = None,
        act: str = "none",
        params: tuple[float, float] | None = None,
    ) -> int:
        p = params if params is not None else act_params(act)
        dims = np.array(x.shape, np.int64)
        w = window.array()
        for a in (x, y, bias, residual):
            if a is not None:
                _f32(a)
        return self.lib.h_conv2d(
            ctx, _ptr(x), _ptr(dims), _ptr(packed), _ptr(bias), _ptr(residual), _ptr(y), _ptr(w), ACTIVATIONS[act], *p
        )

    def conv2d(
        self,
        ctx: int | None,
        x: np.ndarray,
        packed: np.ndarray,
        weight_shape: Sequence[int],
        window: Window,
        **kwargs,
    ) -> np.ndarray:
        """infer_conv2d_f32 with a weight packed by pack_conv2d (of weight_shape, OIHW)."""
        oh, ow = window.out(x.shape[2:], weight_shape[2:])
        y = np.full((x.shape[0], weight_shape[0], oh, ow), np.nan, np.float32)
        status = self.conv2d_status(ctx, x, packed, y, window, **kwargs)
        assert status == OK, status
        return y

    def depthwise_conv2d_status(
        self,
        ctx: int | None,
        x: np.ndarray,
        w: np.ndarray,
        y: np.ndarray,
        window: Window,
        *,
        bias: np.ndarray | None = None,
        residual: np.ndarray | None = None,
        act: str = "none",
        params: tuple[float, float] | None = None,
    ) -> int:
        """infer_depthwise_conv2d_f32 into y; w is [C * multiplier, 1, kh, kw]."""
        c = x.shape[1]
        o, one, kh, kw = w.shape
        assert one == 1 and o % c == 0, (x.shape, w.shape)
        p = params if params is not None else act_params(act)
        for a in (x, w, y, bias, residual):
            if a is not None:
                _f32(a)
        dims = np.array(x.shape, np.int64)
        return self.lib.h_depthwise_conv2d(
            ctx, _ptr(x), _ptr(dims), _ptr(w), o // c, kh, kw, _ptr(bias), _ptr(residual), _ptr(y),
            _ptr(window.array()), ACTIVATIONS[act], *p,
        )  # fmt: skip

    def depthwise_conv2d(self, ctx: int | None, x: np.ndarray, w: np.ndarray, window: Window, **kwargs) -> np.ndarray:
        """infer_depthwise_conv2d_f32 into a new array."""
        oh, ow = window.out(x.shape[2:], w.shape[2:])
        y = np.full((x.shape[0], w.shape[0], oh, ow), np.nan, np.float32)
        status = self.depthwise_conv2d_status(ctx, x, w, y, window, **kwargs)
        assert status == OK, status
        return y

    # -- pooling -----------------------------------------------------------------------------

    def pool2d_status(
        self,
        ctx: int | None,
        kind: str,
        x: np.ndarray,
        y: np.ndarray,
        kernel: Sequence[int],
        window: Window,
        *,
        ceil_mode: bool = False,
        count_include_pad: bool = False,
    ) -> int:
        dims = np.array(x.shape, np.int64)
        args = (ctx, _ptr(_f32(x)), _ptr(dims), _ptr(_f32(y)), kernel[0], kernel[1], _ptr(window.array()), ceil_mode)
        if kind == "max":
            return self.lib.h_max_pool2d(*args)
        return self.lib.h_avg_pool2d(*args, count_include_pad)

    def pool2d(
        self,
        ctx: int | None,
        kind: str,
        x: np.ndarray,
        kernel: Sequence[int],
        window: Window,
        *,
        ceil_mode: bool = False,
        count_include_pad: bool = False,
    ) -> np.ndarray:
        """infer_max_pool2d_f32 (kind "max") or infer_avg_pool2d_f32 (kind "avg")."""
        oh, ow = window.out(x.shape[2:], kernel, ceil_mode)
        y = np.full((*x.shape[:2], oh, ow), 12345.0, np.float32)
        status = self.pool2d_status(
            ctx, kind, x, y, kernel, window, ceil_mode=ceil_mode, count_include_pad=count_include_pad
        )
        assert status == OK, status
        return y

    # -- timing ------------------------------------------------------------------------------

    def time_conv2d(
        self,
        ctx: int | None,
        x: np.ndarray,
        packed: np.ndarray,
        y: np.ndarray,
        window: Window,
        reps: int,
        *,
        bias: np.ndarray | None = None,
        act: str = "none",
    ) -> list[float]:
        """Seconds of each of `reps` calls of infer_conv2d_f32, timed in C (no Python call overhead)."""
        seconds = np.zeros(reps, np.float64)
        dims = np.array(x.shape, np.int64)
        status = self.lib.h_conv2d_timed(
            ctx, _ptr(x), _ptr(dims), _ptr(packed), _ptr(bias), None, _ptr(y), _ptr(window.array()),
            ACTIVATIONS[act], *act_params(act), reps, _ptr(seconds),
        )  # fmt: skip
        assert status == OK, status
        return seconds.tolist()

    def time_depthwise_conv2d(
        self,
        ctx: int | None,
        x: np.ndarray,
        w: np.ndarray,
        y: np.ndarray,
        window: Window,
        reps: int,
        *,
        bias: np.ndarray | None = None,
        act: str = "none",
    ) -> list[float]:
        """Seconds of each of `reps` calls of infer_depthwise_conv2d_f32, timed in C."""
        seconds = np.zeros(reps, np.float64)
        dims = np.array(x.shape, np.int64)
        status = self.lib.h_depthwise_conv2d_timed(
            ctx, _ptr(x), _ptr(dims), _ptr(w), w.shape[0] // x.shape[1], w.shape[2], w.shape[3], _ptr(bias), None,
            _ptr(y), _ptr(window.array()), ACTIVATIONS[act], *act_params(act), reps, _ptr(seconds),
        )  # fmt: skip
        assert status == OK, status
        return seconds.tolist()

    def time_pool2d(
        self,
        ctx: int | None,
        kind: str,
        x: np.ndarray,
        y: np.ndarray,
        kernel: Sequence[int],
        window: Window,
        reps: int,
        *,
        ceil_mode: bool = False,
        count_include_pad: bool = False,
    ) -> list[float]:
        """Seconds of each of `reps` calls of infer_max_pool2d_f32 / infer_avg_pool2d_f32, timed in C."""
        seconds = np.zeros(reps, np.float64)
        dims = np.array(x.shape, np.int64)
        status = self.lib.h_pool2d_timed(
            ctx, kind == "avg", _ptr(x), _ptr(dims), _ptr(y), kernel[0], kernel[1], _ptr(window.array()), ceil_mode,
            count_include_pad, reps, _ptr(seconds),
        )  # fmt: skip
        assert status == OK, status
        return seconds.tolist()


# -- the reference semantics -------------------------------------------------------------------

EPS = float(np.finfo(np.float32).eps)


def assert_conv_close(
    got: np.ndarray,
    x: np.ndarray,
    w: np.ndarray,
    window: Window,
    groups: int,
    *,
    bias: np.ndarray | None = None,
    residual: np.ndarray | None = None,
    act: str = "none",
) -> None:
    """Within a bound of f32 summation error: 16 eps sqrt(K) times the sum of |terms| (a missing
    or wrong tap is far outside it), plus the rounding of bias, residual and activation."""
    want = reference_conv(x, w, window, groups, bias=bias, residual=residual, act=act)
    assert got.shape == want.shape
    k = w.shape[1] * w.shape[2] * w.shape[3]
    scale = reference_conv(np.abs(x), np.abs(w), window, groups)
    if bias is not None:
        scale = scale + np.abs(bias).reshape(1, -1, 1, 1)
    if residual is not None:
        scale = scale + np.abs(residual)
    tol = 2.0 * (16 * EPS * math.sqrt(k + 2) * scale) + 8 * EPS * np.abs(want) + 1e-30
    bad = ~(np.abs(got - want) <= tol) & ~(np.isnan(got) & np.isnan(want))
    if bad.any():
        at = np.argwhere(bad)[:5]
        detail = [(tuple(i), float(got[tuple(i)]), float(want[tuple(i)]), float(tol[tuple(i)])) for i in at]
        raise AssertionError(f"{int(bad.sum())} of {bad.size} elements differ (index, got, want, tol): {detail}")


def reference_conv(
    x: np.ndarray,
    w: np.ndarray,
    window: Window,
    groups: int,
    *,
    bias: np.ndarray | None = None,
    residual: np.ndarray | None = None,
    act: str = "none",
    params: tuple[float, float] | None = None,
) -> np.ndarray:
    """infer.conv's semantics (runtime/reference/nn.py), in float64 for the sum then
    rounded to f32: act(conv + bias + residual)."""
    y = conv_nchw(
        x.astype(np.float64), w.astype(np.float64), window.strides, window.dilations, window.pads, groups
    ).astype(np.float32)
    if bias is not None:
        y = y + bias.reshape(1, -1, 1, 1)
    if residual is not None:
        y = y + residual
    return apply_epilogue(y.astype(np.float32), epilogue(act, params))


def epilogue(act: str, params: tuple[float, float] | None = None) -> Epilogue | None:
    if act == "none":
        return None
    count = len(ACTIVATION_PARAMS.get(act, ()))
    values = params if params is not None else act_params(act)
    return Epilogue(act, tuple(float(v) for v in values[:count]))


def reference_pool(
    kind: str,
    x: np.ndarray,
    kernel: Sequence[int],
    window: Window,
    *,
    ceil_mode: bool = False,
    count_include_pad: bool = False,
) -> np.ndarray:
    """infer.max_pool / infer.avg_pool's semantics (runtime/reference/nn.py)."""
    return pool_nchw(
        x,
        kind=kind,
        kernel=kernel,
        strides=window.strides,
        dilations=window.dilations,
        pads=window.pads,
        ceil_mode=ceil_mode,
        count_include_pad=count_include_pad,
    )
