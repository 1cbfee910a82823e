"""The ONNX importer: signature, opsets, locations, functions, subgraphs, types."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx_frontend_helpers import ops_named, print_module, round_trip
from xdsl.dialects import func
from xdsl.dialects.builtin import DictionaryAttr, IntegerAttr, NameLoc, NoneAttr, StringAttr, TensorType, UnitAttr

from infer.diagnostics import InferError
from infer.dialects.onnx import OnnxOp, module_opsets
from infer.dialects.onnx.base import INITIALIZER_ATTR
from infer.dialects.onnx.types import MapType, OptionalType, SequenceType, StringType, UnknownType
from infer.dialects.signature import dim_params, io_names
from infer.frontends.onnx.importer import import_model


def _loc(name: str) -> NameLoc:
    return NameLoc(StringAttr(name), NoneAttr())


def _entry(module) -> func.FuncOp:
    return next(op for op in module.body.block.ops if isinstance(op, func.FuncOp))


def test_signature_names_shapes_and_dim_symbols() -> None:
    weight = numpy_helper.from_array(np.ones((4, 3), np.float32), "weight")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["data", "weight"], ["features"], name="proj")],
        "signature",
        [
            helper.make_tensor_value_info("data", TensorProto.FLOAT, ["batch", None, 4]),
            # An initializer listed among the inputs (IR < 4 style) is a constant, not an argument.
            helper.make_tensor_value_info("weight", TensorProto.FLOAT, [4, 3]),
        ],
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", None, 3])],
        [weight],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="unit-test")
    module, text = round_trip(model)
    entry = _entry(module)
    assert entry.sym_name.data == "main_graph"
    (arg,) = entry.body.block.args
    assert isinstance(arg.type, TensorType) and arg.type.get_shape()[2] == 4
    assert all(d < 0 for d in arg.type.get_shape()[:2])
    assert "tensor<?x?x4xf32>" in text and "tensor<?x?x3xf32>" in text
    assert io_names(entry.arg_attrs, 1, "in") == ["data"]
    assert io_names(entry.res_attrs, 1, "out") == ["features"]
    assert dim_params(entry.arg_attrs, 0) == ["batch", "", ""]
    assert dim_params(entry.res_attrs, 0) == ["batch", "", ""]
    assert module.attributes["onnx.graph_name"].data == "signature"  # type: ignore[attr-defined]
    assert module.attributes["onnx.producer"].data == "unit-test"  # type: ignore[attr-defined]


def test_output_symbols_only_for_dims_left_dynamic() -> None:
    """Shape inference may pin a dim the output declares symbolic; its symbol goes."""
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "b"], ["y"])],
        "g",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", "C"]),
            helper.make_tensor_value_info("b", TensorProto.FLOAT, [5]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", "C"])],
    )
    module, _ = round_trip(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)]))
    entry = _entry(module)
    assert str(entry.function_type.outputs.data[0]) == "tensor<?x5xf32>"
    assert dim_params(entry.res_attrs, 0) == ["N", ""]


def test_opset_imports_and_node_locations() -> None:
    graph = helper.make_graph(
        [
            helper.make_node("Relu", ["x"], ["r"], name="relu/first"),
            helper.make_node("Binarizer", ["r"], ["y"], name="binarize", domain="ai.onnx.ml", threshold=0.5),
            helper.make_node("Neg", ["y"], ["z"]),
        ],
        "opsets",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, [2])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15), helper.make_opsetid("ai.onnx.ml", 3)])
    module, _ = round_trip(model)
    assert module_opsets(module) == {"ai.onnx": 15, "ai.onnx.ml": 3}
    locations = {op.name: op.location for op in module.walk() if isinstance(op, OnnxOp)}
    assert locations["onnx.Relu"] == _loc("relu/first")
    assert locations["onnx.ml.Binarizer"] == _loc("binarize")
    assert locations["onnx.Neg"] == _loc("z")  # an unnamed node is located at its first output
    assert 'loc("relu/first")' in print_module(module, debuginfo=True)


def test_model_without_default_domain_opset() -> None:
    graph = helper.make_graph(
        [helper.make_node("Binarizer", ["x"], ["y"], domain="ai.onnx.ml", threshold=0.5)],
        "ml_only",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])],
    )
    module, _ = round_trip(helper.make_model(graph, opset_imports=[helper.make_opsetid("ai.onnx.ml", 1)]))
    assert module_opsets(module) == {"ai.onnx.ml": 1}


def test_intermediate_types_from_shape_inference() -> None:
    graph = helper.make_graph(
        [
            helper.make_node("Transpose", ["x"], ["t"], perm=[1, 0]),
            helper.make_node("Shape", ["t"], ["s"]),
            helper.make_node("Cast", ["s"], ["c"], to=TensorProto.FLOAT),
        ],
        "types",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
        [helper.make_tensor_value_info("c", TensorProto.FLOAT, None)],
    )
    _, text = round_trip(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))
    assert "onnx.Transpose(%x) {perm = array<i64: 1, 0>} : (tensor<?x3xf32>) -> tensor<3x?xf32>" in text
    assert "-> tensor<2xi64>" in text
    assert "-> tensor<2xf32>" in text


def test_unknown_types_and_non_tensor_values() -> None:
    seq = helper.make_tensor_sequence_value_info("seq", TensorProto.FLOAT, None)
    opt = helper.make_value_info("opt", helper.make_optional_type_proto(helper.make_tensor_type_proto(1, [2])))
    mapping = helper.make_value_info(
        "map", helper.make_map_type_proto(TensorProto.STRING, helper.make_tensor_type_proto(TensorProto.INT64, []))
    )
    graph = helper.make_graph(
        [
            helper.make_node("SequenceLength", ["seq"], ["n"]),
            helper.make_node("OptionalHasElement", ["opt"], ["has"]),
            helper.make_node("DictVectorizer", ["map"], ["vec"], domain="ai.onnx.ml", string_vocabulary=["a"]),
        ],
        "values",
        [seq, opt, mapping],
        [
            helper.make_empty_tensor_value_info("n"),
            helper.make_empty_tensor_value_info("has"),
            helper.make_empty_tensor_value_info("vec"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18), helper.make_opsetid("ai.onnx.ml", 1)])
    module, text = round_trip(model)
    arg_types = [a.type for a in _entry(module).body.block.args]
    assert isinstance(arg_types[0], SequenceType)
    assert isinstance(arg_types[1], OptionalType) and str(arg_types[1].element_type) == "tensor<2xf32>"
    assert isinstance(arg_types[2], MapType) and isinstance(arg_types[2].key_type, StringType)
    assert "!onnx.seq<tensor<*xf32>>" in text
    assert "!onnx.map<!onnx.string, tensor<i64>>" in text


def test_result_of_unknown_type() -> None:
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "unknown",
        [helper.make_value_info("x", onnx.TypeProto())],
        [helper.make_empty_tensor_value_info("y")],
    )
    module, _ = round_trip(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))
    assert isinstance(_entry(module).body.block.args[0].type, UnknownType)


def test_unsorted_graph_is_imported_in_dependency_order() -> None:
    graph = helper.make_graph(
        [
            helper.make_node("Neg", ["b"], ["c"], name="third"),
            helper.make_node("Relu", ["a"], ["b"], name="second"),
            helper.make_node("Abs", ["x"], ["a"], name="first"),
        ],
        "unsorted",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("c", TensorProto.FLOAT, [2])],
    )
    module, _ = round_trip(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))
    order = [op.name for op in _entry(module).body.block.ops]
    assert order == ["onnx.Abs", "onnx.Relu", "onnx.Neg", "func.return"]


def test_old_opset_initializers_of_non_float_type_are_marked() -> None:
    """`Constant` before opset 9 produces floats only; initializers may have any type."""
    graph = helper.make_graph(
        [helper.make_node("Reshape", ["x", "shape"], ["y"])],
        "old",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 2])],
        [
            numpy_helper.from_array(np.array([3, 2], np.int64), "shape"),
            numpy_helper.from_array(np.ones(2, np.float32), "unused"),
        ],
    )
    module, _ = round_trip(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 8)]))
    marks = {op.results[0].name_hint: INITIALIZER_ATTR in op.attributes for op in ops_named(module, "onnx.Constant")}
    assert marks == {"shape": True, "unused": False}
    marked = next(op for op in ops_named(module, "onnx.Constant") if INITIALIZER_ATTR in op.attributes)
    assert marked.attributes[INITIALIZER_ATTR] == UnitAttr()


def test_large_constant_nodes_stay_in_place_of_their_node() -> None:
    """Large `Constant` values are left out of the copy given to shape inference,
    but still imported, with their node's name and the type it implies."""
    value = np.arange(4096, dtype=np.float32).reshape(64, 64)
    graph = helper.make_graph(
        [
            helper.make_node("Constant", [], ["w"], name="weights", value=numpy_helper.from_array(value)),
            helper.make_node("MatMul", ["x", "w"], ["y"], name="mm"),
        ],
        "constants",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    module, text = round_trip(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))
    (constant,) = ops_named(module, "onnx.Constant")
    assert constant.location == _loc("weights")
    assert constant.attributes["value"].data.data == value.tobytes()  # type: ignore[attr-defined]
    assert "(tensor<?x64xf32>, tensor<64x64xf32>) -> tensor<?x64xf32>" in text


