"""Epilogues: an activation applied by `infer.conv`, `infer.conv_transpose` and `infer.gemm` to their result.

A fused producer-activation pair is one op whose optional `activation`
property names the activation and whose `activation_params` (`array<f64:
...>`) holds its parameters, in the order of the table below. The activation
is applied after the bias (and, for gemm, after `beta * c`), in the result's
element type, with exactly the numbers the standalone op gives: the fused op
and the pair compute the same bits.

    %y = infer.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
           pads = array<i64: 1, 1, 1, 1>, activation = "clip", activation_params = array<f64: 0.0, 6.0>}
           : (tensor<?x3x?x?xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<?x16x?x?xf32>
    %g = infer.gemm %a, %w, %c {trans_b, activation = "relu"}
           : (tensor<?x256xf32>, tensor<10x256xf32>, tensor<1x10xf32>) -> tensor<?x10xf32>

| activation     | params       | standalone op it stands for                 |
| -------------- | ------------ | ------------------------------------------- |
| `relu`         | -            | `infer.relu`                                |
| `clip`         | min, max     | `infer.clip` with both bounds (relu6: 0, 6) |
| `leaky_relu`   | alpha        | `infer.leaky_relu`                          |
| `sigmoid`      | -            | `infer.sigmoid`                             |
| `hard_sigmoid` | alpha, beta  | `infer.hard_sigmoid`                        |
| `hard_swish`   | -            | `infer.hard_swish`                          |
| `silu`         | -            | `infer.silu` (x * sigmoid(x))               |
| `tanh`         | -            | `infer.tanh`                                |
| `gelu`         | -            | `infer.gelu` (exact, erf)                   |
| `gelu_tanh`    | -            | `infer.gelu {approximate = "tanh"}`         |

A conv or gemm may also take a `residual` operand (ResNet's skip connection,
a transformer's `x + Linear(h)`): a tensor of the result's type, added after
the bias (for gemm, after `beta * c`) and before the activation, in the
result's element type: `act(conv(x) + bias + residual)`. It is written after
the other operands, `residual %r`; its type is the result's, so the
functional type does not list it:

    %y = infer.conv %x, %w, %b residual %r {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
           pads = array<i64: 0, 0, 0, 0>, activation = "relu"}
           : (tensor<?x64x56x56xf32>, tensor<256x64x1x1xf32>, tensor<256xf32>) -> tensor<?x256x56x56xf32>

The fused op computes the same bits as the unfused chain (`conv`, `add`,
activation): the conv's sum is rounded to the result type, then the residual
is added. `fuse-conv-add` makes it.

Parameters must be finite (an f64 array cannot print infinities in a form
that parses back): a clip with one bound is fused only when it is a relu
(min 0). On integer results (gemm on integers) only `relu` and `clip` (with
integral bounds) are defined.

This module holds the table, the verifier helper used by the ops' shape
rules, the two directions between epilogues and standalone ops
(`activation_of` recognizes one, `emit_activation` builds one: used by
`infer.gemm`'s decomposition and by `unfuse_activation`), and the locations
of what a fusion builds: `fused_location` for the op that replaces several
(its value stands for the last one), `derived_location` for the ops made to
feed it (new weights, a reshape), which stand for no framework node.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from xdsl.builder import Builder
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    Float64Type,
    FloatAttr,
    FusedLoc,
    IntegerAttr,
    LocationAttr,
    NameLoc,
    NoneAttr,
    StringAttr,
    UnknownLoc,
    f64,
    i32,
)
from xdsl.ir import Attribute, Operation, SSAValue

from infer.dialects.infer.activation import (
    GeluOp,
    HardSigmoidOp,
    HardSwishOp,
    LeakyReluOp,
    SiluOp,
)
from infer.dialects.infer.base import InferOp, ShapeError, element_of, is_float, is_int, string_of
from infer.dialects.infer.elementwise import ClipOp, ReluOp, SigmoidOp, TanhOp


@dataclass(frozen=True)
class ActivationKind:
    """One row of the table: an activation's name, its parameters' names, what it computes."""

    name: str
    params: tuple[str, ...]
    formula: str
    integers: bool = False
    """Also defined on integer results."""


ACTIVATIONS: dict[str, ActivationKind] = {
    kind.name: kind
    for kind in (
        ActivationKind("relu", (), "max(x, 0)", integers=True),
        ActivationKind("clip", ("min", "max"), "min(max(x, min), max)", integers=True),
        ActivationKind("leaky_relu", ("alpha",), "x if x >= 0 else alpha * x"),
        ActivationKind("sigmoid", (), "1 / (1 + exp(-x))"),
        ActivationKind("hard_sigmoid", ("alpha", "beta"), "max(0, min(1, alpha * x + beta))"),
        ActivationKind("hard_swish", (), "x * max(0, min(1, x / 6 + 1 / 2))"),
        ActivationKind("silu", (), "x * sigmoid(x)"),
        ActivationKind("tanh", (), "tanh(x)"),
        ActivationKind("gelu", (), "0.5 * x * (1 + erf(x / sqrt(2)))"),
        ActivationKind("gelu_tanh", (), "0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))"),
    )
}
"""Every activation an epilogue can apply, by name."""


@dataclass(frozen=True)
class Epilogue:
    """An activation with its parameters, as `infer.conv` / `infer.conv_transpose` / `infer.gemm` carry it."""

    activation: str
    params: tuple[float, ...] = ()

    def properties(self) -> dict[str, Attribute | None]:
        """The `activation` and `activation_params` properties (params absent when there are none)."""
        return epilogue_properties(self)

    def verify(self, element: Attribute) -> None:
        """Raises ShapeError unless this is a valid epilogue for results of `element` type."""
        check_epilogue({k: v for k, v in self.properties().items() if v is not None}, element)

    def __str__(self) -> str:
        return self.activation + (f"({', '.join(map(str, self.params))})" if self.params else "")


def epilogue_properties(epilogue: Epilogue | None) -> dict[str, Attribute | None]:
    """Properties for an op's constructor: both None without an epilogue."""
    if epilogue is None:
        return {"activation": None, "activation_params": None}
    params = DenseArrayBase.from_list(f64, [float(p) for p in epilogue.params]) if epilogue.params else None
    return {"activation": StringAttr(epilogue.activation), "activation_params": params}


