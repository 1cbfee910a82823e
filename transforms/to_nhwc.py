"""`to-nhwc`: runs regions of layout-sensitive ops channels-last (or back to channels-first),
with transposes only where a region meets the rest of the graph.

The layout-sensitive ops are those with a `layout` property: `infer.conv`,
`infer.conv_transpose`, `infer.max_pool`, `infer.avg_pool`, `infer.lp_pool`,
`infer.lrn`, `infer.batch_norm` and `infer.instance_norm`. Each one of rank
>= 3 not yet in the target layout gets `layout = <target>`; only its data
operand and its result change layout. The weights of `infer.conv` stay
`[out, in / groups, kernel...]` (and those of `infer.conv_transpose`
`[in, out / groups, kernel...]`) in either layout; per-channel `[C]`
parameters stay as they are; every other property (pads, strides, groups, a
fused activation epilogue) is kept unchanged.

The pass is an analysis and a rewrite over each function, in program order. It
gives every value a *layout*: the permutation `perm` such that the value in the
rewritten IR is `transpose(original, perm)`. A converted op's result is
channels-last (`[0, 2, ..., rank - 1, 1]`; for `layout=nchw`, channels-first
`[0, rank - 1, 1, ..., rank - 2]`); ops that do not care about the layout take
their operand's layout and, where it matters, get their axes remapped:

- elementwise ops and activations (unary, binary, `select`, `clip`, `cast`,
  `prelu`): all operands in one layout, the one that needs the fewest
  transposes (ties go to the target layout); constant operands, such as a
  per-channel bias `[1, C, 1, 1]`, are transposed at compile time (a splat
  stays a splat; a constant whose non-unit dims keep their order keeps its
  bytes);
- `concat` and `gather_elements` likewise, with their axis remapped; `split`,
  `reduce_*` (with or without `keepdims`: a global pool written as a reduction
  stays in the region), `arg_max`/`arg_min`, `softmax`/`log_softmax`/`hardmax`,
  `gather` (on its data operand), `squeeze`, `unsqueeze`: axes remapped;
- `pad`, `slice`, `tile`, `resize`: their per-dim pads, starts/ends/steps,
  repeats, scales/sizes/roi permuted; `layer_norm` when its normalized dims
  stay trailing;
- `reshape` (static, or with a constant shape) and `flatten`, when each group
  of dims they merge or split is contiguous and in order in the layout (dims
  of size 1 never matter): the result takes the matching layout. Otherwise a
  transpose first brings the merged dims together (a channel shuffle costs one
  transpose, as it does in NCHW). A reshape whose dims cannot be matched (a
  run-time shape, dynamic dims) reads the value as it is when its layout only
  moves dims of size 1 (a classifier's `[N, C, 1, 1] -> [N, C]`), else it is
  a boundary;
- `shape_of` reads the dims where they now are (a `shape_of` of other dims, or
  of all of them followed by a `gather`), never through a transpose;
- `transpose` ops disappear into the layout of their result, so that a
  transpose followed by its inverse (say, one produced at a region boundary by
  an earlier run, or by the inverse conversion) cancels.

Every other op (`matmul`, `gemm`, `broadcast_to`, `dynamic_slice`, `hardmax`
over axes whose order changes, calls, the function's return) is a region
boundary: its operands are brought back to their original layout. That is
where the transposes are: one `infer.transpose` per value and layout needed,
made just before its first user (or, when it only moves dims of size 1 and at
most one dim is dynamic, a free `infer.reshape`). A transpose made for a
value carries the location of the value's producer, so that a value leaving a
region is comparable again under its node's name. Transposes work for any
size, so dynamic dims (batch, height, width) keep working; a `reshape` whose
dim groups cannot be matched with dynamic dims is a boundary.

Transposes are placed at the users, greedily in program order: a value
carried into several branches that each leave the region is transposed once
per branch. Functions whose ops have regions are left as they are.

`to-nhwc{layout=nchw}` is the inverse conversion: channels-last ops go back
to channels-first, and the transposes the forward conversion put at the
boundaries cancel against the ones it puts there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    UNKNOWN_LOC,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    IntegerAttr,
    LocationAttr,
    ModuleOp,
    StringAttr,
    TensorType,
    f64,
    i64,
)
from xdsl.ir import Attribute, Block, BlockArgument, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from infer.diagnostics import InferError
from infer.dialects.constants import bytes_to_dense, numpy_to_dense
from infer.dialects.infer.activation import ActivationOp, PReluOp
from infer.dialects.infer.base import (
    Dim,
    dims_of,
    element_of,
    i64_array,
    int_of,
    ints_of,
    string_of,
    tensor_type,
)
from infer.dialects.infer.constant import ConstantOp, constant_value
from infer.dialects.infer.elementwise import BinaryOp, CastOp, ClipOp, SelectOp, UnaryOp
from infer.dialects.infer.epilogue import residual_of
from infer.dialects.infer.nn import LAYOUTS, ConvOp, ConvTransposeOp, LrnOp, PoolOp
from infer.dialects.infer.normalization import BatchNormOp, InstanceNormOp, LayerNormOp
from infer.dialects.infer.reduction import AlongAxesOp, ArgReduceOp, HardmaxOp, ReduceOp
from infer.dialects.infer.tensor import (
    ConcatOp,
    FlattenOp,
    GatherElementsOp,
    GatherOp,
    PadOp,
    ReshapeOp,
    ResizeOp,
    ShapeOfOp,
    SliceOp,
    SplitOp,
    SqueezeOp,
    TileOp,
    TransposeOp,
    UnsqueezeOp,
)

Perm = tuple[int, ...]
"""A layout: the value held in the IR is `transpose(original value, perm)`, i.e. its
dim `i` is the original's dim `perm[i]`."""