# -- model-local functions --------------------------------------------------------------------


def _function_model() -> onnx.ModelProto:
    """`Outer(x) = Scale<alpha=outer_alpha>(x) + Scale<alpha=2.0>(x)`, `Scale<alpha>(x) = x * alpha`:
    a nested call and attribute references at two levels."""
    scale = helper.make_function(
        "local",
        "Scale",
        ["x"],
        ["y"],
        [
            helper.make_node(
                "Constant",
                [],
                ["a"],
                value_float=0.0,
            ),
            helper.make_node("Mul", ["x", "a"], ["y"]),
        ],
        [helper.make_opsetid("", 17)],
        attributes=[],
    )
    # value_float refers to the function's attribute `alpha`.
    constant = scale.node[0]
    del constant.attribute[:]
    ref = onnx.AttributeProto(name="value_float", ref_attr_name="alpha", type=onnx.AttributeProto.FLOAT)
    constant.attribute.append(ref)
    scale.attribute.append("alpha")
    outer = helper.make_function(
        "local",
        "Outer",
        ["x"],
        ["y"],
        [
            helper.make_node("Scale", ["x"], ["s1"], domain="local"),
            helper.make_node("Scale", ["x"], ["s2"], domain="local", alpha=2.0),
            helper.make_node("Add", ["s1", "s2"], ["y"]),
        ],
        [helper.make_opsetid("", 17), helper.make_opsetid("local", 1)],
    )
    outer.node[0].attribute.append(
        onnx.AttributeProto(name="alpha", ref_attr_name="outer_alpha", type=onnx.AttributeProto.FLOAT)
    )
    outer.attribute.append("outer_alpha")
    graph = helper.make_graph(
        [helper.make_node("Outer", ["x"], ["y"], name="call", domain="local", outer_alpha=3.0)],
        "functions",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])],
    )
    return helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("local", 1)],
        functions=[scale, outer],
    )


