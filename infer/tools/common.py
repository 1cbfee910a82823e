"""What the command-line tools share: turning every failure into one line and an exit code."""

from __future__ import annotations

import sys
from collections.abc import Callable

from xdsl.utils.exceptions import ArgSpecParseError, DiagnosticException, ParseError

from infer.diagnostics import InferError

EXIT_OK = 0
EXIT_ERROR = 1
"""The input is bad or unsupported; the message says what to do."""
EXIT_INTERNAL = 2
"""A bug in infer."""


def first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else text


def guarded(tool: str, body: Callable[[], object], traceback: bool = False) -> int:
    """Runs `body`; prints any failure as one line on stderr and returns the exit code."""
    try:
        body()
    except InferError as e:
        print(f"{tool}: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except ParseError as e:
        # Parse errors point at the text with a caret, as MLIR's do.
        print(f"{tool}: error: {str(e).strip()}", file=sys.stderr)
        return EXIT_ERROR
    except DiagnosticException as e:
        message = first_line(str(e.args[0]) if e.args else str(e))
        print(f"{tool}: error: {message}", file=sys.stderr)
        return EXIT_ERROR
    except ArgSpecParseError as e:
        print(f"{tool}: error: bad pass pipeline: {e}", file=sys.stderr)
        return EXIT_ERROR
    except (FileNotFoundError, IsADirectoryError, PermissionError) as e:
        print(f"{tool}: error: {e.filename}: {e.strerror}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"{tool}: interrupted", file=sys.stderr)
        return 130
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else EXIT_ERROR
    except Exception as e:
        if traceback:
            raise
        print(
            f"{tool}: internal error: {type(e).__name__}: {first_line(str(e))} "
            "(a bug in infer; rerun with --traceback and report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return EXIT_OK