# -- permutations -------------------------------------------------------------------------------


def identity(rank: int) -> Perm:
    return tuple(range(rank))


def inverse(perm: Sequence[int]) -> Perm:
    result = [0] * len(perm)
    for i, p in enumerate(perm):
        result[p] = i
    return tuple(result)


def target_perm(layout: str, rank: int) -> Perm:
    """The layout of a channels-first value converted to `layout` ("nhwc"), or of a
    channels-last value converted to "nchw"."""
    if layout == "nhwc":
        return (0, *range(2, rank), 1)
    return (0, rank - 1, *range(1, rank - 1))


def permuted(values: Sequence[Dim], perm: Sequence[int]) -> list[Dim]:
    return [values[p] for p in perm]


def permuted_type(t: Attribute, perm: Sequence[int]) -> Attribute:
    if not isinstance(t, TensorType) or list(perm) == list(range(len(perm))):
        return t
    return tensor_type(element_of(t), permuted(dims_of(t), perm))


def without_axes(perm: Perm, axes: Sequence[int]) -> Perm:
    """The layout left when the original dims `axes` are removed from a value in layout `perm`."""
    kept = [d for d in range(len(perm)) if d not in axes]
    return tuple(kept.index(d) for d in perm if d not in axes)


def rank_of(value: SSAValue) -> int:
    return len(value.type.get_shape()) if isinstance(value.type, TensorType) else 0


def keeps_data_order(dims: Sequence[Dim], perm: Sequence[int]) -> bool:
    """True if `transpose(x, perm)` moves only dims of size 1 (the same row-major data)."""
    moved = [p for p in perm if dims[p] != 1]
    return moved == sorted(moved)


