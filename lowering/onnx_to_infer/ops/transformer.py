"""The transformer family: Einsum, RMS/group/Lp/mean-variance normalization,
rotary embeddings and attention.

Einsum becomes core ops only (transpose, reshape, matmul, mul, reduce_sum):
repeated indices within one operand take a diagonal, indices of one operand
that nothing else needs are summed first, then operands are contracted
pairwise, left to right, each pair as one batched matmul (or a broadcast
multiply when nothing is contracted), and the last term is transposed to the
output order.

RMSNormalization and GroupNormalization become the composites `infer.rms_norm`
and `infer.group_norm` (GroupNormalization-18's per-group scale and bias are
repeated per channel); LpNormalization and MeanVarianceNormalization become
core ops.

RotaryEmbedding becomes `infer.rotary_embedding` on `[batch, heads, seq, head]`
(4-D inputs as they are, 3-D `[batch, seq, hidden]` inputs reshaped to
`[batch, seq, heads, head]` and back), its cos and sin gathered at the
position ids when given and unsqueezed to broadcast over the heads.

Attention becomes `infer.attention` on `[batch, heads, seq, head]` tensors (3-D
inputs are split into heads and transposed, and the output back); the cache
(`past_key`, `past_value`) is concatenated before it (the `present_*` outputs),
boolean masks become additive 0/-inf masks, masks shorter than the keys are
padded with -inf, and `is_causal` is top-left aligned without a cache and
bottom-right aligned (after the cached keys) with one. `nonpad_kv_seqlen` (24)
and the sliding window (25) become one more additive mask built from position
ranges, the causal frontier then placed per batch. When `qk_matmul_output`
is used, the same computation is emitted as core ops directly, returning that
intermediate result too.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.dialects.builtin import BFloat16Type, Float16Type, Float32Type, Float64Type, i1
from xdsl.ir import Attribute, SSAValue

from infer.dialects.infer import constant_value
from infer.dialects.infer.base import Dim, is_float, is_int
from infer.dialects.infer.elementwise import (
    AbsOp,
    AddOp,
    AndOp,
    CastOp,
    DivOp,
    EqualOp,
    LessEqualOp,
    LessOp,
    MulOp,
    SelectOp,
    SqrtOp,
    SubOp,
)
from infer.dialects.infer.matmul import MatmulOp
from infer.dialects.infer.reduction import ReduceMeanOp, ReduceProdOp, ReduceSumOp
from infer.dialects.infer.tensor import (
    ConcatOp,
    GatherOp,
    PadOp,
    RangeOp,
    ReshapeOp,
    ShapeOfOp,
    TransposeOp,
    UnsqueezeOp,
)
from infer.dialects.infer.transformer import (
    QK_CAPTURES,
    AttentionOp,
    GroupNormOp,
    RmsNormOp,
    RotaryEmbeddingOp,
    attention_ops,
    causal_bias,
)
from infer.lowering.onnx_to_infer.core import Conversion, converter
from infer.lowering.onnx_to_infer.ops.reduction import normalize_axes, normalize_axis, onnx_float, shape_checked
from infer.lowering.onnx_to_infer.ops.tensor import fold1, i64_constant, shape_value

# -- Einsum ------------------------------------------------------------------------------------


@dataclass
class _Term:
    """A value and the index (a letter, or a digit string for an ellipsis dim) of each of its dims."""

    value: SSAValue
    indices: list[str]


def _parse_operand(c: Conversion, text: str, rank: int) -> tuple[list[str], int]:
    """The letters of one operand, with "..." as the marker "*"; returns them and the
    number of dims the ellipsis stands for."""
    if text.count("...") > 1:
        c.error(f"equation term '{text}' has more than one ellipsis")
    letters = text.replace("...", "*")
    if any(ch not in string.ascii_letters and ch != "*" for ch in letters):
        c.error(f"equation term '{text}' may hold only letters and one '...'")
    explicit = len(letters) - letters.count("*")
    if "*" in letters:
        if explicit > rank:
            c.error(f"equation term '{text}' names {explicit} dims, the operand has rank {rank}")
        return list(letters), rank - explicit
    if explicit != rank:
        c.error(f"equation term '{text}' names {explicit} dims, the operand has rank {rank}")
    return list(letters), 0


def _expand(letters: Sequence[str], ellipsis_dims: int, total: int) -> list[str]:
    """Letters with the ellipsis replaced by the last `ellipsis_dims` of `total` ellipsis
    indices (named "0", "1", ...: ellipsis dims broadcast right-aligned)."""
    result: list[str] = []
    for ch in letters:
        if ch == "*":
            result.extend(str(total - ellipsis_dims + k) for k in range(ellipsis_dims))
        else:
            result.append(ch)
    return result


def _transpose(c: Conversion, term: _Term, order: Sequence[str]) -> _Term:
    perm = [term.indices.index(i) for i in order]
    if perm == list(range(len(perm))):
        return _Term(term.value, list(order))
    return _Term(fold1(c, TransposeOp(term.value, perm)), list(order))


def _sum(c: Conversion, term: _Term, drop: set[str]) -> _Term:
    axes = [k for k, i in enumerate(term.indices) if i in drop]
    if not axes:
        return term
    return _Term(fold1(c, ReduceSumOp(term.value, axes)), [i for i in term.indices if i not in drop])


def _diagonals(c: Conversion, term: _Term) -> _Term:
    """Takes the diagonal for each index repeated within the term (`ii` -> `i`): a
    multiply by an identity mask, then a sum over the second occurrence."""
    while True:
        repeated = next((i for i in term.indices if term.indices.count(i) > 1), None)
        if repeated is None:
            return term
        first = term.indices.index(repeated)
        second = term.indices.index(repeated, first + 1)
        dims = c.shape(term.value)
        sizes = {d for d in (dims[first], dims[second]) if d is not None}
        if len(sizes) != 1:
            what = "dims of different sizes" if len(sizes) > 1 else "dynamic dims"
            c.error(
                f"the diagonal over index '{repeated}' needs static dims of one size, got {what}",
                hint="give the operand static dims there",
            )
        (n,) = sizes
        mask_shape = [1] * len(dims)
        mask_shape[first] = mask_shape[second] = n
        mask = c.constant(np.eye(n).reshape(mask_shape), like=term.value)
        masked = c.emit(MulOp(term.value, mask))
        indices = [i for k, i in enumerate(term.indices) if k != second]
        term = _Term(fold1(c, ReduceSumOp(masked, [second])), indices)


def _product(dims: Sequence[Dim]) -> Dim:
    result = 1
    for d in dims:
        if d is None:
            return None
        result *= d
    return result


def _group_shape(c: Conversion, x: SSAValue, groups: Sequence[tuple[int, int]]) -> SSAValue:
    """A 1-D i64 shape, at run time: the product of `x`'s dims [start, end) per group."""
    pieces = []
    for start, end in groups:
        if start == end:
            pieces.append(i64_constant(c, [1]))
            continue
        dims = fold1(c, ShapeOfOp(x, start, end))
        pieces.append(dims if end - start == 1 else fold1(c, ReduceProdOp(dims, [0], keepdims=True)))
    return pieces[0] if len(pieces) == 1 else fold1(c, ConcatOp(pieces, 0))


