"""Data-movement ops lowered to loops compute what the reference interpreter computes.

Every attribute variant runs on tiny shapes through xDSL's interpreter; all of
them also run compiled to C, in one module.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from cases import Case, assert_case, assert_cases_in_c, module_of
from loop_level import lower_to_loops

from infer.dialects.infer.tensor import (
    BroadcastToOp,
    ConcatOp,
    DynamicSliceOp,
    FlattenOp,
    GatherElementsOp,
    GatherOp,
    PadOp,
    RangeOp,
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
from infer.runtime.xdsl_interp import run_loops


def _x(*shape: int, dtype: type = np.float32) -> np.ndarray:
    return (np.arange(int(np.prod(shape))).reshape(shape) * 1.5 - 7).astype(dtype)


def _dims(shape: Sequence[int], dynamic: Sequence[int]) -> list[int | None]:
    return [None if i in dynamic else d for i, d in enumerate(shape)]


def _reshape_to(dims: Sequence[int | None]):
    return lambda x: ReshapeOp.to(x, dims)


# -- views -------------------------------------------------------------------------------------

RESHAPES = {
    # name: (input shape, dynamic input dims, result dims (None: inferred))
    "collapse": ((2, 3, 4), (), (6, 4)),
    "expand": ((6, 4), (), (2, 3, 2, 2)),
    "regroup": ((2, 3, 4), (), (4, 6)),
    "same_rank": ((2, 3), (), (3, 2)),
    "to_vector": ((2, 3, 4), (), (24,)),
    "dynamic_batch": ((2, 3, 4), (0,), (None, 12)),
    "dynamic_inferred": ((2, 3, 4), (0,), (4, None)),
    "to_scalar": ((1, 1), (), ()),
    "from_scalar": ((), (), (1, 1, 1)),
    "refined": ((6,), (0,), (6,)),
}


@pytest.mark.parametrize("name", RESHAPES)
def test_reshape(name: str) -> None:
    shape, dynamic, result = RESHAPES[name]
    (y,) = assert_case(Case(_reshape_to(result), [_x(*shape)], [_dims(shape, dynamic)]))
    assert y.shape == _x(*shape).reshape([-1 if d is None else d for d in result] or ()).shape


@pytest.mark.parametrize(
    "shape",
    [[3, 8], [-1, 4], [2, -1, 2], [24], [4, 3, 2]],
    ids=str,
)
def test_reshape_shape_operand(shape: list[int]) -> None:
    case = Case(lambda x, s: ReshapeOp(x, s), [_x(2, 3, 4), np.array(shape, np.int64)], [[None, 3, 4]])
    assert_case(case)


def test_reshapes_are_views() -> None:
    """No copy loop: a reshape is a collapse_shape / expand_shape of the same buffer."""
    cases = [
        Case(lambda x: FlattenOp(x, 1), [_x(2, 3, 4)], [[None, 3, 4]]),
        Case(lambda x: UnsqueezeOp(x, [0, 3]), [_x(2, 3)]),
        Case(lambda x: SqueezeOp(x, [1]), [_x(2, 1, 3)]),
        Case(_reshape_to([4, 6]), [_x(2, 3, 4)]),
    ]
    for case, view in zip(cases, ["collapse_shape", "expand_shape", "collapse_shape", "expand_shape"], strict=True):
        module, _ = module_of([case])
        lowered = lower_to_loops(module)
        names = [op.name for op in lowered.walk()]
        assert f"memref.{view}" in names
        assert "scf.for" not in names
        assert names.count("memref.alloc") == 1  # only the copy of the returned value


SQUEEZES = {
    "squeeze_middle": (lambda x: SqueezeOp(x, [1]), (2, 1, 3), ()),
    "squeeze_ends": (lambda x: SqueezeOp(x, [0, 3]), (1, 2, 3, 1), (1,)),
    "squeeze_all": (lambda x: SqueezeOp(x, [0, 1]), (1, 1), ()),
    "unsqueeze": (lambda x: UnsqueezeOp(x, [0, 2, 4]), (2, 3), (0,)),
    "unsqueeze_scalar": (lambda x: UnsqueezeOp(x, [0, 1]), (), ()),
    "flatten": (lambda x: FlattenOp(x, 2), (2, 3, 4, 5), (0, 3)),
    "flatten_0": (lambda x: FlattenOp(x, 0), (2, 3), (0,)),
    "flatten_rank": (lambda x: FlattenOp(x, 3), (2, 3, 2), ()),
}


@pytest.mark.parametrize("name", SQUEEZES)
def test_squeeze_unsqueeze_flatten(name: str) -> None:
    build, shape, dynamic = SQUEEZES[name]
    assert_case(Case(build, [_x(*shape)], [_dims(shape, dynamic)]))


# -- permutations and pieces ---------------------------------------------------------------------


@pytest.mark.parametrize("perm", [[1, 0], [0, 2, 1], [2, 0, 1], [3, 1, 0, 2]], ids=str)
def test_transpose(perm: list[int]) -> None:
    shape = [2, 3, 4, 2][: len(perm)]
    assert_case(Case(lambda x: TransposeOp(x, perm), [_x(*shape)], [_dims(shape, (0,))]))


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_concat(axis: int) -> None:
    shapes = [[2, 3, 2], [2, 3, 2], [2, 3, 2]]
    for i, s in enumerate(shapes):
        s[axis] = i + 1
    inputs = [_x(*s) + i for i, s in enumerate(shapes)]
    # The concatenated dim dynamic in the second piece, the others static.
    case = Case(lambda *xs: ConcatOp(list(xs), axis), inputs, [None, _dims(shapes[1], (axis, 0))])
    assert_case(case)


def test_concat_empty_piece() -> None:
    inputs = [_x(2, 2), np.zeros((2, 0), np.float32), _x(2, 1)]
    assert_case(Case(lambda *xs: ConcatOp(list(xs), 1), inputs))


SPLITS = {
    "sizes": ({"sizes": [1, 3, 0, 2]}, (3, 6), ()),
    "even": ({"num_outputs": 3}, (3, 6), ()),
    "uneven": ({"num_outputs": 4}, (3, 7), ()),
    "dynamic": ({"num_outputs": 3}, (3, 7), (0, 1)),
    "dynamic_sizes": ({"sizes": [2, 5]}, (3, 7), (0, 1)),
}


@pytest.mark.parametrize("name", SPLITS)
def test_split(name: str) -> None:
    options, shape, dynamic = SPLITS[name]
    assert_case(Case(lambda x: SplitOp(x, 1, **options), [_x(*shape)], [_dims(shape, dynamic)]))


# -- slices ------------------------------------------------------------------------------------------

BIG = 9223372036854775807
SLICES = {
    "plain": ([1, 0], [3, 4], [1, 1]),
    "negative_indices": ([-3, -1], [-1, -5], [1, -1]),
    "steps": ([0, 5], [5, 0], [2, -2]),
    "clamped": ([-100, 100], [100, -100], [1, -1]),
    "to_end": ([0, 2], [BIG, BIG], [1, 3]),
    "reversed": ([BIG, -1], [-BIG - 1, -BIG - 1], [-1, -3]),
    "empty": ([3, 0], [1, 5], [1, 1]),
}


@pytest.mark.parametrize("name", SLICES)
@pytest.mark.parametrize("dynamic", [(), (0, 1)], ids=["static", "dynamic"])
def test_slice(name: str, dynamic: tuple[int, ...]) -> None:
    starts, ends, steps = SLICES[name]
    case = Case(lambda x: SliceOp(x, starts, ends, steps), [_x(4, 6)], [_dims((4, 6), dynamic)])
    assert_case(case)


@pytest.mark.parametrize("name", SLICES)
def test_dynamic_slice(name: str) -> None:
    starts, ends, steps = SLICES[name]
    inputs = [_x(4, 6), np.array(starts, np.int64), np.array(ends, np.int64)]
    assert_case(Case(lambda x, a, b: DynamicSliceOp(x, a, b, steps), inputs, [[None, 6]]))


# -- gathers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("axis", [0, 1, 2])
@pytest.mark.parametrize("index_dtype", [np.int64, np.int32])
def test_gather(axis: int, index_dtype: type) -> None:
    data = _x(3, 4, 2)
    size = data.shape[axis]
    indices = np.array([[0, size - 1, -1], [-size, 1, 0]], index_dtype)
    case = Case(lambda d, i: GatherOp(d, i, axis), [data, indices], [_dims(data.shape, (0,)), [None, 3]])
    assert_case(case)


def test_gather_scalar_index() -> None:
    case = Case(lambda d, i: GatherOp(d, i, 1), [_x(3, 4), np.array(-2, np.int64)])
    (y,) = assert_case(case)
    assert y.shape == (3,)


@pytest.mark.parametrize("axis", [0, 1])
def test_gather_elements(axis: int) -> None:
    data = _x(3, 4)
    indices = np.array([[0, -1, 2], [-3, 1, 0]], np.int64)
    case = Case(lambda d, i: GatherElementsOp(d, i, axis), [data, indices], [[None, 4]])
    assert_case(case)


# -- pad ----------------------------------------------------------------------------------------------

PADS = {
    "both": [1, 2, 2, 1],
    "negative": [-1, 2, 1, -2],
    "wide": [5, 0, 7, 4],
    "none": [0, 0, 0, 0],
}


@pytest.mark.parametrize("name", PADS)
@pytest.mark.parametrize("mode", ["constant", "reflect", "edge", "wrap"])
def test_pad(mode: str, name: str) -> None:
    pads = PADS[name]
    case = Case(lambda x: PadOp(x, pads, mode, 2.5), [_x(3, 4)], [[None, 4]])
    assert_case(case)


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.bool_, np.float16])
def test_pad_value_types(dtype: type) -> None:
    x = (np.arange(6).reshape(2, 3) % 3).astype(dtype)
    assert_case(Case(lambda v: PadOp(v, [1, 0, 0, 2], "constant", -2.7), [x]))


def test_pad_empty_dim_constant() -> None:
    assert_case(Case(lambda v: PadOp(v, [1, 1, 0, 0], "constant", 1.0), [np.zeros((2, 0), np.float32)]))


# -- shapes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bounds", [(0, 3), (1, 3), (2, 2), (0, 1)], ids=str)
def test_shape_of(bounds: tuple[int, int]) -> None:
    case = Case(lambda x: ShapeOfOp(x, *bounds), [_x(2, 3, 4)], [[None, 3, None]])
    assert_case(case)


BROADCASTS = {
    "stretch": ((1, 3, 1), (), [2, 3, 4]),
    "keep": ((2, 3, 1), (), [1, 1, 5]),
    "dynamic_stretch": ((1, 3, 1), (0, 2), [2, 3, 4]),
    "dynamic_keep": ((2, 3, 1), (0,), [1, 3, 2]),
}


@pytest.mark.parametrize("name", BROADCASTS)
def test_broadcast_to(name: str) -> None:
    shape, dynamic, target = BROADCASTS[name]
    inputs = [_x(*shape), np.array(target, np.int64)]
    assert_case(Case(lambda x, s: BroadcastToOp(x, s), inputs, [_dims(shape, dynamic)]))


@pytest.mark.parametrize("repeats", [[1, 1], [2, 3], [0, 2], [3, 1]], ids=str)
@pytest.mark.parametrize("dynamic", [(), (0,)], ids=["static", "dynamic"])
def test_tile(repeats: list[int], dynamic: tuple[int, ...]) -> None:
    assert_case(Case(lambda x: TileOp(x, repeats), [_x(2, 3)], [_dims((2, 3), dynamic)]))


RANGES = {
    "int64": (np.int64, 2, 11, 3),
    "negative_delta": (np.int32, 5, -4, -2),
    "empty": (np.int64, 5, 1, 1),
    "float": (np.float32, 0.5, 3.7, 0.4),
    "float_down": (np.float32, 1.0, -1.0, -0.3),
    "zero_delta": (np.int64, 0, 3, 0),
}


@pytest.mark.parametrize("name", RANGES)
def test_range(name: str) -> None:
    dtype, *values = RANGES[name]
    inputs = [np.array(v, dtype) for v in values]
    if name == "zero_delta":
        # The reference rejects it; the loop level gives nothing rather than dividing by 0.
        module, _ = module_of([Case(RangeOp, inputs)])
        (y,) = run_loops(lower_to_loops(module), inputs)
        assert y.shape == (0,)
        return
    assert_case(Case(RangeOp, inputs))


# -- C ------------------------------------------------------------------------------------------------


def test_tensor_ops_in_c() -> None:
    cases: list[Case] = []
    for shape, dynamic, result in RESHAPES.values():
        cases.append(Case(_reshape_to(result), [_x(*shape)], [_dims(shape, dynamic)]))
    for build, shape, dynamic in SQUEEZES.values():
        cases.append(Case(build, [_x(*shape)], [_dims(shape, dynamic)]))
    cases.append(Case(lambda x, s: ReshapeOp(x, s), [_x(2, 3, 4), np.array([2, -1, 3], np.int64)], [[None, 3, 4]]))
    cases.append(Case(lambda x: TransposeOp(x, [2, 0, 1]), [_x(5, 6, 7)], [[None, 6, None]]))
    cases.append(Case(lambda *xs: ConcatOp(list(xs), 1), [_x(2, 3), _x(2, 1), _x(2, 4)], [None, [2, None]]))
    for options, shape, dynamic in SPLITS.values():
        cases.append(Case(lambda x, o=options: SplitOp(x, 1, **o), [_x(*shape)], [_dims(shape, dynamic)]))
    for starts, ends, steps in SLICES.values():
        cases.append(Case(lambda x, a=starts, b=ends, k=steps: SliceOp(x, a, b, k), [_x(4, 6)], [[None, None]]))
        inputs = [_x(4, 6), np.array(starts, np.int64), np.array(ends, np.int64)]
        cases.append(Case(lambda x, a, b, k=steps: DynamicSliceOp(x, a, b, k), inputs))
    indices = np.array([[0, 2, -1], [-3, 1, 0]], np.int64)
    cases.append(Case(lambda d, i: GatherOp(d, i, 1), [_x(3, 4, 2), indices], [[None, 4, 2]]))
    cases.append(Case(lambda d, i: GatherElementsOp(d, i, 0), [_x(3, 4), indices]))
    for pads in PADS.values():
        for mode in ("constant", "reflect", "edge", "wrap"):
            cases.append(Case(lambda x, p=pads, m=mode: PadOp(x, p, m, 2.5), [_x(3, 4)], [[None, 4]]))
    cases.append(Case(lambda x: ShapeOfOp(x, 1, 3), [_x(2, 3, 4)], [[None, 3, None]]))
    for shape, dynamic, target in BROADCASTS.values():
        inputs = [_x(*shape), np.array(target, np.int64)]
        cases.append(Case(lambda x, s: BroadcastToOp(x, s), inputs, [_dims(shape, dynamic)]))
    cases.append(Case(lambda x: TileOp(x, [2, 3]), [_x(2, 3)], [[None, 3]]))
    # Rank-0 inputs (a reshape from a scalar, range's operands) wait for the loader to
    # pass 0-d arrays as they are (np.ascontiguousarray makes them 1-d).
    assert_cases_in_c([case for case in cases if all(a.ndim for a in case.inputs)])


# -- resize ----------------------------------------------------------------------------------------

COORDINATE_MODES = ["half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric"]
ROI = [0.0, 0.0, 0.1, 0.3, 1.0, 1.0, 0.8, 0.9]


def resize_case(
    shape: Sequence[int] = (1, 2, 3, 4),
    dynamic: Sequence[int] = (),
    dtype: type = np.float32,
    **options: object,
) -> Case:
    x = (np.random.default_rng(3).standard_normal(shape) * 4).astype(dtype)
    return Case(lambda v: ResizeOp(v, **options), [x], [_dims(shape, dynamic)])  # type: ignore[arg-type]


@pytest.mark.parametrize("coordinate_mode", [*COORDINATE_MODES, "tf_crop_and_resize"])
@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
@pytest.mark.parametrize("resize", [{"scales": [1.0, 1.0, 2.0, 1.5]}, {"sizes": [-1, 2, 2, 7]}], ids=["up", "sizes"])
def test_resize(mode: str, coordinate_mode: str, resize: dict) -> None:
    roi = ROI if coordinate_mode == "tf_crop_and_resize" else None
    case = resize_case(mode=mode, coordinate_mode=coordinate_mode, roi=roi, extrapolation_value=-9.0, **resize)
    assert_case(case, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("nearest_mode", ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"])
@pytest.mark.parametrize("coordinate_mode", ["half_pixel", "asymmetric", "align_corners"])
def test_resize_nearest_modes(nearest_mode: str, coordinate_mode: str) -> None:
    # Down by 0.6 and up by 2.5: coordinates on and off the halves.
    case = resize_case(
        (1, 1, 5, 4), scales=[1.0, 1.0, 0.6, 2.5], nearest_mode=nearest_mode, coordinate_mode=coordinate_mode
    )
    assert_case(case)


@pytest.mark.parametrize("exclude_outside", [False, True])
@pytest.mark.parametrize("a", [-0.75, -0.5])
def test_resize_cubic_options(exclude_outside: bool, a: float) -> None:
    case = resize_case(
        (1, 1, 4, 4), mode="cubic", scales=[1.0, 1.0, 1.7, 0.8], cubic_coeff_a=a, exclude_outside=exclude_outside
    )
    assert_case(case, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
def test_resize_dynamic_dims(mode: str) -> None:
    # Scales on dynamic dims: the output sizes are computed at run time.
    case = resize_case((2, 2, 3, 4), dynamic=(0, 2, 3), mode=mode, scales=[1.0, 1.0, 1.5, 0.5])
    assert_case(case, rtol=1e-6, atol=1e-6)
    case.inputs[0] = case.inputs[0][:1, :, :2, :3]
    assert_case(case, rtol=1e-6, atol=1e-6)
    # Sizes, -1 keeping a dynamic dim.
    case = resize_case((2, 2, 3, 4), dynamic=(0, 3), mode=mode, sizes=[-1, -1, 5, 3])
    assert_case(case, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.float16, np.float64])
@pytest.mark.parametrize("mode", ["nearest", "linear"])
def test_resize_element_types(mode: str, dtype: type) -> None:
    case = resize_case((1, 1, 3, 3), dtype=dtype, mode=mode, scales=[1.0, 1.0, 2.0, 1.3])
    if np.dtype(dtype).kind == "u":
        case.inputs[0] = np.abs(case.inputs[0].astype(np.int64)).astype(dtype)
    assert_case(case, rtol=1e-3 if dtype == np.float16 else 1e-6)


def test_resize_in_c() -> None:
    cases = []
    for mode in ("nearest", "linear", "cubic"):
        for coordinate_mode in [*COORDINATE_MODES, "tf_crop_and_resize"]:
            roi = ROI if coordinate_mode == "tf_crop_and_resize" else None
            for resize in ({"scales": [1.0, 1.0, 2.0, 1.5]}, {"sizes": [-1, 2, 2, 7]}):
                cases.append(
                    resize_case(
                        (2, 2, 5, 6),
                        dynamic=(0, 2),
                        mode=mode,
                        coordinate_mode=coordinate_mode,
                        roi=roi,
                        extrapolation_value=-9.0,
                        **resize,
                    )
                )
    for nearest_mode in ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil"):
        cases.append(resize_case((1, 1, 5, 4), scales=[1.0, 1.0, 0.6, 2.5], nearest_mode=nearest_mode))
    cases.append(resize_case((1, 1, 4, 4), mode="cubic", scales=[1.0, 1.0, 1.7, 0.8], exclude_outside=True))
    cases.append(resize_case((1, 1, 3, 3), dtype=np.float16, mode="linear", scales=[1.0, 1.0, 2.0, 1.3]))
    cases.append(resize_case((1, 1, 3, 3), dtype=np.int32, mode="cubic", scales=[1.0, 1.0, 2.0, 1.3]))
    assert_cases_in_c(cases, rtol=1e-6, atol=1e-6)
