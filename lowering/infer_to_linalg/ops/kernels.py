"""Ops marked by `select-kernels`: calls into the C kernel library instead of loops.

A marked op (`infer.kernel = "conv2d_f32"`) lowers to a `func.call` of a
private declaration carrying the kernel's name and its C ABI, in
destination-passing style like every lowering: the result is a new
`memref.alloc` the kernel writes.

    func.func private @infer_k_conv2d_f32(memref<?x3x224x224xf32>, index, index, index, index,
        memref<64x3x7x7xf32>, memref<64xf32>, memref<?x64x112x112xf32>, index, ..., i32, f32, f32)
        attributes {infer.kernel = "conv2d_f32",
                    infer.kernel_abi = ["in", "value", "value", "value", "value", "in", "in", "null", "out", ...]}
    memref.global "private" constant @__packed_conv1 : memref<64x3x7x7xf32> = dense<...>
        {infer.pack = "conv2d_f32", infer.pack_size_params = array<i64: 64, 3, 7, 7, 1>,
         infer.pack_params = array<i64: 64, 3, 7, 7, 1>}
    ...
    %w = memref.get_global @__packed_conv1 : memref<64x3x7x7xf32>
    %y = memref.alloc(%n) : memref<?x64x112x112xf32>
    func.call @infer_k_conv2d_f32(%x, %n, %c3, %c224, %c224, %w, %b, %y, %c2, ...) : (...) -> ()

The ABI (`infer.kernel_abi`) lists the C arguments after the model context, in
order: `in` (a memref the kernel reads: its data pointer), `out` (a memref it
writes), `value` (a scalar: `index` is `int64_t`, `i32` is `int32_t`, `f32`
is `float`), each taking the next operand of the call, or `null` (an absent
optional pointer, no operand). The C function is `infer_<kernel>`; it returns
a status (docs/kernels.md, `runtime/c/kernels/infer_kernels.h`).

Sizes are run-time values (`memref.dim` of dynamic dims, constants for static
ones): kernels take every size at run time, so dynamic batch, height and
width need no fallback. Static parameters (strides, pads, the activation's
code and parameters) are constants.

A constant weight a kernel takes prepacked (a conv's weight, a gemm's or
matmul's `b`) becomes a global of its own marked `infer.pack = "<packer>"`,
with the packer's size parameters and parameters: the runtime packs it once
when the model is created (`infer_pack_<packer>_size(size params)` bytes,
`infer_pack_<packer>(data, params, buffer)`), and only kernels read it. Ops
sharing a weight share its packed global.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

from xdsl.dialects import arith, func, memref
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntegerAttr,
    StringAttr,
    TensorType,
    UnitAttr,
    f32,
    i32,
    i64,
)
from xdsl.ir import Attribute, SSAValue

from infer.diagnostics import node_name
from infer.dialects.infer.base import int_of, ints_of
from infer.dialects.infer.constant import ConstantOp
from infer.dialects.infer.epilogue import Epilogue, residual_of
from infer.dialects.infer.matmul import GemmOp, MatmulOp
from infer.dialects.infer.nn import AvgPoolOp, ConvOp, PoolOp
from infer.lowering.infer_to_linalg.core import (
    Lowering,
    ModuleLowering,
    Size,
    kernel_lowering,
    memref_type,
    product,
    shape_of,
)
from infer.lowering.infer_to_linalg.ops.nn import Window
from infer.lowering.select_kernels import (
    AVG_POOL2D,
    CONV2D,
    DEPTHWISE_CONV2D,
    GEMM,
    GEMM_OPENBLAS,
    GEMM_PACKED,
    KERNEL_ATTR,
    MAX_POOL2D,
    gemm_c_role,
)
from infer.runtime.c.emitter import KERNEL_ABI_ATTR, PACK_ATTR, PACK_PARAMS_ATTR, PACK_SIZE_PARAMS_ATTR

ACTIVATION_CODES = {
    None: 0,
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
"""`INFER_ACT_*` of infer_kernels.h, by epilogue activation."""


# -- calls --------------------------------------------------------------------------------------


class KernelCall:
    """The arguments of one kernel call, in C order, and the call itself."""

    def __init__(self, l: Lowering, kernel: str) -> None:
        self.l = l
        self.kernel = kernel
        self.operands: list[SSAValue] = []
        self.abi: list[str] = []

    def read(self, value: SSAValue | None) -> None:
        """A memref the kernel reads (NULL when absent)."""
        self._pointer(value, "in")

    def write(self, value: SSAValue) -> None:
        self._pointer(value, "out")

    def _pointer(self, value: SSAValue | None, role: str) -> None:
        if value is None:
            self.abi.append("null")
            return
        self.operands.append(value)
        self.abi.append(role)

    def size(self, size: Size | int) -> None:
        """An `int64_t` (a size or an integer parameter)."""
        value = self.l.static(size).value if isinstance(size, int) else size.value
        self.operands.append(value)
        self.abi.append("value")

    def sizes(self, sizes: Sequence[Size | int]) -> None:
        for size in sizes:
            self.size(size)

    def flag(self, value: int) -> None:
        """An `int32_t`."""
        self.operands.append(self.l.function.emit_value(arith.ConstantOp(IntegerAttr(value, i32))))
        self.abi.append("value")

    def real(self, value: float) -> None:
        """A `float`."""
        self.operands.append(self.l.function.emit_value(arith.ConstantOp(FloatAttr(value, f32))))
        self.abi.append("value")

    def epilogue(self, epilogue: Epilogue | None) -> None:
        """The activation's code and its two parameters (`act, p0, p1`)."""
        params = [*(epilogue.params if epilogue is not None else ()), 0.0, 0.0]
        self.flag(ACTIVATION_CODES[epilogue.activation if epilogue is not None else None])
        self.real(params[0])
        self.real(params[1])

    def emit(self) -> None:
        name = _declaration(self.l, self.kernel, [v.type for v in self.operands], self.abi)
        self.l.emit(func.CallOp(name, self.operands, []))


