"""Reading JSON annotation files with errors that name the file and the line."""
from __future__ import annotations

import json
from typing import Any

from ltr.data.annotations import AnnotationError


def read_json(path: str) -> Any:
    """Parsed content of the JSON file `path`; missing or malformed files raise AnnotationError."""
    try:
        with open(path, 'r') as f:
            return json.load(f)
    except FileNotFoundError:
        raise AnnotationError(f"{path}: no such file") from None
    except json.JSONDecodeError as e:
        raise AnnotationError(f"{path}, line {e.lineno}: malformed JSON ({e.msg})") from None
