"""The command-line tools: `infer-opt`, `infer-run`."""