class _ModuleKernels:
    """What the kernel calls of one module share: declarations and packed globals."""

    def __init__(self) -> None:
        self.declarations: dict[tuple[str, tuple[Attribute, ...], tuple[str, ...]], str] = {}
        self.packed: dict[tuple[int, str, tuple[int, ...], tuple[int, ...]], str] = {}


_MODULES: weakref.WeakKeyDictionary[ModuleLowering, _ModuleKernels] = weakref.WeakKeyDictionary()


def _kernels_of(l: Lowering) -> _ModuleKernels:
    module = l.function.module
    found = _MODULES.get(module)
    if found is None:
        found = _MODULES[module] = _ModuleKernels()
    return found


def _declaration(l: Lowering, kernel: str, types: Sequence[Attribute], abi: Sequence[str]) -> str:
    """The private declaration `@infer_k_<kernel>` for these operand types and ABI (made once)."""
    kernels = _kernels_of(l)
    key = (kernel, tuple(types), tuple(abi))
    name = kernels.declarations.get(key)
    if name is None:
        module = l.function.module
        name = module.unique_name(f"infer_k_{kernel}")
        declaration = func.FuncOp.external(name, list(types), [])
        declaration.sym_visibility = StringAttr("private")
        declaration.attributes[KERNEL_ATTR] = StringAttr(kernel)
        declaration.attributes[KERNEL_ABI_ATTR] = ArrayAttr([StringAttr(a) for a in abi])
        module.module.body.block.add_op(declaration)
        kernels.declarations[key] = name
    return name