def epilogue_of(op: Operation) -> Epilogue | None:
    """The epilogue an op carries, or None."""
    activation = op.properties.get("activation")
    if activation is None:
        return None
    params = op.properties.get("activation_params")
    values = () if params is None else tuple(float(v) for v in params.get_values())  # type: ignore[attr-defined]
    return Epilogue(string_of(activation), values)


def check_epilogue(properties: Mapping[str, Attribute], element: Attribute) -> None:
    """Raises ShapeError unless the `activation` / `activation_params` properties are
    a known activation with its number of finite parameters, defined on `element`."""
    activation = properties.get("activation")
    params = properties.get("activation_params")
    if activation is None:
        if params is not None:
            raise ShapeError("activation_params given without an activation")
        return
    name = string_of(activation)
    kind = ACTIVATIONS.get(name)
    if kind is None:
        raise ShapeError(f"unknown activation '{name}', expected one of {', '.join(ACTIVATIONS)}")
    values: tuple[float, ...] = ()
    if params is not None:
        if not isinstance(params, DenseArrayBase) or not isinstance(params.elt_type, Float64Type):
            raise ShapeError(f"activation_params must be an array<f64: ...>, got {params}")
        values = tuple(float(v) for v in params.get_values())
    if len(values) != len(kind.params):
        expected = f"{len(kind.params)} ({', '.join(kind.params)})" if kind.params else "none"
        raise ShapeError(f"activation '{name}' takes {expected} activation_params, got {len(values)}")
    if not all(math.isfinite(v) for v in values):
        raise ShapeError(f"activation '{name}' params must be finite, got {list(values)}")
    if is_float(element):
        return
    if not (kind.integers and is_int(element)):
        raise ShapeError(f"activation '{name}' is not defined on {element} results")
    if any(v != int(v) for v in values):
        raise ShapeError(f"activation '{name}' on {element} results needs integral params, got {list(values)}")


