"""Generate a whole synthetic tree (LaSOT, GOT-10k or VOT2020 layout) guarded by a parameter manifest.

``<root>/synthetic_manifest.json`` records the generator parameters. Generating into a tree made
with other parameters is an error; generating again with the same parameters skips the complete
sequences (a sequence appears only when complete) and finishes the rest.
"""
from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Dict, List, Optional, Tuple

from tqdm import tqdm

from ltr.admin.fileio import atomic_write_text
from ltr.dataset.synthetic.config import (FORMAT_VERSION, SyntheticConfig, SyntheticConfigError, check_layout_split,
                                          check_positive, family_of, sequence_name)
from ltr.dataset.synthetic.scene import plan_sequence
from ltr.dataset.synthetic.writers import remove_stale_temporaries, write_sequence

MANIFEST = 'synthetic_manifest.json'
GENERATOR = 'ltr.dataset.synthetic'


class SyntheticTreeError(RuntimeError):
    """The output folder cannot hold the requested tree (not writable, other parameters, ...)."""


def sequence_dir(root: str, layout: str, split: str, index: int) -> str:
    """Folder of sequence `index` of `split` in a tree at `root`."""
    name = sequence_name(layout, split, index)
    if layout == 'got10k':
        return os.path.join(root, split, name)
    if layout == 'vot':
        return os.path.join(root, name)
    return os.path.join(root, family_of(index), name)


def read_manifest(root: str) -> Optional[Dict[str, Any]]:
    """The manifest of the tree at `root`, or None when there is none."""
    path = os.path.join(root, MANIFEST)
    if not os.path.isfile(path):
        return None
    try:
        with open(path) as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        raise SyntheticTreeError(f"{path}: unreadable manifest ({e})") from None
    if not isinstance(manifest, dict) or manifest.get('generator') != GENERATOR:
        raise SyntheticTreeError(f"{path}: not a synthetic-benchmark manifest")
    return manifest


def _tree_params(layout: str, seed: int, size: Tuple[int, int], cfg: SyntheticConfig) -> Dict[str, Any]:
    return {'generator': GENERATOR, 'format_version': FORMAT_VERSION, 'layout': layout, 'seed': int(seed),
            'width': int(size[0]), 'height': int(size[1]), 'config': cfg.to_dict()}


def _differences(old: Dict[str, Any], new: Dict[str, Any], prefix: str = '') -> List[str]:
    diffs = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            diffs += _differences(a, b, prefix + key + '.')
        elif a != b:
            diffs.append(f"{prefix}{key}: tree has {a!r}, asked {b!r}")
    return diffs


def _check_out_dir(root: str) -> None:
    """Raise SyntheticTreeError unless `root` is (or can be created as) a writable directory."""
    if os.path.exists(root) and not os.path.isdir(root):
        raise SyntheticTreeError(f"--out {root}: exists and is not a directory")
    probe = root
    while not os.path.exists(probe):
        parent = os.path.dirname(os.path.abspath(probe))
        if parent == os.path.abspath(probe):
            break
        probe = parent
    if not os.path.isdir(probe):
        raise SyntheticTreeError(f"--out {root}: {probe} is not a directory")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise SyntheticTreeError(f"--out {root}: {probe} is not writable")


def _merged_manifest(root: str, params: Dict[str, Any], split: str, num_sequences: int, frames: int) -> Dict[str, Any]:
    """The manifest after adding `split`; raises SyntheticTreeError when the tree was made otherwise."""
    old = read_manifest(root)
    entry = {'num_sequences': int(num_sequences), 'frames': int(frames)}
    if old is None:
        if os.path.isdir(root) and [e for e in os.listdir(root) if not e.startswith('.')]:
            raise SyntheticTreeError(f"--out {root}: not empty and has no {MANIFEST}; choose an empty or new folder")
        return {**params, 'splits': {split: entry}}
    if old.get('format_version') != FORMAT_VERSION:
        raise SyntheticTreeError(f"{os.path.join(root, MANIFEST)}: tree made by synthetic format version "
                                 f"{old.get('format_version')}, this generator writes version {FORMAT_VERSION} "
                                 f"(other pixels); generate into a new folder or delete this one")
    diffs = _differences({k: old.get(k) for k in params}, params)
    if split in old.get('splits', {}):
        diffs += _differences(old['splits'][split], entry, f"splits.{split}.")
    if diffs:
        raise SyntheticTreeError(f"{os.path.join(root, MANIFEST)}: tree made with other parameters ({'; '.join(diffs)})")
    return {**old, 'splits': {**old.get('splits', {}), split: entry}}


def _write_lists(root: str, layout: str, manifest: Dict[str, Any]) -> None:
    """``<split>/list.txt`` (GOT-10k), ``list.txt`` (VOT) or ``testing_set.txt`` / ``training_set.txt`` (LaSOT)."""
    splits = manifest['splits']
    names = {s: [sequence_name(layout, s, i) for i in range(e['num_sequences'])] for s, e in splits.items()}
    if layout == 'vot':
        atomic_write_text(os.path.join(root, 'list.txt'), ''.join(n + '\n' for n in names['test']))
    elif layout == 'got10k':
        for s, seqs in names.items():
            atomic_write_text(os.path.join(root, s, 'list.txt'), ''.join(n + '\n' for n in seqs))
    else:
        atomic_write_text(os.path.join(root, 'testing_set.txt'), ''.join(n + '\n' for n in names.get('test', [])))
        atomic_write_text(os.path.join(root, 'training_set.txt'), ''.join(n + '\n' for n in names.get('train', [])))