def test_model_local_functions_are_inlined() -> None:
    model = _function_model()
    onnx.checker.check_model(model)
    module, _ = round_trip(model)
    names = [op.name for op in _entry(module).body.block.ops]
    assert names.count("onnx.Mul") == 2 and names.count("onnx.Add") == 1
    assert not [n for n in names if n.startswith("local")]
    alphas = sorted(op.attr("value_float") for op in ops_named(module, "onnx.Constant"))  # type: ignore[attr-defined]
    assert alphas == [2.0, 3.0]
    # What the inlined model computes is what onnx's reference evaluator computes on the original.
    from onnx.reference import ReferenceEvaluator

    x = np.array([1.0, -2.0], np.float32)
    np.testing.assert_allclose(ReferenceEvaluator(model).run(None, {"x": x})[0], x * 5.0)


def test_unresolved_attribute_reference_is_a_diagnostic() -> None:
    node = helper.make_node("Softmax", ["x"], ["y"], name="sm")
    node.attribute.append(onnx.AttributeProto(name="axis", ref_attr_name="ax", type=onnx.AttributeProto.INT))
    graph = helper.make_graph(
        [node],
        "dangling_ref",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])],
    )
    with pytest.raises(InferError, match=r"node 'sm' \(Softmax, opset 17\): attribute 'axis' refers to"):
        import_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))


# -- subgraphs ----------------------------------------------------------------------------


def _if_in_loop_model() -> onnx.ModelProto:
    """A Loop whose body holds an If; both branches use values of the main graph
    (`scale`, an initializer, and `bias`, a node output) and of the loop body (`v`)."""
    then_graph = helper.make_graph(
        [helper.make_node("Mul", ["v", "scale"], ["then_out"])],
        "then",
        [],
        [helper.make_tensor_value_info("then_out", TensorProto.FLOAT, [2])],
    )
    else_graph = helper.make_graph(
        [helper.make_node("Add", ["v", "bias"], ["else_out"])],
        "else",
        [],
        [helper.make_tensor_value_info("else_out", TensorProto.FLOAT, [2])],
    )
    body = helper.make_graph(
        [
            helper.make_node("Greater", ["i", "limit"], ["big"]),
            helper.make_node("If", ["big"], ["next"], then_branch=then_graph, else_branch=else_graph),
            helper.make_node("Identity", ["cond"], ["cond_out"]),
        ],
        "body",
        [
            helper.make_tensor_value_info("i", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond", TensorProto.BOOL, []),
            helper.make_tensor_value_info("v", TensorProto.FLOAT, [2]),
        ],
        [
            helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
            helper.make_tensor_value_info("next", TensorProto.FLOAT, [2]),
            helper.make_tensor_value_info("next", TensorProto.FLOAT, [2]),
        ],
    )
    graph = helper.make_graph(
        [
            helper.make_node("Loop", ["n", "", "x"], ["final", "trace"], name="loop", body=body),
            # Listed after the Loop that uses it from inside the body: import order must follow the use.
            helper.make_node("Neg", ["x"], ["bias"], name="make_bias"),
        ],
        "control_flow",
        [
            helper.make_tensor_value_info("n", TensorProto.INT64, []),
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [2]),
        ],
        [
            helper.make_tensor_value_info("final", TensorProto.FLOAT, [2]),
            helper.make_tensor_value_info("trace", TensorProto.FLOAT, [None, 2]),
        ],
        [
            numpy_helper.from_array(np.array([2.0, 3.0], np.float32), "scale"),
            numpy_helper.from_array(np.array(1, np.int64), "limit"),
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])


