"""The walk, signatures, sizes and constants of convert-infer-to-linalg."""

from __future__ import annotations

import numpy as np
import pytest
from loop_level import assert_loops_match, lower_to_loops
from xdsl.dialects import arith, func, memref
from xdsl.dialects.builtin import IndexType, ModuleOp, NameLoc, NoneAttr, StringAttr, TensorType, f32
from xdsl.ir import Block, Region
from xdsl.irdl import irdl_op_definition, operand_def, result_def

import infer
from infer.diagnostics import UnsupportedError
from infer.dialects.infer.base import InferOp
from infer.lowering.infer_to_linalg import lower_module, supported_ops
from infer.lowering.infer_to_linalg.core import FunctionLowering, Lowering, ModuleLowering, _copied_dims
from infer.runtime.xdsl_interp import run_loops


def test_supported_ops_cover_the_families() -> None:
    names = set(supported_ops())
    for name in ["infer.constant", "infer.fill", "infer.add", "infer.cast", "infer.matmul", "infer.reduce_sum",
                 "infer.arg_max", "infer.hardmax", "infer.select", "infer.clip", "infer.is_inf"]:  # fmt: skip
        assert name in names


def test_shape_rule_probing_finds_copied_dims() -> None:
    module = infer.parse_ir("""
func.func @f(%a: tensor<?x1x8x16xf32>, %b: tensor<1x?x16x?xf32>, %x: tensor<?x?x4xf32>) {
  %m = infer.matmul %a, %b : (tensor<?x1x8x16xf32>, tensor<1x?x16x?xf32>) -> tensor<?x?x8x?xf32>
  %r = infer.reduce_sum %x {axes = array<i64: 1>} : (tensor<?x?x4xf32>) -> tensor<?x4xf32>
  func.return
}""")
    matmul, reduce_sum = list(module.walk())[2:4]
    assert _copied_dims(matmul, 0) == [(0, 0), (1, 1), None, (1, 3)]
    assert _copied_dims(reduce_sum, 0) == [(0, 0), None]


def test_sizes_fold_static_and_emit_index_arithmetic() -> None:
    module = infer.parse_ir("""
func.func @f(%x: tensor<?x3x?xf32>) -> tensor<?x3x?xf32> {
  %y = infer.relu %x : (tensor<?x3x?xf32>) -> tensor<?x3x?xf32>
  func.return %y : tensor<?x3x?xf32>
}""")
    function = next(op for op in module.walk() if isinstance(op, func.FuncOp))
    lowering = Lowering(next(iter(function.body.block.ops)), FunctionLowering(function, ModuleLowering(module)))
    x = lowering.function.block.args[0]
    n, c, w = lowering.sizes(x)
    assert c.static == 3 and not n.is_static and not w.is_static
    assert lowering.size(x, 0) is n  # one memref.dim per dim
    assert (c * 4 + 2 - 1).static == 13
    assert (c - 1) // 2 == 1 and c.ceildiv(2) == 2 and c.max(7) == 7
    out = (w + 2 - 3 * (c - 1) - 1) // 2 + 1
    ops = [type(op) for op in lowering.function.block.ops]
    assert ops.count(memref.DimOp) == 2
    assert arith.FloorDivSIOp in ops and arith.AddiOp in ops and arith.SubiOp in ops
    assert not out.is_static and isinstance(out.value.type, IndexType)


@irdl_op_definition
class _UnknownOp(InferOp):
    name = "test.unknown"
    input = operand_def(TensorType)
    result = result_def(TensorType)


def test_an_op_without_lowering_is_a_one_line_diagnostic() -> None:
    t = TensorType(f32, [4])
    block = Block(arg_types=[t])
    op = _UnknownOp.create(operands=[block.args[0]], result_types=[t])
    op.location = NameLoc(StringAttr("node_7"), NoneAttr())
    block.add_ops([op, func.ReturnOp(op.results[0])])
    module = ModuleOp([func.FuncOp("main_graph", ([t], [t]), Region(block))])
    with pytest.raises(UnsupportedError) as info:
        lower_module(module)
    assert str(info.value) == (
        "node 'node_7' (test.unknown): cannot be lowered to linalg yet (no lowering registered); "
        "see infer.lowering.infer_to_linalg.supported_ops()"
    )


def test_elided_constant_is_a_diagnostic() -> None:
    module = infer.parse_ir("""
func.func @main_graph() -> tensor<64xf32> {
  %c = infer.constant dense_resource<__elided__> : tensor<64xf32> loc("weights")
  func.return %c : tensor<64xf32>
}""")
    with pytest.raises(UnsupportedError, match=r"node 'weights' \(infer.constant\): the constant's bytes were elided"):
        lower_module(module)


