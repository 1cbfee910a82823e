"""Names and symbolic dims of a model's inputs and outputs, kept on its entry function.

Every frontend records, on each argument and result of the entry function,
the framework's name for it (`infer.name`) and, when some dims are symbolic,
their symbols (`infer.dim_params`, "" for a dim that is static or unnamed):

    func.func @main_graph(%data: tensor<?x3x?x?xf32> {infer.name = "data",
                          infer.dim_params = ["N", "", "H", "W"]}) -> (tensor<?x256x?x?xf32> {infer.name = "features"})

Inputs and outputs are keyed by these names in every API and tool.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, StringAttr
from xdsl.ir import Attribute

NAME_ATTR = "infer.name"
DIM_PARAMS_ATTR = "infer.dim_params"

ENTRY_POINT = "main_graph"
"""Name of the function a model's main graph becomes."""


def io_attrs(name: str, dim_params: Sequence[str] = ()) -> DictionaryAttr:
    """The attribute dictionary of one input or output."""
    attrs: dict[str, Attribute] = {NAME_ATTR: StringAttr(name)}
    if any(dim_params):
        attrs[DIM_PARAMS_ATTR] = ArrayAttr([StringAttr(p) for p in dim_params])
    return DictionaryAttr(attrs)


def io_names(attrs: ArrayAttr | None, count: int, prefix: str) -> list[str]:
    """The names of `count` inputs or outputs (`{prefix}{i}` where none is recorded)."""
    names = [f"{prefix}{i}" for i in range(count)]
    if attrs is not None:
        for i, d in enumerate(attrs.data[:count]):
            if isinstance(d, DictionaryAttr) and isinstance(n := d.data.get(NAME_ATTR), StringAttr):
                names[i] = n.data
    return names


def dim_params(attrs: ArrayAttr | None, index: int) -> list[str]:
    """The dim symbols of input or output `index` ([] when it has none)."""
    if attrs is None or index >= len(attrs.data):
        return []
    d = attrs.data[index]
    if isinstance(d, DictionaryAttr) and isinstance(p := d.data.get(DIM_PARAMS_ATTR), ArrayAttr):
        return [s.data for s in p.data if isinstance(s, StringAttr)]
    return []
