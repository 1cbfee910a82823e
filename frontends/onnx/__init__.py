"""The ONNX frontend: `ModelProto` -> `onnx` dialect (see `importer.py`)."""

from infer.frontends.onnx.importer import import_model, load_model

__all__ = ["import_model", "load_model"]