def test_calls_and_private_functions(rng: np.random.Generator) -> None:
    text = """
func.func private @scale(%v: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %two = infer.constant splat<2.0> : tensor<1x1xf32>
  %w = infer.mul %v, %two : (tensor<?x4xf32>, tensor<1x1xf32>) -> tensor<?x4xf32>
  func.return %w : tensor<?x4xf32>
}
func.func @main_graph(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) {
  %y = func.call @scale(%x) : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %z = infer.neg %y : (tensor<?x4xf32>) -> tensor<?x4xf32>
  func.return %z, %y, %z : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
}"""
    x = rng.standard_normal((3, 4)).astype(np.float32)
    z, _, z2 = assert_loops_match(text, [x])
    np.testing.assert_array_equal(z, z2)
    # A value returned twice is returned once as it is and once copied.
    lowered = lower_to_loops(infer.parse_ir(text))
    main = next(op for op in lowered.ops if isinstance(op, func.FuncOp) and op.sym_name.data == "main_graph")
    ret = main.body.block.last_op
    assert isinstance(ret, func.ReturnOp)
    assert len(set(ret.operands)) == 3
    assert sum(isinstance(op, memref.CopyOp) for op in main.walk()) == 1


def test_fill_reads_its_shape_at_run_time() -> None:
    text = """
func.func @main_graph(%s: tensor<3xi64>) -> (tensor<?x?x?xf32>, tensor<?x?x?xi1>) {
  %f = infer.fill %s {value = 1.5 : f32} : (tensor<3xi64>) -> tensor<?x?x?xf32>
  %b = infer.fill %s {value = true} : (tensor<3xi64>) -> tensor<?x?x?xi1>
  func.return %f, %b : tensor<?x?x?xf32>, tensor<?x?x?xi1>
}"""
    f, b = assert_loops_match(text, [np.array([2, 1, 3], np.int64)])
    assert f.shape == (2, 1, 3) and (f == 1.5).all() and b.all()


def test_constants_are_globals_and_splats_one_element(rng: np.random.Generator) -> None:
    text = """
func.func @main_graph(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xi8>) {
  %w = infer.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32> loc("w")
  %s = infer.constant splat<0.25> : tensor<2x3xf32> loc("s")
  %i = infer.constant splat<-3> : tensor<2x3xi8> loc("i")
  %y = infer.add %x, %w : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return %y, %s, %i : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xi8>
}"""
    x = rng.standard_normal((2, 3)).astype(np.float32)
    assert_loops_match(text, [x])
    lowered = lower_to_loops(infer.parse_ir(text))
    globals_ = {op.sym_name.data: op for op in lowered.ops if isinstance(op, memref.GlobalOp)}
    assert set(globals_) == {"__constant_w", "__constant_s", "__constant_i"}
    splat = globals_["__constant_s"].initial_value
    assert len(splat.data.data) == 4 and splat.type == TensorType(f32, [2, 3])  # type: ignore[union-attr]
    assert globals_["__constant_w"].constant is not None


def test_loop_level_contract(rng: np.random.Generator) -> None:
    text = """
func.func @main_graph(%a: tensor<?x8xf32>, %b: tensor<8x4xf32>) -> tensor<?x1xf32> {
  %m = infer.matmul %a, %b : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  %s = infer.softmax %m {axes = array<i64: 1>} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %r = infer.reduce_max %s {axes = array<i64: 1>, keepdims} : (tensor<?x4xf32>) -> tensor<?x1xf32>
  func.return %r : tensor<?x1xf32>
}"""
    lowered = lower_to_loops(infer.parse_ir(text))
    for op in lowered.walk():
        for value in [*op.operands, *op.results]:
            t = value.type
            assert not isinstance(t, TensorType), op.name
    a = rng.standard_normal((2, 8)).astype(np.float32)
    b = rng.standard_normal((8, 4)).astype(np.float32)
    assert_loops_match(text, [a, b], rtol=1e-5)
    (out,) = run_loops(lowered, [a[:1], b])
    assert out.shape == (1, 1)


def test_ops_without_tensors_are_kept(rng: np.random.Generator) -> None:
    # Lowering IR that is already on memrefs (here: lowered once) keeps it as it is.
    text = """
func.func @main_graph(%x: tensor<?x4xf32>, %w: tensor<4x2xf32>) -> (tensor<?x2xf32>, tensor<?x4xf32>) {
  %m = infer.matmul %x, %w : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  %r = infer.relu %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  func.return %m, %r : tensor<?x2xf32>, tensor<?x4xf32>
}"""
    once = infer.parse_ir(text)
    lower_module(once)
    twice = once.clone()
    lower_module(twice)
    twice.verify()
    assert str(twice) == str(once)
    x, w = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((4, 2)).astype(np.float32)
    assert_loops_match(text, [x, w], rtol=1e-6)