def _regroup(c: Conversion, x: SSAValue, groups: Sequence[tuple[int, int]]) -> SSAValue:
    """`x` reshaped so that each group of consecutive dims [start, end) becomes one dim
    (of size 1 when empty)."""
    dims = c.shape(x)
    if all(end - start == 1 for start, end in groups):
        return x
    result = [_product(dims[start:end]) for start, end in groups]
    if result.count(None) <= 1:
        return fold1(c, ReshapeOp.to(x, result))
    return fold1(c, ReshapeOp(x, _group_shape(c, x, groups), c.tensor(c.element(x), result)))


def _contract(c: Conversion, a: _Term, b: _Term, keep: set[str]) -> _Term:
    """The product of two terms, summed over the common indices not in `keep`."""
    common = set(a.indices) & set(b.indices)
    batch = [i for i in a.indices if i in common and i in keep]
    contracted = [i for i in a.indices if i in common and i not in keep]
    left = [i for i in a.indices if i not in common]
    right = [i for i in b.indices if i not in common]
    # A contracted index of size 1 on one side only (ellipsis broadcasting): the other side sums first.
    for i in contracted:
        da, db = c.shape(a.value)[a.indices.index(i)], c.shape(b.value)[b.indices.index(i)]
        if da == 1 and db != 1:
            b = _Term(fold1(c, ReduceSumOp(b.value, [b.indices.index(i)], keepdims=True)), b.indices)
        elif db == 1 and da != 1:
            a = _Term(fold1(c, ReduceSumOp(a.value, [a.indices.index(i)], keepdims=True)), a.indices)
    nb, nl, nk, nr = len(batch), len(left), len(contracted), len(right)
    if not contracted:
        # A broadcast multiply: [batch, left, 1...] * [batch, 1..., right].
        ta, tb = _transpose(c, a, batch + left), _transpose(c, b, batch + right)
        va = fold1(c, UnsqueezeOp(ta.value, list(range(nb + nl, nb + nl + nr)))) if nr else ta.value
        vb = fold1(c, UnsqueezeOp(tb.value, list(range(nb, nb + nl)))) if nl else tb.value
        return _Term(c.emit(MulOp(va, vb)), batch + left + right)
    ta = _transpose(c, a, batch + left + contracted)
    tb = _transpose(c, b, batch + contracted + right)
    singles = [(k, k + 1) for k in range(nb)]
    lhs = _regroup(c, ta.value, [*singles, (nb, nb + nl), (nb + nl, nb + nl + nk)])
    rhs = _regroup(c, tb.value, [*singles, (nb, nb + nk), (nb + nk, nb + nk + nr)])
    product = c.emit(MatmulOp(lhs, rhs))
    if nl == 1 and nr == 1:
        return _Term(product, batch + left + right)
    dims_a, dims_b = c.shape(ta.value), c.shape(tb.value)
    result = [*c.shape(product)[:nb], *dims_a[nb : nb + nl], *dims_b[nb + nk :]]
    if result.count(None) <= 1:
        value = fold1(c, ReshapeOp.to(product, result))
    else:
        pieces = [fold1(c, ShapeOfOp(product, 0, nb))] if nb else []
        if nl:
            pieces.append(fold1(c, ShapeOfOp(ta.value, nb, nb + nl)))
        if nr:
            pieces.append(fold1(c, ShapeOfOp(tb.value, nb + nk, nb + nk + nr)))
        shape = pieces[0] if len(pieces) == 1 else fold1(c, ConcatOp(pieces, 0))
        value = fold1(c, ReshapeOp(product, shape, c.tensor(c.element(product), result)))
    return _Term(value, batch + left + right)


