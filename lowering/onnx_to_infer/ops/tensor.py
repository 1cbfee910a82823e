"""Converters for the ONNX ops that become ops of `infer.dialects.infer.tensor`."""

from __future__ import annotations
