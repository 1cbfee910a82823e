"""Diagnostics: every failure a user can cause is one line that says where and what to do.

    model.onnx: node 'conv1' (Conv, opset 13): attribute 'auto_pad' = 'FOO' is not supported;
        supported: NOTSET, SAME_UPPER, SAME_LOWER, VALID

(one line in reality; wrapped here).

`InferError` carries the parts (file, node, op, opset, message, hint) so that
callers can add what they know as the error travels outwards: the importer
knows the node, the CLI knows the file. The command-line tools print
`str(error)` and exit with code 1; they never show a traceback for one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from xdsl.dialects.builtin import ArrayAttr, FileLineColLoc, FusedLoc, NameLoc
from xdsl.ir import Attribute, Operation
from xdsl.utils.exceptions import DiagnosticException


@dataclass
class InferError(DiagnosticException):
    """An error in the user's input (model, IR, inputs) or an unsupported feature."""

    message: str
    file: str | None = None
    node: str | None = None
    op: str | None = None
    opset: int | None = None
    hint: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        where: list[str] = []
        if self.file:
            where.append(self.file)
        subject = ""
        if self.node:
            subject = f"node '{self.node}'"
        if self.op:
            detail = self.op if self.opset is None else f"{self.op}, opset {self.opset}"
            subject = f"{subject} ({detail})" if subject else detail
        if subject:
            where.append(subject)
        text = self.message if not self.hint else f"{self.message}; {self.hint}"
        return ": ".join([*where, text])

    def with_context(self, **context: Any) -> InferError:
        """A copy with the given fields filled in where they are still empty."""
        updates: dict[str, Any] = {k: v for k, v in context.items() if v is not None and getattr(self, k) is None}
        return replace(self, **updates) if updates else self


class UnsupportedError(InferError):
    """A valid input that `infer` cannot handle yet (an op, attribute or type)."""


@dataclass
class NotConstantError(UnsupportedError):
    """An operand that `infer` needs at compile time (axes, pads, sizes, ...) is
    computed at run time; `graph_inputs` names the graph inputs it depends on
    (`infer.backend` specializes the model on their values)."""

    graph_inputs: tuple[str, ...] = ()


def node_name(op: Operation) -> str | None:
    """The framework node name an op came from (kept as its location)."""
    return location_name(op.location)


def location_name(loc: Attribute) -> str | None:
    if isinstance(loc, NameLoc):
        return loc.desc.data
    if isinstance(loc, FileLineColLoc):
        return f"{loc.filename.data}:{loc.line.data}:{loc.column.data}"
    if isinstance(loc, FusedLoc):
        assert isinstance(loc.locations, ArrayAttr)
        names = [n for n in (location_name(x) for x in loc.locations.data) if n]
        return "+".join(names) if names else None
    return None