@converter("Einsum", since=12)
@shape_checked
def einsum(c: Conversion) -> SSAValue:
    operands = c.inputs()
    element = c.element(operands[0])
    if not (is_float(element) or is_int(element)):
        c.error(f"operands must be numeric, got {element}")
    equation = "".join(str(c.attr("equation")).split())
    lhs, arrow, rhs = equation.partition("->")
    texts = lhs.split(",")
    if len(texts) != len(operands):
        c.error(f"equation '{equation}' has {len(texts)} operand terms for {len(operands)} inputs")
    parsed = [_parse_operand(c, t, c.rank(v)) for t, v in zip(texts, operands, strict=True)]
    total = max((e for _, e in parsed), default=0)
    terms = [_Term(v, _expand(letters, e, total)) for v, (letters, e) in zip(operands, parsed, strict=True)]
    ellipsis = [str(k) for k in range(total)]
    if arrow:
        if rhs.count("...") > 1 or any(ch not in string.ascii_letters for ch in rhs.replace("...", "")):
            c.error(f"output term '{rhs}' may hold only letters and one '...'")
        output = _expand(list(rhs.replace("...", "*")), total, total)
        seen = {i for t in terms for i in t.indices}
        for i in output:
            if i not in seen:
                c.error(f"output index '{i}' of equation '{equation}' appears in no operand")
        if len(set(output)) != len(output):
            c.error(f"output of equation '{equation}' repeats an index")
    else:
        counts: dict[str, int] = {}
        for t in terms:
            for i in t.indices:
                if not i.isdigit():
                    counts[i] = counts.get(i, 0) + 1
        output = ellipsis + sorted(i for i, n in counts.items() if n == 1)
    terms = [_diagonals(c, t) for t in terms]
    wanted = set(output)
    for k, t in enumerate(terms):
        elsewhere = wanted.union(*(set(u.indices) for j, u in enumerate(terms) if j != k))
        terms[k] = _sum(c, t, set(t.indices) - elsewhere)
    acc = terms[0]
    for k in range(1, len(terms)):
        keep = wanted.union(*(set(u.indices) for u in terms[k + 1 :]))
        acc = _contract(c, acc, terms[k], keep)
        acc = _sum(c, acc, set(acc.indices) - keep)
    return _transpose(c, acc, output).value


