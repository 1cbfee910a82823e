"""Constant, ConstantOfShape."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import AnyFloat, FloatAttr, IntegerAttr, IntegerType, TensorType
from xdsl.ir import SSAValue

from infer.dialects.dtypes import from_numpy
from infer.dialects.infer import ConstantOp, FillOp
from infer.lowering.onnx_to_infer.core import Conversion, converter, dense_value
from infer.lowering.onnx_to_infer.ops.tensor import shape_entries, static_entry


@converter("Constant")
def constant(c: Conversion) -> SSAValue:
    attrs = c.op.attributes
    if "value" in attrs:
        return c.emit(ConstantOp(dense_value(attrs["value"])))
    for name, dtype in (("value_float", np.float32), ("value_int", np.int64)):
        if name in attrs:
            return c.constant(np.asarray(c.attr(name), dtype=dtype))
    for name, dtype in (("value_floats", np.float32), ("value_ints", np.int64)):
        if name in attrs:
            return c.constant(np.asarray(c.attr(name), dtype=dtype).reshape(-1))
    if "sparse_value" in attrs:
        return c.emit(ConstantOp(dense_value(attrs["sparse_value"])))
    c.error(
        "string constants are not supported"
        if any(a.startswith("value_string") for a in attrs)
        else "Constant has no value attribute"
    )


@converter("ConstantOfShape", since=9)
def constant_of_shape(c: Conversion) -> SSAValue:
    value = c.attr("value")
    scalar = np.zeros((), np.float32) if value is None else np.asarray(value).reshape(-1)
    if scalar.size != 1:
        c.error(f"value must hold one element, got {scalar.size}")
    scalar = scalar.reshape(())
    element = from_numpy(scalar.dtype)
    shape_dims = c.shape(c.input(0))
    if len(shape_dims) != 1 or shape_dims[0] is None:
        c.error("the shape input must be 1-D with a static length (the result rank)")
    shape = c.const(0)
    if shape is not None:
        dims = [int(d) for d in shape.reshape(-1)]
        if any(d < 0 for d in dims):
            c.error(f"shape {dims} has a negative dim")
        return c.emit(ConstantOp.splat(scalar.item(), TensorType(element, dims)))
    attr: FloatAttr | IntegerAttr
    if isinstance(element, AnyFloat):
        attr = FloatAttr(float(scalar), element)
    else:
        assert isinstance(element, IntegerType)
        attr = IntegerAttr(int(scalar), element)
    # Dims that the shape computation takes from static dims are known here.
    entries = shape_entries(c.input(0))
    result_type = None
    if entries is not None:
        result_type = c.tensor(element, [static_entry(e) for e in entries])
    return c.emit(FillOp(c.input(0), attr, result_type))
