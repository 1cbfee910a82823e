"""Dialects: `onnx` (generated from the ONNX schemas) and `infer` (the unified semantics)."""
