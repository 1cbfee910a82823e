"""The C target: loop-level IR to C99, compiled with the system C compiler, loaded with ctypes.

    from infer.runtime.c.build import build, lower_to_loop_level
    from infer.runtime.c.loader import CModel

    result = build(lower_to_loop_level(module), out_dir="out")   # plan-memory, emit, compile (cached)
    with CModel(result.library, result.weights) as model:
        outputs = model.run({"data": x})

`emitter.emit_c` gives the C without compiling it. The contract (what IR the
emitter accepts, the run time, the ABI, `model.h`) is docs/c_target.md.
"""