def residual_of(op: Operation) -> SSAValue | None:
    """The `residual` operand of a conv or gemm, or None (also for ops without one)."""
    residual = getattr(op, "residual", None)
    return residual if isinstance(residual, SSAValue) else None


def optional_operands(op: Operation, names: Sequence[str], rest: Sequence[object]) -> list[object | None]:
    """The operand values (arrays, memrefs, ...) `rest` of an op's trailing optional
    operands `names`, in order, None for the absent ones: the interpreter and the
    lowerings get the present operands only, positionally."""
    values = iter(rest)
    return [next(values) if getattr(op, name, None) is not None else None for name in names]


def segments(*operands: object) -> dict[str, Attribute]:
    """The `operandSegmentSizes` property for operands given as single values or
    None (absent), so that a shape rule run before the op exists can tell its
    optional operands apart."""
    return {"operandSegmentSizes": DenseArrayBase.from_list(i32, [0 if o is None else 1 for o in operands])}


def split_operands(
    operand_types: Sequence[Attribute], properties: Mapping[str, Attribute], required: int, names: Sequence[str]
) -> dict[str, Attribute | None]:
    """The types of an op's trailing optional operands `names` (after `required`
    operands), by name, None where absent. From `operandSegmentSizes` when it is
    there; else they are taken in order (the first optional ones present)."""
    sizes = properties.get("operandSegmentSizes")
    rest = list(operand_types[required:])
    if isinstance(sizes, DenseArrayBase):
        present = [int(v) for v in sizes.get_values()][required:]
    else:
        present = [1 if i < len(rest) else 0 for i in range(len(names))]
    if len(present) != len(names) or sum(present) != len(rest):
        raise ShapeError(f"expected {required} operands and up to {len(names)} optional ones, got {len(operand_types)}")
    values = iter(rest)
    return {name: next(values) if p else None for name, p in zip(names, present, strict=True)}


# -- standalone ops <-> epilogues ---------------------------------------------------------


def _bound(attr: Attribute | None) -> float | None:
    if attr is None:
        return None
    assert isinstance(attr, FloatAttr | IntegerAttr)
    return float(attr.value.data)


def activation_of(op: Operation) -> Epilogue | None:
    """The epilogue equivalent to a standalone unary op, or None if it is not one.

    A clip needs both bounds finite, or else to be a relu (min 0, no max)."""
    match op:
        case ReluOp():
            return Epilogue("relu")
        case ClipOp():
            low, high = _bound(op.min), _bound(op.max)
            if low == 0.0 and high is None:
                return Epilogue("relu")
            if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
                return None
            return Epilogue("clip", (low, high))
        case LeakyReluOp():
            return Epilogue("leaky_relu", (op.param("alpha"),))
        case SigmoidOp():
            return Epilogue("sigmoid")
        case HardSigmoidOp():
            return Epilogue("hard_sigmoid", (op.param("alpha"), op.param("beta")))
        case HardSwishOp():
            return Epilogue("hard_swish")
        case SiluOp():
            return Epilogue("silu")
        case TanhOp():
            return Epilogue("tanh")
        case GeluOp():
            return Epilogue("gelu_tanh" if string_of(op.approximate, "none") == "tanh" else "gelu")
    return None