def test_loop_and_if_bodies_are_regions_using_outer_values() -> None:
    module, text = round_trip(_if_in_loop_model())
    entry = _entry(module)
    names = [op.name for op in entry.body.block.ops]
    assert names == ["onnx.NoValue", "onnx.Constant", "onnx.Constant", "onnx.Neg", "onnx.Loop", "func.return"]
    ops = {op.name: op for op in entry.body.block.ops}
    loop = ops["onnx.Loop"]
    body = loop.regions[0].block
    assert [str(a.type) for a in body.args] == ["tensor<i64>", "tensor<i1>", "tensor<2xf32>"]
    if_op = next(op for op in body.ops if op.name == "onnx.If")
    then_ops, else_ops = (list(r.block.ops) for r in if_op.regions)
    assert [op.name for op in then_ops] == ["onnx.Mul", "onnx.Yield"]
    assert [op.name for op in else_ops] == ["onnx.Add", "onnx.Yield"]
    scale = next(op for op in ops_named(module, "onnx.Constant") if op.results[0].name_hint == "scale")
    # Outer values are used directly: the main graph's initializer and node output, the body's argument.
    assert then_ops[0].operands[0] is body.args[2]
    assert then_ops[0].operands[1] is scale.results[0]
    assert else_ops[0].operands[1] is ops["onnx.Neg"].results[0]
    assert "onnx.Yield" in text
    assert str(loop.results[1].type) == "tensor<?x2xf32>"


def test_scan_body_is_a_region() -> None:
    body = helper.make_graph(
        [helper.make_node("Add", ["acc", "row"], ["acc_out"]), helper.make_node("Identity", ["acc_out"], ["out"])],
        "scan_body",
        [
            helper.make_tensor_value_info("acc", TensorProto.FLOAT, [3]),
            helper.make_tensor_value_info("row", TensorProto.FLOAT, [3]),
        ],
        [
            helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, [3]),
            helper.make_tensor_value_info("out", TensorProto.FLOAT, [3]),
        ],
    )
    graph = helper.make_graph(
        [helper.make_node("Scan", ["init", "rows"], ["total", "partial"], body=body, num_scan_inputs=1)],
        "scan",
        [
            helper.make_tensor_value_info("init", TensorProto.FLOAT, [3]),
            helper.make_tensor_value_info("rows", TensorProto.FLOAT, [5, 3]),
        ],
        [
            helper.make_tensor_value_info("total", TensorProto.FLOAT, [3]),
            helper.make_tensor_value_info("partial", TensorProto.FLOAT, [5, 3]),
        ],
    )
    module, text = round_trip(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)]))
    (scan,) = ops_named(module, "onnx.Scan")
    assert [op.name for op in scan.regions[0].block.ops] == ["onnx.Add", "onnx.Identity", "onnx.Yield"]
    assert "num_scan_inputs = 1 : i64" in text


def test_subgraph_output_must_be_defined() -> None:
    then_graph = helper.make_graph([], "then", [], [helper.make_tensor_value_info("nowhere", TensorProto.FLOAT, [])])
    else_graph = helper.make_graph([], "else", [], [helper.make_tensor_value_info("x", TensorProto.FLOAT, [])])
    graph = helper.make_graph(
        [helper.make_node("If", ["c"], ["y"], name="branch", then_branch=then_graph, else_branch=else_graph)],
        "bad_if",
        [helper.make_tensor_value_info("c", TensorProto.BOOL, []), helper.make_tensor_value_info("x", 1, [])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [])],
    )
    with pytest.raises(InferError, match=r"node 'branch' \(If, opset 16\): output of subgraph 'then' 'nowhere'"):
        import_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)]))


def test_opset_import_attribute_is_a_dictionary() -> None:
    module = import_model(_if_in_loop_model())
    opsets = module.attributes["onnx.opset_import"]
    assert isinstance(opsets, DictionaryAttr)
    assert opsets.data["ai.onnx"] == IntegerAttr(16, 64)
