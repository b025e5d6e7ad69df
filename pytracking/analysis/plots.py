"""Success and precision plots (matplotlib, PNG) with each tracker's score in the legend.

Drawn on a bare ``Figure`` with the Agg canvas: no pyplot (no backend selection, no global figure
state, a fraction of its import time), fixed margins instead of a second 'tight' layout pass.
"""
from __future__ import annotations

import os
from typing import Dict, List

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ltr.admin.fileio import atomic_path
from pytracking.analysis.metrics import PRECISION_INDEX, THRESHOLDS, Curves


def _plot(path: str, x, series: List[tuple], title: str, xlabel: str, ylabel: str) -> str:
    fig = Figure(figsize=(7, 5))
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.1, top=0.93)
    ax = fig.add_subplot()
    for label, y in series:
        ax.plot(x, y, linewidth=2, label=label)
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(0, 1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.4)
    ax.legend(loc='lower left' if 'Success' in title else 'lower right', fontsize=8)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format='png', dpi=100)
    return path


def save_plots(results: Dict[str, Curves], out_dir: str, benchmark: str, convention: str) -> List[str]:
    """Write ``success_plot.png``, ``precision_plot.png`` and ``norm_precision_plot.png`` into `out_dir`;
    trackers are ordered by the plotted score, which the legend shows in %."""
    t_iou, t_px, t_norm = THRESHOLDS[convention]
    by_auc = sorted(results.items(), key=lambda kv: -kv[1].auc)
    by_prec = sorted(results.items(), key=lambda kv: -kv[1].precision_score)
    by_norm = sorted(results.items(), key=lambda kv: -kv[1].norm_precision_score)
    suffix = f'{benchmark} ({convention})'
    return [
        _plot(os.path.join(out_dir, 'success_plot.png'), t_iou,
              [(f'{n} [{100 * c.auc:.1f}]', c.success.mean(axis=0)) for n, c in by_auc],
              f'Success plots of OPE on {suffix}', 'Overlap threshold', 'Success rate (AUC in legend)'),
        _plot(os.path.join(out_dir, 'precision_plot.png'), t_px,
              [(f'{n} [{100 * c.precision_score:.1f}]', c.precision.mean(axis=0)) for n, c in by_prec],
              f'Precision plots of OPE on {suffix}', 'Location error threshold (px)',
              f'Precision (at {t_px[PRECISION_INDEX]:g} px in legend)'),
        _plot(os.path.join(out_dir, 'norm_precision_plot.png'), t_norm,
              [(f'{n} [{100 * c.norm_precision_score:.1f}]', c.norm_precision.mean(axis=0)) for n, c in by_norm],
              f'Normalized precision plots of OPE on {suffix}', 'Normalized location error threshold',
              f'Normalized precision (at {t_norm[PRECISION_INDEX]:g} in legend)'),
    ]