def activation_op(value: SSAValue, epilogue: Epilogue) -> InferOp:
    """The standalone op that applies `epilogue` to `value`."""
    p = epilogue.params
    match epilogue.activation:
        case "relu":
            return ReluOp(value)
        case "clip":
            low, high = p
            if is_int(element_of(value.type)):
                return ClipOp(value, int(low), int(high))
            return ClipOp(value, low, high)
        case "leaky_relu":
            return LeakyReluOp(value, alpha=p[0])
        case "sigmoid":
            return SigmoidOp(value)
        case "hard_sigmoid":
            return HardSigmoidOp(value, alpha=p[0], beta=p[1])
        case "hard_swish":
            return HardSwishOp(value)
        case "silu":
            return SiluOp(value)
        case "tanh":
            return TanhOp(value)
        case "gelu":
            return GeluOp(value)
        case "gelu_tanh":
            return GeluOp(value, approximate="tanh")
    raise ValueError(f"unknown activation '{epilogue.activation}'")


def emit_activation(builder: Builder, value: SSAValue, epilogue: Epilogue | None) -> SSAValue:
    """Inserts the standalone op applying `epilogue` to `value` and returns its
    result; `value` itself when there is no epilogue."""
    if epilogue is None:
        return value
    return builder.insert(activation_op(value, epilogue)).results[0]


def unfuse_activation(op: Operation) -> Operation | None:
    """Moves `op`'s epilogue out into a standalone op right after it, which takes
    over `op`'s uses; returns that op (None if `op` has no epilogue).

    A fused location `[..., producer, activation]` is split back: the activation
    gets the last name, `op` the others."""
    epilogue = epilogue_of(op)
    if epilogue is None:
        return None
    result = op.results[0]
    activation = activation_op(result, epilogue)
    location = op.location
    parts = _parts(location)
    if isinstance(location, FusedLoc) and len(parts) >= 2:
        *rest, last = parts
        activation.location = last
        op.location = rest[0] if len(rest) == 1 else FusedLoc(ArrayAttr(tuple(rest)), NoneAttr())
    else:
        activation.location = location
    assert op.parent is not None
    op.parent.insert_op_after(activation, op)
    result.replace_uses_with_if(activation.results[0], lambda use: use.operation is not activation)
    del op.properties["activation"]
    op.properties.pop("activation_params", None)
    return activation


# -- locations --------------------------------------------------------------------------


def _parts(location: LocationAttr) -> tuple[LocationAttr, ...]:
    """The locations a fused location is made of; any other location alone."""
    if isinstance(location, FusedLoc):
        inner = location.locations
        assert isinstance(inner, ArrayAttr)
        return tuple(inner.data)  # type: ignore[arg-type]
    return (location,)


def fused_location(ops: Sequence[Operation]) -> LocationAttr:
    """The location of an op that replaces `ops` (given in program order): a
    `FusedLoc` of their locations, nested fused locations flattened and unknown
    ones dropped; its value stands for the last one."""
    locations: list[LocationAttr] = []
    for op in ops:
        for part in _parts(op.location):
            if isinstance(part, UnknownLoc):
                continue
            if part in locations:
                locations.remove(part)
            locations.append(part)
    if not locations:
        return UnknownLoc()
    if len(locations) == 1:
        return locations[0]
    return FusedLoc(ArrayAttr(tuple(locations)), NoneAttr())


def _last_name(location: LocationAttr) -> str | None:
    names = [p.desc.data for p in _parts(location) if isinstance(p, NameLoc)]
    return names[-1] if names else None


def derived_location(location: LocationAttr, role: str) -> LocationAttr:
    """The location of an op a fusion makes to feed the fused op at `location` (new
    weights, a bias, a reshape): the name `<node>#<role>`, `<node>` the node the
    fused op stands for, over `location` itself. Its value stands for no framework
    node, so comparisons by node name (`--verify-each`) never take it for one, in
    this pass or after later passes move the fused op's name on."""
    name = _last_name(location)
    if name is None:
        return location
    return NameLoc(StringAttr(f"{name}#{role}"), location)
