"""The arena's benchmark layer: which sequences a run or an evaluation uses, and under which name.

One table (:data:`BENCHMARKS`) says for each benchmark the arena knows its on-disk layout (a reader of
:mod:`pytracking.evaluation.datasets`), the ``pytracking/evaluation/local.py`` attribute holding its root,
its default split and the layout of its synthetic stand-in. :func:`load_benchmark` resolves the root
(``--dataset-root``, else the configured root, else the synthetic benchmark generated on first use, named
``Synthetic-<benchmark>``, never a real benchmark's name) and reads the sequences; the runner
(``arena/runner.py``) and the evaluator (``arena/evaluate.py``) both call it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional

from arena import paths
from pytracking.evaluation.data import SequenceList
from pytracking.evaluation.datasets import read_layout

__all__ = ['BenchmarkError', 'BenchmarkSpec', 'BENCHMARKS', 'OTB_STYLE', 'ArenaBenchmark', 'synthetic_name',
           'synthetic_benchmark_root', 'load_benchmark']


class BenchmarkError(RuntimeError):
    """A benchmark that cannot be loaded (unknown name, broken synthetic tree); the message is one line."""


@dataclass(frozen=True)
class BenchmarkSpec:
    """Where a benchmark's sequences come from."""
    layout: str                   # reader layout (pytracking.evaluation.datasets.LAYOUTS)
    root_attr: str                # attribute of pytracking/evaluation/local.py holding its root
    default_split: Any            # None: the layout has no splits
    synthetic_layout: str = 'lasot'  # layout of the synthetic fallback tree (the generator writes lasot and got10k)


BENCHMARKS: Dict[str, BenchmarkSpec] = {
    'LaSOT': BenchmarkSpec('lasot', 'lasot_path', 'test'),
    'GOT10k': BenchmarkSpec('got10k', 'got10k_path', 'val', 'got10k'),
    'TrackingNet': BenchmarkSpec('trackingnet', 'trackingnet_path', 'TEST'),
    'OTB100': BenchmarkSpec('otb', 'otb_path', None),
    'NFS30': BenchmarkSpec('nfs', 'nfs_path', None),
    'UAV123': BenchmarkSpec('uav', 'uav_path', None),
    'TColor128': BenchmarkSpec('tcolor128', 'tpl_path', None),
}
OTB_STYLE = ('OTB100', 'NFS30', 'UAV123', 'TColor128')  # the sets arena/OTB/eval.py --dataset scores
SYNTHETIC_SPLIT = {'lasot': 'test', 'got10k': 'val'}  # the split generated for the fallback


@dataclass
class ArenaBenchmark:
    """Sequences of one benchmark and where they come from (`note` says when it is the synthetic fallback)."""
    name: str
    root: str
    split: Any
    sequences: SequenceList
    note: Optional[str] = None
    manifest: Optional[dict] = None  # generator parameters of a synthetic tree


def synthetic_name(benchmark: str) -> str:
    """The name results of the synthetic stand-in of `benchmark` go under: ``Synthetic-<benchmark>``."""
    return f'Synthetic-{benchmark}'


def synthetic_benchmark_root(layout: str) -> str:
    """Root of the synthetic benchmark the arena falls back to (generated on first use), with the
    generator parameters of :func:`arena.paths.synthetic_params`."""
    from ltr.dataset.synthetic import SyntheticConfigError, SyntheticTreeError, ensure_synthetic_benchmark
    try:
        return ensure_synthetic_benchmark(layout=layout, split=SYNTHETIC_SPLIT[layout], progress=False,
                                          **paths.synthetic_params())
    except (SyntheticConfigError, SyntheticTreeError) as e:
        raise BenchmarkError(f"synthetic benchmark: {e}") from None


def _synthetic_manifest(root: str, split: Any) -> dict:
    """The generator parameters of the tree at `root`, with the split read."""
    from ltr.dataset.synthetic import read_manifest
    manifest = read_manifest(root) or {}
    params = {k: v for k, v in manifest.items() if k != 'splits'}
    params['split'] = split
    params['split_entry'] = manifest.get('splits', {}).get(split)
    return params


def load_benchmark(benchmark: str, dataset_root: Optional[str] = None, configured_root: Optional[str] = None,
                   split: Any = None, synthetic_root: Optional[str] = None, *, name: Optional[str] = None,
                   action: str = 'running on') -> ArenaBenchmark:
    """The sequences of `benchmark` (a key of :data:`BENCHMARKS`).

    Root: `dataset_root`, else `configured_root` (None: the configured ``<root_attr>``), else the synthetic
    fallback (`synthetic_root`, or the arena's default tree generated on first use) in its generated split,
    named ``Synthetic-<name>``. `name` (default `benchmark`) names the results folder. `split` defaults to
    the benchmark's. `action` completes the fallback's note ('running on', 'evaluating').
    """
    if benchmark not in BENCHMARKS:
        raise BenchmarkError(f"unknown arena benchmark '{benchmark}' (known: {', '.join(BENCHMARKS)})")
    spec, name = BENCHMARKS[benchmark], name or benchmark
    if configured_root is None:
        configured_root = paths.dataset_root(spec.root_attr)
    root = dataset_root or configured_root
    if root:
        split = spec.default_split if split is None else split
        return ArenaBenchmark(name, root, split, read_layout(spec.layout, root, split, dataset=name))
    if synthetic_root is None:
        synthetic_root = synthetic_benchmark_root(spec.synthetic_layout)
    split = SYNTHETIC_SPLIT[spec.synthetic_layout]
    label = synthetic_name(name)
    seqs = read_layout(spec.synthetic_layout, synthetic_root, split, dataset=label)
    note = (f"no {name} root configured: {action} the synthetic benchmark {label} "
            f"({len(seqs)} sequences at {synthetic_root})")
    return ArenaBenchmark(label, synthetic_root, split, seqs, note, _synthetic_manifest(synthetic_root, split))