def reshape_groups(src: Sequence[Dim], dst: Sequence[Dim]) -> list[tuple[list[int], list[int]]] | None:
    """Matches the dims of a reshape from `src` to `dst`: consecutive groups of
    source dims and destination dims of equal products (dims of size 1 left out),
    or None if they cannot be matched (zero sizes, or dynamic dims that do not
    correspond one to one)."""
    s = [i for i, d in enumerate(src) if d != 1]
    t = [j for j, d in enumerate(dst) if d != 1]
    groups: list[tuple[list[int], list[int]]] = []
    a = b = 0
    while a < len(s) and b < len(t):
        i, j = s[a], t[b]
        a, b = a + 1, b + 1
        p, q = src[i], dst[j]
        if p is None or q is None:
            if p is not None or q is not None:
                return None
            groups.append(([i], [j]))
            continue
        if p == 0 or q == 0:
            return None
        ins, outs = [i], [j]
        while p != q:
            if p < q:
                if a == len(s) or src[s[a]] is None:
                    return None
                p *= src[s[a]]  # type: ignore[operator]
                ins.append(s[a])
                a += 1
            else:
                if b == len(t) or dst[t[b]] is None:
                    return None
                q *= dst[t[b]]  # type: ignore[operator]
                outs.append(t[b])
                b += 1
        groups.append((ins, outs))
    return groups if a == len(s) and b == len(t) else None


# -- the rewrite ------------------------------------------------------------------------------------


@dataclass
class Laid:
    """An original value as it stands in the rewritten IR."""

    value: SSAValue
    perm: Perm
    location: LocationAttr
    """The location of the original value's producer (for the transposes made for it)."""