def packed_weight(
    l: Lowering, value: SSAValue, packer: str, size_params: Sequence[int], params: Sequence[int]
) -> SSAValue:
    """The constant `value` (an `infer.constant` operand of the op) as a global that the
    runtime prepacks with `packer`; the same global for the same constant and packing."""
    owner = value.owner
    assert isinstance(owner, ConstantOp)
    kernels = _kernels_of(l)
    key = (id(owner), packer, tuple(size_params), tuple(params))
    t = value.type
    assert isinstance(t, TensorType)
    mt = memref_type(t)
    name = kernels.packed.get(key)
    if name is None:
        data = owner.value
        assert isinstance(data, DenseIntOrFPElementsAttr)
        if data.type != t:
            data = DenseIntOrFPElementsAttr(t, data.data)  # type: ignore[arg-type]  # a splat of another type
        module = l.function.module
        node = node_name(l.op)
        name = module.unique_name(f"__packed_{node}" if node else "__packed")
        g = memref.GlobalOp.get(StringAttr(name), mt, data, StringAttr("private"), constant=UnitAttr())
        g.attributes[PACK_ATTR] = StringAttr(packer)
        g.attributes[PACK_SIZE_PARAMS_ATTR] = DenseArrayBase.from_list(i64, list(size_params))
        g.attributes[PACK_PARAMS_ATTR] = DenseArrayBase.from_list(i64, list(params))
        module.globals.append(g)
        kernels.packed[key] = name
    return l.function.emit_value(memref.GetGlobalOp(name, mt))


# -- convolution --------------------------------------------------------------------------------


def _window_args(call: KernelCall, window: Window) -> None:
    """strides, dilations (h, w), pads (top, left, bottom, right)."""
    call.sizes(window.strides)
    call.sizes(window.dilations)
    call.sizes([window.begins[0], window.begins[1], window.ends[0], window.ends[1]])


def _conv_output(l: Lowering, window: Window, x: SSAValue, out_channels: int) -> tuple[list[Size], SSAValue]:
    sizes = l.sizes(x)
    outputs = [window.output_size(l, i, sizes[2 + i]) for i in range(2)]
    result = l.alloc_result(0, [sizes[0], l.static(out_channels), *outputs])
    return sizes, result


