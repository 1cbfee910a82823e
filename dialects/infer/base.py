"""What every `infer` op shares: shapes with dynamic dims, the one shape rule, verification.

Each op states its shape rule once, as the class method `shape_rule(operand
types, properties) -> result types`. The constructor uses it to type the op's
results, the verifier checks declared result types against it, and shape
propagation and the lowerings call it too. A rule returns a dynamic dim (`?`)
where the result depends on values it cannot see (a shape operand, a dynamic
input dim); a declared type may then be more precise than the rule (the
converter knew the constant shape), never contradict it.

Broadcasting is explicit in `infer`: the operands of an elementwise op have
the same rank (the lowering from a framework inserts `infer.unsqueeze` to
equalize ranks), and a dim of size 1 stretches to the other operand's dim.
Two dynamic dims must be equal at run time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from xdsl.builder import Builder
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    AnyFloat,
    DenseArrayBase,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
    TensorType,
    i64,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import IRDLOperation, ParsePropInAttrDict
from xdsl.utils.exceptions import VerifyException

Dim = int | None
"""A dimension: its size, or None when it is only known at run time."""

Shape = tuple[Dim, ...]


class ShapeError(VerifyException):
    """Operands whose shapes or types an op's shape rule rejects."""


# -- shapes ------------------------------------------------------------------------


def dims_of(t: Attribute) -> Shape:
    """The dims of a ranked tensor type, None for each dynamic one."""
    if not isinstance(t, TensorType):
        raise ShapeError(f"expected a ranked tensor, got {t}")
    return tuple(None if d == DYNAMIC_INDEX else d for d in t.get_shape())


def element_of(t: Attribute) -> Attribute:
    if not isinstance(t, TensorType):
        raise ShapeError(f"expected a ranked tensor, got {t}")
    return t.element_type


def tensor_type(element: Attribute, dims: Sequence[Dim]) -> TensorType:
    """A ranked tensor type; None dims become dynamic (`?`)."""
    return TensorType(element, [DYNAMIC_INDEX if d is None else d for d in dims])


def is_float(element: Attribute) -> bool:
    return isinstance(element, AnyFloat)


def is_int(element: Attribute) -> bool:
    return isinstance(element, IntegerType)


def broadcast_dim(a: Dim, b: Dim, what: str = "operands") -> Dim:
    """One dim of the rank-equal broadcast rule: 1 stretches; others must agree."""
    if a == 1:
        return b
    if b == 1:
        return a
    if a is None:
        return b
    if b is None or a == b:
        return a
    raise ShapeError(f"{what} have incompatible dims {a} and {b}")


def broadcast_shapes(shapes: Sequence[Shape], what: str = "operands") -> Shape:
    """Rank-equal broadcast of several shapes."""
    rank = len(shapes[0])
    if any(len(s) != rank for s in shapes):
        raise ShapeError(f"{what} must have the same rank (insert infer.unsqueeze), got {[len(s) for s in shapes]}")
    result = list(shapes[0])
    for shape in shapes[1:]:
        result = [broadcast_dim(a, b, what) for a, b in zip(result, shape, strict=True)]
    return tuple(result)


def compatible(declared: Attribute, inferred: Attribute) -> bool:
    """True if a declared type refines (or equals) what the shape rule says."""
    if declared == inferred:
        return True
    if not isinstance(declared, TensorType) or not isinstance(inferred, TensorType):
        return False
    if declared.element_type != inferred.element_type:
        return False
    d, i = dims_of(declared), dims_of(inferred)
    return len(d) == len(i) and all(b is None or a == b for a, b in zip(d, i, strict=True))


def normalize_axis(axis: int, rank: int, what: str = "axis") -> int:
    if not -rank <= axis < max(rank, 1):
        raise ShapeError(f"{what} {axis} is out of range for rank {rank}")
    return axis % rank if rank else 0


# -- attributes -----------------------------------------------------------------------


def i64_array(values: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, list(values))


def ints_of(attr: Attribute | None) -> tuple[int, ...]:
    if attr is None:
        return ()
    assert isinstance(attr, DenseArrayBase)
    return tuple(int(v) for v in attr.get_values())


def int_of(attr: Attribute | None, default: int = 0) -> int:
    if attr is None:
        return default
    assert isinstance(attr, IntegerAttr)
    return attr.value.data


def float_of(attr: Attribute | None, default: float = 0.0) -> float:
    if attr is None:
        return default
    assert isinstance(attr, FloatAttr)
    return attr.value.data


def string_of(attr: Attribute | None, default: str = "") -> str:
    if attr is None:
        return default
    assert isinstance(attr, StringAttr)
    return attr.data


# -- ops --------------------------------------------------------------------------------


class InferOp(IRDLOperation):
    """Base of every `infer` op: results typed by the op's one shape rule."""

    irdl_options = (ParsePropInAttrDict(),)

    def _build(
        self,
        operands: Sequence[SSAValue | Sequence[SSAValue] | None],
        properties: Mapping[str, Attribute | None] | None = None,
        result_types: Sequence[Attribute] | None = None,
    ) -> None:
        """Initializes the op; result types come from the shape rule unless given.
        `None` operands are absent optional operands, `None` properties take
        their defaults."""
        props = {k: v for k, v in (properties or {}).items() if v is not None}
        grouped: list[SSAValue | Sequence[SSAValue]] = [[] if o is None else o for o in operands]
        if result_types is None:
            flat = [t for o in grouped for t in ([o.type] if isinstance(o, SSAValue) else [v.type for v in o])]
            result_types = self.shape_rule(flat, props)
        IRDLOperation.__init__(self, operands=grouped, properties=props, result_types=list(result_types))

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        """Result types from operand types and properties; raises ShapeError."""
        raise NotImplementedError(f"{cls.__name__} has no shape rule")

    def inferred_result_types(self) -> list[Attribute]:
        return self.shape_rule([v.type for v in self.operands], self.properties)

    def verify_(self) -> None:
        try:
            inferred = self.inferred_result_types()
        except ShapeError as e:
            message = str(e)
            raise VerifyException(message if message.startswith(self.name) else f"{self.name}: {message}") from None
        declared = [r.type for r in self.results]
        if len(inferred) != len(declared):
            raise VerifyException(f"{self.name} has {len(declared)} results, its shape rule gives {len(inferred)}")
        for i, (d, r) in enumerate(zip(declared, inferred, strict=True)):
            if not compatible(d, r):
                raise VerifyException(f"{self.name} result #{i} has type {d}, but its shape rule gives {r}")


class CompositeOp(InferOp):
    """An op kept whole for the optimizer and the kernels that can also be
    written with core ops: `decompose` builds that equivalent and returns the
    values that replace the op's results."""

    def decompose(self, builder: Builder) -> list[SSAValue]:
        raise NotImplementedError(f"{self.name} has no decomposition")