class LayoutRewriter:
    """Rewrites one block in program order, giving each value a layout."""

    def __init__(self, layout: str) -> None:
        self.layout = layout
        self.laid: dict[SSAValue, Laid] = {}
        self.relaid: dict[tuple[SSAValue, Perm], SSAValue] = {}
        self.replaced: list[Operation] = []
        self.current: Operation | None = None

    def run(self, block: Block) -> None:
        if any(op.regions for op in block.ops):
            return  # values used inside nested regions are out of this rewrite's sight
        for op in list(block.ops):
            self.current = op
            self.visit(op)
        dropped = {o for op in self.replaced for o in op.operands if isinstance(o.owner, ConstantOp)}
        for op in reversed(self.replaced):
            Rewriter.erase_op(op)
        for value in dropped:
            if not value.uses and isinstance(value.owner, ConstantOp) and value.owner.parent is not None:
                Rewriter.erase_op(value.owner)

    def visit(self, op: Operation) -> None:
        match op:
            case TransposeOp():
                self.absorb_transpose(op)
            case ConvOp() | ConvTransposeOp() | PoolOp() | LrnOp() | BatchNormOp() | InstanceNormOp():
                self.convert(op)
            case UnaryOp() | ActivationOp() | ClipOp() | CastOp():
                self.pointwise(op)
            case BinaryOp() | SelectOp() | PReluOp():
                self.elementwise(op)
            case ConcatOp():
                self.concat(op)
            case GatherElementsOp():
                self.gather_elements(op)
            case SplitOp():
                self.split(op)
            case ReduceOp():
                self.reduce(op)
            case ArgReduceOp():
                self.arg_reduce(op)
            case AlongAxesOp():
                self.along_axes(op)
            case PadOp():
                self.pad(op)
            case SliceOp():
                self.slice(op)
            case TileOp():
                self.tile(op)
            case ResizeOp():
                self.resize(op)
            case SqueezeOp():
                self.squeeze(op)
            case UnsqueezeOp():
                self.unsqueeze(op)
            case ReshapeOp():
                self.reshape(op)
            case FlattenOp():
                self.flatten(op)
            case GatherOp():
                self.gather(op)
            case LayerNormOp():
                self.layer_norm(op)
            case ShapeOfOp():
                self.shape_of(op)
            case _:
                self.boundary(op)

    # -- values ---------------------------------------------------------------------------------------

    def of(self, value: SSAValue) -> Laid:
        laid = self.laid.get(value)
        if laid is None:
            owner = value.owner
            location = value.location if isinstance(value, BlockArgument) else UNKNOWN_LOC
            if isinstance(owner, Operation):
                location = owner.location
            laid = Laid(value, identity(rank_of(value)), location)
        return laid

    def perm(self, value: SSAValue) -> Perm:
        return self.of(value).perm

    def is_free(self, value: SSAValue) -> bool:
        """True if the value can be laid out anew at compile time (a constant)."""
        return constant_value(self.of(value).value) is not None

    def cost(self, value: SSAValue, perm: Perm) -> float:
        """What it costs to have `value` in layout `perm`."""
        laid = self.of(value)
        if laid.perm == perm or self.is_free(value):
            return 0.0
        relative = tuple(inverse(laid.perm)[p] for p in perm)
        return 0.01 if keeps_data_order(dims_of(laid.value.type), relative) else 1.0

    def as_laid(self, value: SSAValue, perm: Perm) -> SSAValue:
        """The value in layout `perm`, made (once) just before the current op if needed."""
        laid = self.of(value)
        if laid.perm == perm:
            return laid.value
        key = (laid.value, perm)
        if key not in self.relaid:
            relative = tuple(inverse(laid.perm)[p] for p in perm)
            new = self.make_relaid(laid, relative)
            new.location = laid.location
            assert self.current is not None
            Rewriter.insert_op(new, InsertPoint.before(self.current))
            self.relaid[key] = new.results[0]
        return self.relaid[key]

    def make_relaid(self, laid: Laid, relative: Perm) -> Operation:
        source = laid.value
        dims = dims_of(source.type)
        new_type = permuted_type(source.type, relative)
        assert isinstance(new_type, TensorType)
        array = constant_value(source)
        owner = source.owner
        if array is not None and isinstance(owner, ConstantOp):
            value = owner.value
            assert isinstance(value, DenseIntOrFPElementsAttr)
            if owner.is_splat:
                return ConstantOp(value, new_type)
            if keeps_data_order(dims, relative):
                return ConstantOp(bytes_to_dense(value.data.data, new_type), new_type)
            return ConstantOp(numpy_to_dense(np.transpose(array, relative), new_type), new_type)
        if keeps_data_order(dims, relative) and sum(d is None for d in dims) <= 1:
            return ReshapeOp.to(source, permuted(dims, relative))
        return TransposeOp(source, relative)

    # -- results ----------------------------------------------------------------------------------

    def carry(
        self,
        op: Operation,
        perms: Sequence[Perm],
        result_perms: Sequence[Perm],
        properties: Mapping[str, Attribute] | None = None,
    ) -> None:
        """Rebuilds `op` on its operands in layouts `perms`, its results in layouts
        `result_perms`, with `properties` changed; keeps it if nothing changes."""
        operands = [self.as_laid(v, p) for v, p in zip(op.operands, perms, strict=True)]
        properties = dict(properties or {})
        unchanged = all(p == identity(len(p)) for p in (*perms, *result_perms)) and all(
            op.properties.get(k) == v for k, v in properties.items()
        )
        if unchanged:
            if list(op.operands) != operands:
                op.operands = operands
            return
        types = [permuted_type(r.type, p) for r, p in zip(op.results, result_perms, strict=True)]
        new = type(op).create(
            operands=operands,
            result_types=types,
            properties={**op.properties, **properties},
            attributes=dict(op.attributes),
            location=op.location,
        )
        Rewriter.insert_op(new, InsertPoint.before(op))
        for old, result, perm in zip(op.results, new.results, result_perms, strict=True):
            result.name_hint = old.name_hint
            self.laid[old] = Laid(result, perm, op.location)
        self.replaced.append(op)

    def boundary(self, op: Operation) -> None:
        """An op that needs its operands in their original layout."""
        self.carry(op, [identity(rank_of(v)) for v in op.operands], [identity(rank_of(r)) for r in op.results])

    def choose(self, values: Sequence[SSAValue]) -> Perm:
        """The layout for operands that must share one: the cheapest, ties to the target layout."""
        rank = rank_of(values[0])
        preferred = target_perm(self.layout, rank) if rank >= 3 else identity(rank)
        unique = [v for v in dict.fromkeys(values) if not self.is_free(v)]
        # Constants take any layout for free: only the others' layouts are candidates.
        candidates = [identity(rank), *(self.perm(v) for v in unique)]
        return min(
            dict.fromkeys(candidates),
            key=lambda p: (sum(self.cost(v, p) for v in unique), p != preferred, candidates.index(p)),
        )

    # -- handlers ---------------------------------------------------------------------------------------

    def absorb_transpose(self, op: TransposeOp) -> None:
        laid = self.of(op.input)
        back = inverse(ints_of(op.perm))
        self.laid[op.result] = Laid(laid.value, tuple(back[p] for p in laid.perm), op.location)
        self.replaced.append(op)

    def convert(self, op: Operation) -> None:
        x = op.operands[0]
        rank = rank_of(x)
        if rank < 3 or string_of(op.properties.get("layout"), "nchw") == self.layout:
            return self.boundary(op)
        perm = target_perm(self.layout, rank)
        # A conv's residual has the result's layout; weights and [C] parameters keep theirs.
        residual = residual_of(op)
        others = [perm if v is residual else identity(rank_of(v)) for v in op.operands[1:]]
        self.carry(op, [perm, *others], [perm], {"layout": StringAttr(self.layout)})

    def pointwise(self, op: Operation) -> None:
        perm = self.perm(op.operands[0])
        self.carry(op, [perm], [perm])

    def elementwise(self, op: Operation) -> None:
        perm = self.choose(op.operands)
        self.carry(op, [perm] * len(op.operands), [perm])

    def concat(self, op: ConcatOp) -> None:
        perm = self.choose(op.inputs)
        self.carry(op, [perm] * len(op.inputs), [perm], {"axis": _i64(perm.index(int_of(op.axis)))})

    def gather_elements(self, op: GatherElementsOp) -> None:
        perm = self.choose(op.operands)
        self.carry(op, [perm, perm], [perm], {"axis": _i64(perm.index(int_of(op.axis)))})

    def split(self, op: SplitOp) -> None:
        perm = self.perm(op.input)
        self.carry(op, [perm], [perm] * len(op.results), {"axis": _i64(perm.index(int_of(op.axis)))})

    def reduce(self, op: ReduceOp) -> None:
        perm, axes = self.perm(op.input), op.axes_list
        result = perm if op.keepdims is not None else without_axes(perm, axes)
        self.carry(op, [perm], [result], {"axes": i64_array(sorted(perm.index(a) for a in axes))})

    def arg_reduce(self, op: ArgReduceOp) -> None:
        perm, axis = self.perm(op.input), int_of(op.axis)
        result = perm if op.keepdims is not None else without_axes(perm, [axis])
        self.carry(op, [perm], [result], {"axis": _i64(perm.index(axis))})

    def along_axes(self, op: AlongAxesOp) -> None:
        perm = self.perm(op.input)
        axes = [perm.index(a) for a in op.axes_list]
        if isinstance(op, HardmaxOp) and axes != sorted(axes):
            # The first maximum in row-major order over several axes depends on their order.
            return self.boundary(op)
        self.carry(op, [perm], [perm], {"axes": i64_array(sorted(axes))})

    def pad(self, op: PadOp) -> None:
        perm = self.perm(op.input)
        pads, rank = ints_of(op.pads), len(perm)
        begins, ends = pads[:rank], pads[rank:]
        self.carry(op, [perm], [perm], {"pads": i64_array([begins[p] for p in perm] + [ends[p] for p in perm])})

    def slice(self, op: SliceOp) -> None:
        perm = self.perm(op.input)
        props = {k: i64_array([ints_of(op.properties[k])[p] for p in perm]) for k in ("starts", "ends", "steps")}
        self.carry(op, [perm], [perm], props)

    def tile(self, op: TileOp) -> None:
        perm = self.perm(op.input)
        self.carry(op, [perm], [perm], {"repeats": i64_array([ints_of(op.repeats)[p] for p in perm])})

    def resize(self, op: ResizeOp) -> None:
        perm = self.perm(op.input)
        rank = len(perm)
        props: dict[str, Attribute] = {}
        if op.sizes is not None:
            props["sizes"] = i64_array([ints_of(op.sizes)[p] for p in perm])
        if op.scales is not None:
            scales = [float(s) for s in op.scales.get_values()]
            props["scales"] = DenseArrayBase.from_list(f64, [scales[p] for p in perm])
        if op.roi is not None:
            roi = [float(r) for r in op.roi.get_values()]
            props["roi"] = DenseArrayBase.from_list(f64, [roi[p] for p in perm] + [roi[rank + p] for p in perm])
        self.carry(op, [perm], [perm], props)

    def squeeze(self, op: SqueezeOp) -> None:
        perm, axes = self.perm(op.input), list(ints_of(op.axes))
        self.carry(op, [perm], [without_axes(perm, axes)], {"axes": i64_array(sorted(perm.index(a) for a in axes))})

    def unsqueeze(self, op: UnsqueezeOp) -> None:
        # The new dims of size 1 keep their positions; the others follow the input's layout.
        perm, axes = self.perm(op.input), set(ints_of(op.axes))
        rank = len(perm) + len(axes)
        placed = [i for i in range(rank) if i not in axes]  # original result dim of each input dim
        rest = iter(placed[p] for p in perm)
        result = tuple(i if i in axes else next(rest) for i in range(rank))
        self.carry(op, [perm], [result])

    def reshape(self, op: ReshapeOp) -> None:
        declared = dims_of(op.result.type)
        dst: list[Dim] = list(declared)
        if op.shape is not None:
            shape = constant_value(op.shape)
            if shape is None:
                return self.reshape_in_order(op)
            dst = [d if int(v) == -1 else int(v) for v, d in zip(shape.reshape(-1), declared, strict=True)]
        src = dims_of(op.input.type)
        groups = reshape_groups(src, dst) if sum(d is None for d in dst) <= 1 else None
        if groups is None:
            return self.reshape_in_order(op)
        perm = self.perm(op.input)
        group_of = {d: g for g, (ins, _) in enumerate(groups) for d in ins}
        order = list(dict.fromkeys(group_of[d] for d in perm if src[d] != 1))
        # Each group of merged dims must be contiguous and in order: if not, regroup them.
        ins = iter(d for g in order for d in groups[g][0])
        perm = tuple(next(ins) if src[d] != 1 else d for d in perm)
        result = [j for g in order for j in groups[g][1]]
        for j in (j for j, d in enumerate(dst) if d == 1):
            result.insert(result.index(j - 1) + 1 if j else 0, j)
        result_perm = tuple(result)
        if perm == identity(len(perm)) and result_perm == identity(len(result_perm)):
            return self.boundary(op)
        source = self.as_laid(op.input, perm)
        dims = permuted(dst, result_perm)
        if list(dims_of(source.type)) == dims:
            # Nothing left to reshape (the groups match dynamic dims one to one).
            self.laid[op.result] = Laid(source, result_perm, op.location)
            self.replaced.append(op)
            return
        self.replace(op, ReshapeOp.to(source, dims), [result_perm])

    def reshape_in_order(self, op: ReshapeOp) -> None:
        """A reshape whose dims cannot be matched: it reads the value as it is if its
        layout only moves dims of size 1 (the row-major order is the same)."""
        laid = self.of(op.input)
        if laid.perm == identity(len(laid.perm)) or not keeps_data_order(dims_of(laid.value.type), inverse(laid.perm)):
            return self.boundary(op)
        self.replace(op, ReshapeOp(laid.value, op.shape, op.result.type), [identity(rank_of(op.result))])

    def flatten(self, op: FlattenOp) -> None:
        perm, axis = self.perm(op.input), int_of(op.axis)
        src = dims_of(op.input.type)
        moved = iter(sorted(d for d in perm if src[d] != 1))
        perm = tuple(next(moved) if src[d] != 1 else d for d in perm)
        # Split the (now ordered) layout before the first dim of the trailing group.
        positions = [i for i, d in enumerate(perm) if src[d] != 1]
        trailing = [i for i in positions if perm[i] >= axis]
        leading = [i for i in positions if perm[i] < axis]
        new_axis = trailing[0] if trailing else leading[-1] + 1 if leading else axis
        if perm == identity(len(perm)):
            new_axis = axis
        self.carry(op, [perm], [identity(2)], {"axis": _i64(new_axis)})

    def gather(self, op: GatherOp) -> None:
        perm, axis = self.perm(op.data), int_of(op.axis)
        count = rank_of(op.indices)
        at = perm.index(axis)

        def placed(d: int) -> int:
            return d if d < axis else d + count - 1

        result = (*(placed(d) for d in perm[:at]), *range(axis, axis + count), *(placed(d) for d in perm[at + 1 :]))
        self.carry(op, [perm, identity(count)], [result], {"axis": _i64(at)})

    def layer_norm(self, op: LayerNormOp) -> None:
        perm, axis = self.perm(op.input), int_of(op.axis)
        if set(perm[axis:]) != set(range(axis, len(perm))):
            return self.boundary(op)
        self.carry(op, [perm] * len(op.operands), [perm])

    def shape_of(self, op: ShapeOfOp) -> None:
        """The dims of a value in another layout: read where they are, never transposed."""
        laid = self.of(op.input)
        start, end = int_of(op.start), int_of(op.end)
        positions = [laid.perm.index(d) for d in range(start, end)]
        if not positions or laid.perm == identity(len(laid.perm)):
            return self.boundary(op)
        first = positions[0]
        if positions == list(range(first, first + len(positions))):
            return self.replace(op, ShapeOfOp(laid.value, first, first + len(positions)), [(0,)])
        shape = ShapeOfOp(laid.value)
        shape.location = op.location
        Rewriter.insert_op(shape, InsertPoint.before(op))
        indices = ConstantOp(np.asarray(positions, np.int64))
        indices.location = op.location
        Rewriter.insert_op(indices, InsertPoint.before(op))
        self.replace(op, GatherOp(shape.result, indices.result, 0), [(0,)])

    def replace(self, op: Operation, new: Operation, result_perms: Sequence[Perm]) -> None:
        """Puts `new` (built on values already laid out) in place of `op`."""
        new.location = op.location
        new.attributes.update(op.attributes)
        Rewriter.insert_op(new, InsertPoint.before(op))
        for old, result, perm in zip(op.results, new.results, result_perms, strict=True):
            result.name_hint = old.name_hint
            self.laid[old] = Laid(result, perm, op.location)
        self.replaced.append(op)


def _i64(value: int) -> IntegerAttr:
    return IntegerAttr(value, i64)


@dataclass(frozen=True)
class ToNhwcPass(ModulePass):
    """Converts regions of layout-sensitive ops (conv, pools, lrn, batch and instance
    norm) to channels-last, with transposes only at the regions' boundaries.

    Ops that do not depend on the layout between them (elementwise ops,
    activations, concat, reductions, softmax, pad, slice, ...) are carried
    along with their axes remapped; constants feeding a region are transposed
    at compile time; transposes that meet their inverse cancel. See the module
    docstring for the rules.
    """

    name = "to-nhwc"

    layout: str = "nhwc"
    """The layout to convert to: "nhwc" (channels last), or "nchw" to convert
    channels-last regions back to channels first."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.layout not in LAYOUTS:
            raise InferError(f"to-nhwc: unknown layout '{self.layout}'", hint=f"choose one of {', '.join(LAYOUTS)}")
        for function in [f for f in op.walk() if isinstance(f, func.FuncOp)]:
            if function.body.blocks:
                LayoutRewriter(self.layout).run(function.body.block)