def _generate_one(task: Tuple) -> int:
    """Worker: plan and write one sequence; returns its index."""
    cfg_dict, seed, split, index, width, height, frames, seq_dir, layout = task
    plan = plan_sequence(SyntheticConfig.from_dict(cfg_dict), seed, split, index, width, height, frames)
    write_sequence(plan, seq_dir, layout)
    return index


def validate_request(layout: str, split: str, num_sequences: int, frames: int, size: Tuple[int, int],
                     seed: int, config: Optional[SyntheticConfig]) -> SyntheticConfig:
    """Check every generation argument (nothing touches the disk); returns the config to use."""
    check_layout_split(layout, split)
    if layout == 'lasot' and split == 'val':
        raise SyntheticConfigError("--split val: the LaSOT layout has only train and test (training_set.txt, testing_set.txt)")
    check_positive('num_sequences', num_sequences)
    check_positive('frames', frames)
    if len(size) != 2:
        raise SyntheticConfigError(f"size={size!r}: expected (width, height)")
    for name, v in zip(('width', 'height'), size):
        check_positive(name, v)
        if v < 16:
            raise SyntheticConfigError(f"{name}={v}: must be at least 16 pixels")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SyntheticConfigError(f"seed={seed!r}: expected a non-negative integer")
    return (config or SyntheticConfig()).validated()


def generate_tree(root: str, layout: str, split: str, num_sequences: int, frames: int, size: Tuple[int, int],
                  seed: int, config: Optional[SyntheticConfig] = None, workers: int = 1, progress: bool = True) -> str:
    """Generate (or complete) a synthetic tree at `root`; returns `root`.

    `size` is ``(width, height)``. Sequences already complete are skipped. `workers` > 1 renders
    sequences in a process pool (the output does not depend on it).
    """
    cfg = validate_request(layout, split, num_sequences, frames, size, seed, config)
    check_positive('workers', workers)
    _check_out_dir(root)
    manifest = _merged_manifest(root, _tree_params(layout, seed, size, cfg), split, num_sequences, frames)
    os.makedirs(root, exist_ok=True)
    atomic_write_text(os.path.join(root, MANIFEST), json.dumps(manifest, indent=2, sort_keys=True) + '\n')

    dirs = [sequence_dir(root, layout, split, i) for i in range(num_sequences)]
    for parent in sorted({os.path.dirname(d) for d in dirs}):
        remove_stale_temporaries(parent)
    todo = [(cfg.to_dict(), seed, split, i, size[0], size[1], frames, d, layout)
            for i, d in enumerate(dirs) if not os.path.isdir(d)]
    bar = tqdm(total=num_sequences, initial=num_sequences - len(todo), desc=f"synthetic {layout}/{split}",
               unit='seq', disable=not progress)
    if workers == 1 or len(todo) <= 1:
        for task in todo:
            _generate_one(task)
            bar.update(1)
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(todo))) as pool:
            for fut in as_completed([pool.submit(_generate_one, t) for t in todo]):
                fut.result()
                bar.update(1)
    bar.close()
    _write_lists(root, layout, manifest)
    return root


def default_tree_name(layout: str, split: str, num_sequences: int, frames: int, size: Tuple[int, int], seed: int,
                      config: Optional[SyntheticConfig] = None) -> str:
    """Folder name that encodes the parameters and the format version (a digest of the knobs when they
    differ from the defaults), so trees of other versions or parameters never share a folder."""
    name = f"{layout}_{split}_{size[0]}x{size[1]}_n{num_sequences}_f{frames}_seed{seed}_v{FORMAT_VERSION}"
    if config is not None and config != SyntheticConfig():
        digest = hashlib.sha1(json.dumps(config.to_dict(), sort_keys=True).encode()).hexdigest()[:8]
        name += f"_cfg{digest}"
    return name


def ensure_synthetic_benchmark(layout: str = 'lasot', split: str = 'test', num_sequences: int = 8, frames: int = 150,
                               size: Tuple[int, int] = (640, 480), seed: int = 0,
                               config: Optional[SyntheticConfig] = None, root: Optional[str] = None,
                               workers: int = 1, progress: bool = True) -> str:
    """Return the root of a complete synthetic tree, generating what is missing first.

    Default place: ``<workspace_dir>/synthetic/<layout>_<split>_<W>x<H>_n<N>_f<F>_seed<S>_v<format>`` with
    ``workspace_dir`` from ``ltr.admin.environment.env_settings()``. For the GOT-10k layout the
    sequences are under ``<root>/<split>/``; a VOT tree is the folder a VOT workspace's ``sequences`` names.
    """
    validate_request(layout, split, num_sequences, frames, size, seed, config)
    if root is None:
        from ltr.admin.environment import env_settings
        workspace = env_settings().workspace_dir
        if not workspace:
            raise SyntheticTreeError("workspace_dir is not set: set it in ltr/admin/local.py or LTR_WORKSPACE_DIR")
        root = os.path.join(workspace, 'synthetic', default_tree_name(layout, split, num_sequences, frames, size, seed, config))
    return generate_tree(root, layout, split, num_sequences, frames, size, seed, config, workers, progress)
