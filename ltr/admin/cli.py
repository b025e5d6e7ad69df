"""Command-line entry points: user-facing errors become one line on stderr and a non-zero exit."""
from __future__ import annotations

import sys
from typing import Callable, NoReturn

from ltr.admin.local_settings import MissingPathError


class UserInputError(ValueError):
    """Bad input from the user (argument, file contents); the message says what and where."""


def user_error_types() -> tuple:
    """Exception types whose message is meant for the user (no traceback needed)."""
    from ltr.admin.fileio import OutputError
    from ltr.admin.loading import CheckpointError
    from ltr.admin.model_constructor import ConstructorError
    from ltr.data.annotations import AnnotationError
    from ltr.data.image_loader import ImageReadError
    return (UserInputError, MissingPathError, CheckpointError, ConstructorError, AnnotationError, ImageReadError,
            OutputError)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `message` as one line to stderr and exit with `code`."""
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr)
    sys.exit(code)


def run_cli(main: Callable[[], object]) -> None:
    """Run `main()`; a user-facing error prints one line and exits 1, Ctrl-C exits 130."""
    try:
        result = main()
    except KeyboardInterrupt:
        fail('interrupted', 130)
    except user_error_types() as e:
        fail(str(e))
    sys.exit(result if isinstance(result, int) else 0)
