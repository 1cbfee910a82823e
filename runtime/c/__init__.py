"""The C target: loop-level IR to C99, compiled with the system C compiler, loaded with ctypes.

    from infer.runtime.c import emit_c, build, load
    program = emit_c(module)                # C units, model.h, weights layout
    library = build(module, out_dir=...)    # plan-memory, emit, compile (cached), write weights.bin
    model = load(library)                   # run with numpy arrays

The contract (what IR the emitter accepts, the run time, the ABI) is docs/c_target.md.
"""