# -- normalizations ------------------------------------------------------------------------------


def _stash_type(c: Conversion) -> None:
    if c.attr("stash_type", 1) != 1:
        c.unsupported_attr("stash_type", c.attr("stash_type"), "1 (statistics in float32)")


def _float_input(c: Conversion, x: SSAValue) -> None:
    if not is_float(c.element(x)):
        c.error(f"input must be floating-point, got {c.element(x)}")


@converter("RMSNormalization", since=23)
@shape_checked
def rms_normalization(c: Conversion) -> SSAValue:
    x = c.input(0)
    _float_input(c, x)
    _stash_type(c)
    rank = c.rank(x)
    if rank == 0:
        c.error("input must have rank >= 1")
    axis = normalize_axis(c, c.attr("axis", -1), rank)
    scale = c.input(1)
    return c.emit(RmsNormOp(x, c.to_rank(scale, rank), axis=axis, epsilon=onnx_float(c.attr("epsilon", 1e-5))))


def _per_channel(c: Conversion, p: SSAValue, groups: int, channels: int) -> SSAValue:
    """GroupNormalization-18's `[num_groups]` parameter repeated to `[C]`."""
    array = constant_value(p)
    if array is not None:
        return c.constant(np.repeat(array, channels // groups))
    index = c.constant(np.repeat(np.arange(groups, dtype=np.int64), channels // groups))
    return c.emit(GatherOp(p, index, 0))


@converter("GroupNormalization", since=18)
@shape_checked
def group_normalization(c: Conversion) -> SSAValue:
    x = c.input(0)
    _float_input(c, x)
    _stash_type(c)
    dims = c.shape(x)
    if len(dims) < 2:
        c.error(f"input must have rank >= 2 ([N, C, ...]), got rank {len(dims)}")
    groups, channels = int(c.attr("num_groups", 0)), dims[1]
    if channels is None:
        c.error("the channel dim (dim 1) must be static", hint="give the input a static channel dim")
    if groups <= 0 or channels % groups:
        c.unsupported_attr("num_groups", groups, f"a positive divisor of the {channels} channels")
    scale, bias = c.input(1), c.input(2)
    params = (groups,) if c.version < 21 else (channels,)
    for name, p in (("scale", scale), ("bias", bias)):
        if c.shape(p) not in (params, (None,)):
            c.error(f"{name} must have shape [{params[0]}], got {list(c.shape(p))}")
    if c.version < 21:
        scale, bias = _per_channel(c, scale, groups, channels), _per_channel(c, bias, groups, channels)
    epsilon = onnx_float(c.attr("epsilon", 1e-5))
    return c.emit(GroupNormOp(x, scale, bias, num_groups=groups, epsilon=epsilon))


@converter("LpNormalization")
@shape_checked
def lp_normalization(c: Conversion) -> SSAValue:
    x = c.input(0)
    _float_input(c, x)
    p = int(c.attr("p", 2))
    if p not in (1, 2):
        c.unsupported_attr("p", p, "1 or 2")
    axis = normalize_axis(c, c.attr("axis", -1), c.rank(x))
    if p == 1:
        norm = c.emit(ReduceSumOp(c.emit(AbsOp(x)), [axis], keepdims=True))
    else:
        norm = c.emit(SqrtOp(c.emit(ReduceSumOp(c.emit(MulOp(x, x)), [axis], keepdims=True))))
    # A zero norm divides by 1 instead: its elements are all 0, and so are the results.
    zero = c.emit(EqualOp(norm, c.scalar_like(0.0, norm)))
    return c.emit(DivOp(x, c.emit(SelectOp(zero, c.scalar_like(1.0, norm), norm))))


@converter("MeanVarianceNormalization", since=9)
@shape_checked
def mean_variance_normalization(c: Conversion) -> SSAValue:
    x = c.input(0)
    _float_input(c, x)
    axes = normalize_axes(c, list(c.attr("axes", [0, 2, 3])), c.rank(x))
    # (x - mean) / (std + 1e-9), the standard deviation biased.
    centered = c.emit(SubOp(x, c.emit(ReduceMeanOp(x, axes, keepdims=True))))
    var = c.emit(ReduceMeanOp(c.emit(MulOp(centered, centered)), axes, keepdims=True))
    std = c.emit(AddOp(c.emit(SqrtOp(var)), c.scalar_like(1e-9, var)))
    return c.emit(DivOp(centered, std))


# -- RotaryEmbedding ------------------------------------------------------------------------------


def _reshape(c: Conversion, x: SSAValue, dims: Sequence[Dim], pieces: Sequence[int | tuple[int, int]]) -> SSAValue:
    """`x` reshaped to `dims`; with several dynamic dims, the shape is built at run time
    from `pieces` (see `shape_value`)."""
    if list(dims).count(None) <= 1:
        return fold1(c, ReshapeOp.to(x, dims))
    return fold1(c, ReshapeOp(x, shape_value(c, x, pieces), c.tensor(c.element(x), dims)))


@converter("RotaryEmbedding", since=23)
@shape_checked
def rotary_embedding(c: Conversion) -> SSAValue:
    x, cos, sin = c.input(0), c.input(1), c.input(2)
    _float_input(c, x)
    dims = c.shape(x)
    heads = int(c.attr("num_heads", 0))
    if len(dims) == 3:
        hidden = dims[2]
        if heads <= 0:
            c.unsupported_attr("num_heads", heads, "the number of heads (> 0) for a 3-D input")
        if hidden is None or hidden % heads:
            c.error(f"the hidden dim ({hidden}) of a 3-D input must be static and a multiple of num_heads {heads}")
        head = hidden // heads
        split = [dims[0], dims[1], heads, head]
        x = _reshape(c, x, split, [(0, 2), heads, head])
        cos_axis = 2
    elif len(dims) == 4:
        if dims[3] is None:
            c.error("the head size (dim 3) must be static", hint="give the input a static last dim")
        head, cos_axis = dims[3], 1
    else:
        c.error(f"input must have rank 3 or 4, got rank {len(dims)}")
    rotary = int(c.attr("rotary_embedding_dim", 0)) or head
    if rotary % 2 or rotary > head:
        c.unsupported_attr("rotary_embedding_dim", rotary, f"an even size of at most the head size {head}")
    if c.has_input(3):
        positions = c.input(3)
        cos, sin = fold1(c, GatherOp(cos, positions, 0)), fold1(c, GatherOp(sin, positions, 0))
    for name, v in (("cos_cache", cos), ("sin_cache", sin)):
        if c.rank(v) != 3:
            c.error(f"{name} must be [batch, sequence, {rotary // 2}] after the position ids, got {list(c.shape(v))}")
    cos, sin = fold1(c, UnsqueezeOp(cos, [cos_axis])), fold1(c, UnsqueezeOp(sin, [cos_axis]))
    interleaved = bool(c.attr("interleaved", 0))
    y = c.emit(RotaryEmbeddingOp(x, cos, sin, rotary_dim=rotary, interleaved=interleaved))
    if len(dims) == 3:
        y = _reshape(c, y, dims, [(0, 2), dims[2]])  # type: ignore[list-item]
    return y


# -- Attention --------------------------------------------------------------------------------------

SOFTMAX_PRECISIONS: dict[int, Attribute] = {
    1: Float32Type(),
    10: Float16Type(),
    11: Float64Type(),
    16: BFloat16Type(),
}
"""ONNX element type numbers accepted by softmax_precision."""


def _to_heads(c: Conversion, x: SSAValue, heads: int, name: str) -> SSAValue:
    """A 3-D `[B, S, heads * D]` input as `[B, heads, S, D]`."""
    dims = c.shape(x)
    hidden = dims[2]
    if hidden is None or hidden % heads:
        c.error(f"the hidden size ({hidden}) of 3-D {name} must be static and a multiple of {heads} heads")
    split = _reshape(c, x, [dims[0], dims[1], heads, hidden // heads], [(0, 2), heads, hidden // heads])
    return fold1(c, TransposeOp(split, [0, 2, 1, 3]))


def _mask_bias(c: Conversion, mask: SSAValue, like: SSAValue, keys: Dim) -> SSAValue:
    """attn_mask as a rank-4 additive bias in `like`'s type, padded with -inf up to `keys`."""
    element = c.element(like)
    if c.element(mask) == i1:
        rank = c.rank(mask)
        mask = c.emit(SelectOp(mask, c.scalar_like(0.0, like, rank), c.scalar_like(-np.inf, like, rank)))
    elif c.element(mask) != element:
        mask = c.emit(CastOp(mask, element))
    mask = c.to_rank(mask, 4)
    length = c.shape(mask)[3]
    if keys is not None and length is not None and length < keys:
        mask = fold1(c, PadOp(mask, [0, 0, 0, 0, 0, 0, 0, keys - length], value=-np.inf))
    return mask


def _length(c: Conversion, x: SSAValue, axis: int) -> SSAValue:
    """Dim `axis` of `x` as a 1-D i64 tensor of one element (a constant when static)."""
    size = c.shape(x)[axis]
    return i64_constant(c, [size]) if size is not None else fold1(c, ShapeOfOp(x, axis, axis + 1))


def _position_bias(
    c: Conversion,
    q: SSAValue,
    k: SSAValue,
    nonpad: SSAValue | None,
    past: SSAValue | None,
    causal: bool,
    left: int,
    right: int,
) -> SSAValue:
    """The additive mask (0 or -inf, `[B or 1, 1, S, T]`) of the key padding (`nonpad`, per
    batch), the causal frontier and the sliding window, for query positions `i + offset`
    (offset: `nonpad - S` per batch, or the cached keys, or 0) and key positions `j`."""

    def arange(x: SSAValue, axis: int) -> SSAValue:
        """0, 1, ... up to dim 2 of `x`, along `axis` of a rank-4 tensor."""
        size = c.shape(x)[2]
        if size is not None:
            return c.constant(np.arange(size, dtype=np.int64).reshape([size if a == axis else 1 for a in range(4)]))
        # (Not folded: a folded rank-0 constant would come back 1-D.)
        scalar = c.emit(ReshapeOp.to(c.emit(ShapeOfOp(x, 2, 3)), []))
        start, step = c.constant(np.array(0, np.int64)), c.constant(np.array(1, np.int64))
        values = c.emit(RangeOp(start, scalar, step))
        return c.emit(UnsqueezeOp(values, [a for a in range(4) if a != axis]))

    queries = _length(c, q, 2)
    rows, cols = arange(q, 2), arange(k, 3)
    lengths = None
    if nonpad is not None:
        if c.element(nonpad) != c.element(rows):
            nonpad = c.emit(CastOp(nonpad, c.element(rows)))
        if c.rank(nonpad) != 1:
            c.error(f"nonpad_kv_seqlen must be 1-D ([batch]), got rank {c.rank(nonpad)}")
        lengths = fold1(c, UnsqueezeOp(nonpad, [1, 2, 3]))
        offset = fold1(c, SubOp(lengths, fold1(c, UnsqueezeOp(queries, [1, 2, 3]))))
    elif past is not None:
        offset = fold1(c, UnsqueezeOp(_length(c, past, 2), [1, 2, 3]))
    else:
        offset = c.constant(np.zeros((1, 1, 1, 1), np.int64))
    position = fold1(c, AddOp(rows, offset))
    allowed: list[SSAValue] = []
    if lengths is not None:
        allowed.append(fold1(c, LessOp(cols, lengths)))
    if causal:
        allowed.append(fold1(c, LessEqualOp(cols, position)))
    if left >= 0:  # position - j <= left
        earliest = fold1(c, SubOp(position, c.constant(np.full((1, 1, 1, 1), left, np.int64))))
        allowed.append(fold1(c, LessEqualOp(earliest, cols)))
    if right >= 0:  # j - position <= right
        latest = fold1(c, AddOp(position, c.constant(np.full((1, 1, 1, 1), right, np.int64))))
        allowed.append(fold1(c, LessEqualOp(cols, latest)))
    visible = allowed[0]
    for a in allowed[1:]:
        visible = fold1(c, AndOp(visible, a))
    return fold1(c, SelectOp(visible, c.scalar_like(0.0, q, 4), c.scalar_like(-np.inf, q, 4)))


@converter("Attention", since=23)
@shape_checked
def attention(c: Conversion) -> list[SSAValue | None]:
    q, k, v = c.input(0), c.input(1), c.input(2)
    element = c.element(q)
    if not is_float(element) or c.element(k) != element or c.element(v) != element:
        c.error(f"Q, K and V must be floating-point of one type, got {c.element(q)}, {c.element(k)}, {c.element(v)}")
    rank = c.rank(q)
    if rank != c.rank(k) or rank != c.rank(v) or rank not in (3, 4):
        c.error(f"Q, K and V must all be 3-D or all 4-D, got ranks {c.rank(q)}, {c.rank(k)}, {c.rank(v)}")
    if rank == 3:
        heads, kv_heads = int(c.attr("q_num_heads", 0)), int(c.attr("kv_num_heads", 0))
        if heads <= 0 or kv_heads <= 0:
            c.error("3-D inputs need the attributes q_num_heads and kv_num_heads (> 0)")
        q, k, v = _to_heads(c, q, heads, "Q"), _to_heads(c, k, kv_heads, "K"), _to_heads(c, v, kv_heads, "V")
    past_key, past_value = c.optional_input(4), c.optional_input(5)
    if (past_key is None) != (past_value is None):
        c.error("past_key and past_value must be given together")
    if past_key is not None and past_value is not None:
        k = fold1(c, ConcatOp([past_key, k], 2))
        v = fold1(c, ConcatOp([past_value, v], 2))
    head_size = c.shape(q)[3]
    if c.has_attr("scale"):
        scale = onnx_float(c.attr("scale"))
    elif head_size is None:
        c.error("the head size of Q must be static for the default scale", hint="give the attribute 'scale'")
    else:
        scale = 1.0 / float(np.sqrt(head_size))
    attn_mask = c.optional_input(3)
    bias = None if attn_mask is None else _mask_bias(c, attn_mask, q, c.shape(k)[2])
    causal = "none"
    nonpad = c.optional_input(6) if c.version >= 24 else None
    left, right = int(c.attr("left_window_size", -1)), int(c.attr("right_window_size", -1))
    if nonpad is not None and past_key is not None:
        c.error("nonpad_kv_seqlen cannot be combined with past_key and past_value")
    if left < -1 or right < -1:
        c.error(f"window sizes must be -1 or non-negative, got {left} and {right}")
    if nonpad is not None or left >= 0 or right >= 0:
        positions = _position_bias(c, q, k, nonpad, past_key, bool(c.attr("is_causal", 0)), left, right)
        bias = positions if bias is None else c.emit(AddOp(*c.broadcast(bias, positions)))
    elif c.attr("is_causal", 0) and past_key is None:
        causal = "top_left"
    elif c.attr("is_causal", 0):
        # Query i sees the keys j <= i + (cached keys): bottom-right aligned when the new
        # keys are as many as the queries, else a mask of its own.
        new_keys, queries = c.shape(c.input(1))[-2 if rank == 4 else 1], c.shape(q)[2]
        if new_keys is not None and new_keys == queries:
            causal = "bottom_right"
        else:
            mask = causal_bias(c.builder, q, k, "bottom_right", past_key)
            bias = mask if bias is None else c.emit(AddOp(*c.broadcast(bias, mask)))
    softcap = onnx_float(c.attr("softcap", 0.0))
    precision = c.attr("softmax_precision")
    softmax_type = None
    if precision is not None:
        if int(precision) not in SOFTMAX_PRECISIONS:
            c.unsupported_attr("softmax_precision", precision, "1 (float), 10 (float16), 11 (double), 16 (bfloat16)")
        softmax_type = SOFTMAX_PRECISIONS[int(precision)]
    mode = int(c.attr("qk_matmul_output_mode", 0))
    if not 0 <= mode < len(QK_CAPTURES):
        c.unsupported_attr("qk_matmul_output_mode", mode, "0, 1, 2 or 3")
    options = {"scale": scale, "causal": causal, "softcap": softcap, "softmax_type": softmax_type}
    qk: SSAValue | None = None
    if len(c.op.results) > 3 and c.op.results[3].uses:
        y, qk = attention_ops(c.builder, q, k, v, bias, capture=QK_CAPTURES[mode], **options)  # type: ignore[arg-type]
    else:
        y = c.emit(AttentionOp(q, k, v, bias, **options))  # type: ignore[arg-type]
    if rank == 3:
        dims = c.shape(y)
        merged = fold1(c, TransposeOp(y, [0, 2, 1, 3]))
        hidden = None if dims[1] is None or dims[3] is None else dims[1] * dims[3]
        y = _reshape(c, merged, [dims[0], dims[2], hidden], [(0, 2), hidden])  # type: ignore[list-item]
    return [y, k, v, qk]