@kernel_lowering(CONV2D, DEPTHWISE_CONV2D)
def conv(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, ConvOp)
    out_channels, per_group, kh, kw = (d or 0 for d in shape_of(op.weight.type))
    window = Window.of(op, [kh, kw])
    groups = int_of(op.groups, 1)
    x = l.operand(0)
    bias = l.operand(2) if op.bias is not None else None
    residual = l.operand(len(op.operands) - 1) if residual_of(op) is not None else None
    sizes, result = _conv_output(l, window, x, out_channels)
    kernel = op.attributes[KERNEL_ATTR].data  # type: ignore[attr-defined]
    call = KernelCall(l, kernel)
    call.read(x)
    call.sizes(sizes)
    if kernel == DEPTHWISE_CONV2D:
        call.read(l.operand(1))
        call.sizes([out_channels // groups, kh, kw])
    else:
        shape = [out_channels, per_group, kh, kw, groups]
        call.read(packed_weight(l, op.weight, CONV2D, shape, shape))
    call.read(bias)
    call.read(residual)
    call.write(result)
    _window_args(call, window)
    call.epilogue(op.epilogue)
    call.emit()
    return result


# -- matrix products ----------------------------------------------------------------------------


def _gemm_call(
    l: Lowering,
    kernel: str,
    batch: Size,
    m: Size,
    n: Size,
    k: Size,
    a: tuple[SSAValue, Size, Size | int, bool],
    b: tuple[SSAValue, Size, Size | int, bool],
    b_value: SSAValue,
    result: SSAValue,
    stride_c: Size | int,
    bias: SSAValue | None,
    residual: SSAValue | None,
    epilogue: Epilogue | None,
) -> None:
    """`infer_gemm[_packed|_openblas]_f32(ctx, batch, M, N, K, A, lda, stride_a, trans_a,
    B..., C, ldc, stride_c, bias, residual, act, p0, p1)`; `a` and `b` are (memref,
    leading dimension, batch stride, transposed)."""
    call = KernelCall(l, kernel)
    call.sizes([batch, m, n, k])
    a_value, lda, stride_a, trans_a = a
    call.read(a_value)
    call.sizes([lda, stride_a])
    call.flag(int(trans_a))
    b_memref, ldb, stride_b, trans_b = b
    if kernel == GEMM_PACKED:
        size_params = [_static(k), _static(n)]
        call.read(packed_weight(l, b_value, "gemm_b", size_params, [_static(ldb), int(trans_b), *size_params]))
    else:
        call.read(b_memref)
        call.sizes([ldb, stride_b])
        call.flag(int(trans_b))
    call.write(result)
    call.sizes([n, stride_c])
    call.read(bias)
    call.read(residual)
    call.epilogue(epilogue)
    call.emit()


def _static(size: Size) -> int:
    assert size.static is not None, "a packed operand has static dims"
    return size.static


@kernel_lowering(GEMM, GEMM_PACKED, GEMM_OPENBLAS)
def gemm(l: Lowering) -> SSAValue:
    op = l.op
    kernel = op.attributes[KERNEL_ATTR].data  # type: ignore[attr-defined]
    if isinstance(op, MatmulOp):
        return _matmul(l, op, kernel)
    assert isinstance(op, GemmOp)
    a, b = l.operand(0), l.operand(1)
    trans_a, trans_b = op.trans_a is not None, op.trans_b is not None
    a_sizes, b_sizes = l.sizes(a), l.sizes(b)
    m, k = (a_sizes[1], a_sizes[0]) if trans_a else (a_sizes[0], a_sizes[1])
    n = b_sizes[0] if trans_b else b_sizes[1]
    result = l.alloc_result(0, [m, n])
    role = gemm_c_role(op)
    c = l.operand(2) if op.c is not None else None
    residual = l.operand(len(op.operands) - 1) if residual_of(op) is not None else None
    bias = c if role == "bias" else None
    if role == "residual":
        residual = c
    one = l.static(1)
    _gemm_call(
        l, kernel, one, m, n, k, (a, a_sizes[1], 0, trans_a), (b, b_sizes[1], 0, trans_b), op.b, result, 0,
        bias, residual, op.epilogue,
    )  # fmt: skip
    return result


def _matmul(l: Lowering, op: MatmulOp, kernel: str) -> SSAValue:
    a, b = l.operand(0), l.operand(1)
    a_sizes, b_sizes = l.sizes(a), l.sizes(b)
    m, k, n = a_sizes[-2], a_sizes[-1], b_sizes[-1]
    result = l.alloc_result()
    result_sizes = l.sizes(result)
    batch = product(result_sizes[:-2], l.static(1))

    def stride(value: SSAValue, rows: Size, columns: Size) -> Size | int:
        shared = all(d == 1 for d in shape_of(value.type)[:-2])
        return 0 if shared else rows * columns

    _gemm_call(
        l, kernel, batch, m, n, k, (a, k, stride(a, m, k), False), (b, n, stride(b, k, n), False), op.rhs, result,
        m * n, None, None, None,
    )  # fmt: skip
    return result


# -- pooling ------------------------------------------------------------------------------------


@kernel_lowering(MAX_POOL2D, AVG_POOL2D)
def pool(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, PoolOp)
    window = Window.of(op, list(ints_of(op.kernel)))
    x = l.operand(0)
    sizes = l.sizes(x)
    outputs = [window.output_size(l, i, sizes[2 + i]) for i in range(2)]
    result = l.alloc_result(0, [sizes[0], sizes[1], *outputs])
    call = KernelCall(l, op.attributes[KERNEL_ATTR].data)  # type: ignore[attr-defined]
    call.read(x)
    call.sizes(sizes)
    call.write(result)
    call.sizes(window.kernel)
    _window_args(call, window)
    call.flag(int(window.ceil_mode))
    if isinstance(op, AvgPoolOp):
        call.flag(int(op.count_include_pad is not None))
    call.emit()
    return result
