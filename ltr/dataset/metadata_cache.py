"""Cache of a dataset reader's parsed metadata (sequence lists, boxes from XML/PNG), written atomically.

The cache is a JSON file ``<cache_dir>/<name>_<key>.json`` where ``cache_dir`` defaults to
``<workspace_dir>/dataset_cache`` (``ltr/admin/local.py``) and ``key`` hashes the dataset root and
the reader's options, so two roots or two splits never share a file. A cache written for another
root, another format version or a changed source file (size/mtime signature) is rebuilt.
"""
from __future__ import annotations

import hashlib
import json
import os
from typing import Any, Callable, Optional, Sequence

from ltr.admin.environment import env_settings
from ltr.admin.fileio import atomic_write_text


def default_cache_dir() -> str:
    """``<workspace_dir>/dataset_cache`` from the training environment."""
    workspace = env_settings().workspace_dir or os.path.join(os.path.dirname(os.path.dirname(__file__)))
    return os.path.join(workspace, 'dataset_cache')


def source_signature(paths: Sequence[str]) -> list:
    """(path, size, mtime_ns) of each existing path: changes when a source file is replaced."""
    sig = []
    for p in paths:
        if os.path.exists(p):
            st = os.stat(p)
            sig.append([os.path.basename(p), st.st_size, st.st_mtime_ns])
    return sig


def cache_path(name: str, root: str, options: str = '', cache_dir: Optional[str] = None) -> str:
    """Path of the cache file of dataset `name` at `root` with reader `options`."""
    key = hashlib.sha1(f"{os.path.abspath(root)}|{options}".encode()).hexdigest()[:12]
    return os.path.join(cache_dir or default_cache_dir(), f"{name}_{key}.json")


def load_or_build(name: str, root: str, build: Callable[[], Any], *, options: str = '', version: int = 1,
                  sources: Sequence[str] = (), cache_dir: Optional[str] = None) -> Any:
    """Return the cached metadata of `name` at `root`, calling `build()` and caching it when absent or stale."""
    path = cache_path(name, root, options, cache_dir)
    header = {'root': os.path.abspath(root), 'options': options, 'version': version,
              'sources': source_signature(sources)}
    if os.path.isfile(path):
        try:
            with open(path, 'r') as f:
                payload = json.load(f)
            if all(payload.get(k) == v for k, v in header.items()):
                return payload['data']
        except (ValueError, KeyError, OSError):
            pass  # unreadable or partial cache from an older version: rebuild it below
    data = build()
    atomic_write_text(path, json.dumps(dict(header, data=data)))
    return data
