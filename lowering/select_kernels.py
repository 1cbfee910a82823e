"""`select-kernels`: marks the ops that run as calls into the C kernel library.

The heavy ops whose exact variant a kernel of `runtime/c/kernels/` implements
get the discardable attribute `infer.kernel = "<kernel>"`; the others are left
alone and lower to loops. The op, its semantics and the interpreter are
unchanged: only `convert-infer-to-linalg` reads the mark, and lowers a marked
op to a call of the kernel (`lowering/infer_to_linalg/ops/kernels.py`;
docs/kernels.md).

- `infer.conv`, f32, 2-D, `nchw`: `depthwise_conv2d_f32` when `groups` is the
  input channels (weight `[C * m, 1, kh, kw]`), else `conv2d_f32` (any groups,
  strides, dilations, pads) when the weight is a constant (it is prepacked);
- `infer.gemm`, f32, `alpha` 1: `gemm_packed_f32` when `b` is a constant
  (prepacked), else `gemm_f32`; `c` may be a bias `[1, N]` (`beta` 1) or, when
  there is no residual, an `[M, N]` matrix (added as the residual);
- `infer.matmul`, f32, rank >= 2, each operand's batch dims the result's or
  all 1: `gemm_packed_f32` (a constant rhs with batch dims 1) or `gemm_f32`;
- `infer.max_pool` / `infer.avg_pool`, f32, 2-D, `nchw` (any window, ceil
  mode, `count_include_pad`): `max_pool2d_f32` / `avg_pool2d_f32`.

Epilogues (every activation, a conv's or gemm's residual) are the kernels'
own. Dynamic dims are fine: every kernel takes its sizes at run time; only
weights that are packed must be constants (their shapes are static anyway).

Options:
  gemm: `ours` (default: the library's GEMM, constant weights prepacked) or
    `openblas` (gemms and matmuls call `cblas_sgemm` of scipy-openblas32 with
    our epilogue after it, kernel `gemm_openblas_f32`; the build then links
    OpenBLAS).
  min-flops: ops with fewer floating-point operations stay loops (a dynamic
    dim counts as 1); default 0 (every covered op).

    infer-opt model.onnx -O2 -p 'select-kernels{gemm=ours min-flops=100000}'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import Float32Type, ModuleOp, StringAttr, TensorType
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass

from infer.diagnostics import InferError
from infer.dialects.infer.base import Dim, dims_of, float_of, int_of, string_of
from infer.dialects.infer.constant import ConstantOp
from infer.dialects.infer.epilogue import residual_of
from infer.dialects.infer.matmul import GemmOp, MatmulOp
from infer.dialects.infer.nn import AvgPoolOp, ConvOp, MaxPoolOp, PoolOp

KERNEL_ATTR = "infer.kernel"
"""The discardable attribute naming the kernel an op runs as (the C function `infer_<kernel>`)."""

CONV2D = "conv2d_f32"
DEPTHWISE_CONV2D = "depthwise_conv2d_f32"
GEMM = "gemm_f32"
GEMM_PACKED = "gemm_packed_f32"
GEMM_OPENBLAS = "gemm_openblas_f32"
MAX_POOL2D = "max_pool2d_f32"
AVG_POOL2D = "avg_pool2d_f32"
KERNELS = (CONV2D, DEPTHWISE_CONV2D, GEMM, GEMM_PACKED, GEMM_OPENBLAS, MAX_POOL2D, AVG_POOL2D)
"""Every kernel an op can be marked with."""

GEMM_CHOICES = ("ours", "openblas")


def is_constant(value: SSAValue) -> bool:
    """An `infer.constant` whose bytes are there (packing needs them at build time)."""
    from infer.dialects.constants import is_elided

    owner = value.owner
    return isinstance(owner, ConstantOp) and not is_elided(owner.value)


def _f32(*values: SSAValue) -> bool:
    return all(isinstance(v.type, TensorType) and isinstance(v.type.element_type, Float32Type) for v in values)


def _count(dims: tuple[Dim, ...] | list[Dim]) -> int:
    """The product of the dims, a dynamic one counting 1."""
    return math.prod(d if d is not None else 1 for d in dims)


# -- the variants each kernel covers ------------------------------------------------------------


def conv_kernel(op: ConvOp) -> str | None:
    """`conv2d_f32`, `depthwise_conv2d_f32` or None for a conv."""
    if string_of(op.layout, "nchw") != "nchw" or not _f32(op.input, op.weight, op.result):
        return None
    w = dims_of(op.weight.type)
    if len(w) != 4:
        return None
    groups = int_of(op.groups, 1)
    if groups > 1 and w[1] == 1:
        return DEPTHWISE_CONV2D
    return CONV2D if is_constant(op.weight) else None


def conv_flops(op: ConvOp) -> int:
    w = dims_of(op.weight.type)
    return 2 * _count(dims_of(op.result.type)) * _count(w[1:])


def _batch_fits(operand: tuple[Dim, ...], result: tuple[Dim, ...]) -> bool:
    """An operand's batch dims are the result's (static and equal, or both dynamic) or all 1."""
    if all(d == 1 for d in operand):
        return True
    return all((a is None and b is None) or (a is not None and a == b) for a, b in zip(operand, result, strict=True))


def matmul_kernel(op: MatmulOp, gemm: str) -> str | None:
    if not _f32(op.lhs, op.rhs, op.result):
        return None
    result = dims_of(op.result.type)
    batch = result[:-2]
    if not (_batch_fits(dims_of(op.lhs.type)[:-2], batch) and _batch_fits(dims_of(op.rhs.type)[:-2], batch)):
        return None
    if gemm == "openblas":
        return GEMM_OPENBLAS
    rhs_shared = all(d == 1 for d in dims_of(op.rhs.type)[:-2])
    return GEMM_PACKED if is_constant(op.rhs) and rhs_shared else GEMM


def gemm_c_role(op: GemmOp) -> str | None:
    """What a gemm's `c` is to the kernel: `bias` ([1, N]), `residual` ([M, N]),
    `none` (absent), or None when the kernel cannot take it."""
    if op.c is None:
        return "none"
    if float_of(op.beta, 1.0) != 1.0:
        return None
    c, result = dims_of(op.c.type), dims_of(op.result.type)
    if c[0] == 1 and c[1] is not None and c[1] == result[1]:
        return "bias"
    same = all((a is None and b is None) or (a is not None and a == b) for a, b in zip(c, result, strict=True))
    if same and residual_of(op) is None:
        return "residual"
    return None


def gemm_kernel(op: GemmOp, gemm: str) -> str | None:
    if not _f32(op.a, op.b, op.result) or (op.c is not None and not _f32(op.c)):
        return None
    if float_of(op.alpha, 1.0) != 1.0 or gemm_c_role(op) is None:
        return None
    if gemm == "openblas":
        return GEMM_OPENBLAS
    return GEMM_PACKED if is_constant(op.b) else GEMM


def matmul_flops(op: MatmulOp | GemmOp) -> int:
    a = dims_of(op.operands[0].type)
    k = a[0] if isinstance(op, GemmOp) and op.trans_a is not None else a[-1]
    return 2 * _count(dims_of(op.results[0].type)) * (k if k is not None else 1)


def pool_kernel(op: PoolOp) -> str | None:
    if string_of(op.layout, "nchw") != "nchw" or not _f32(op.input) or len(dims_of(op.input.type)) != 4:
        return None
    return MAX_POOL2D if isinstance(op, MaxPoolOp) else AVG_POOL2D


def pool_flops(op: PoolOp) -> int:
    kernel = op.kernel.get_values()  # type: ignore[attr-defined]
    return _count(dims_of(op.result.type)) * math.prod(int(k) for k in kernel)


def kernel_for(op: Operation, gemm: str = "ours") -> tuple[str, int] | None:
    """The kernel that implements `op` exactly and the op's floating-point operations, or None."""
    match op:
        case ConvOp():
            kernel = conv_kernel(op)
            return None if kernel is None else (kernel, conv_flops(op))
        case GemmOp():
            kernel = gemm_kernel(op, gemm)
            return None if kernel is None else (kernel, matmul_flops(op))
        case MatmulOp():
            kernel = matmul_kernel(op, gemm)
            return None if kernel is None else (kernel, matmul_flops(op))
        case MaxPoolOp() | AvgPoolOp():
            kernel = pool_kernel(op)
            return None if kernel is None else (kernel, pool_flops(op))
    return None


@dataclass(frozen=True)
class SelectKernelsPass(ModulePass):
    """Marks the ops a kernel of the C kernel library implements with `infer.kernel`.

    Options:
      gemm: `ours` (the library's GEMM, constant weights prepacked) or `openblas`.
      min-flops: leave ops with fewer floating-point operations to loops (default 0).
    """

    name = "select-kernels"

    gemm: str = "ours"
    """The GEMM for gemms and matmuls: `ours` or `openblas`."""

    min_flops: int = 0
    """Ops with fewer floating-point operations (dynamic dims counting 1) are not marked."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.gemm not in GEMM_CHOICES:
            raise InferError(
                f"select-kernels: unknown gemm '{self.gemm}'", hint=f"choose one of {', '.join(GEMM_CHOICES)}"
            )
        for inner in op.walk():
            found = kernel_for(inner, self.gemm)
            if found is not None and found[1] >= self.min_flops:
                inner.attributes[KERNEL_ATTR] = StringAttr(found[0])
            elif KERNEL_ATTR in inner.attributes:
                del inner.attributes[KERNEL_ATTR]  # a stale mark (another option, a changed op)
