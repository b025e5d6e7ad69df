"""Text tables and JSON of evaluation results (percentages with 1 decimal, sorted by AUC)."""
from __future__ import annotations

from typing import Dict, List, Optional

from pytracking.analysis.metrics import Curves, GotScores


def _table(header: List[str], rows: List[List[str]]) -> str:
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    fmt = lambda r: ' | '.join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    line = '-+-'.join('-' * w for w in widths)
    return '\n'.join([fmt(header), line] + [fmt(r) for r in rows])


def ranking(results: Dict[str, Curves]) -> List[str]:
    """Tracker names by decreasing AUC (ties by name)."""
    return sorted(results, key=lambda n: (-results[n].auc, n))


def summary_table(results: Dict[str, Curves], benchmark: str, convention: str) -> str:
    """Header naming the benchmark, sequence count and convention, then one row per tracker."""
    nseq = max((len(c.names) for c in results.values()), default=0)
    rows = [[n, f'{100 * results[n].auc:.1f}', f'{100 * results[n].precision_score:.1f}',
             f'{100 * results[n].norm_precision_score:.1f}'] for n in ranking(results)]
    title = f'{benchmark}: {nseq} sequences, {convention} convention (%)'
    return title + '\n' + _table(['Tracker', 'Success (AUC)', 'Precision', 'Norm Precision'], rows)


def sequence_table(name: str, curves: Curves) -> str:
    """Per-sequence scores of one tracker (%)."""
    rows = [[s, f'{100 * v["auc"]:.1f}', f'{100 * v["precision"]:.1f}', f'{100 * v["norm_precision"]:.1f}']
            for s, v in curves.per_sequence().items()]
    return f'{name}\n' + _table(['Sequence', 'Success (AUC)', 'Precision', 'Norm Precision'], rows)


def attribute_table(results: Dict[str, Curves], attributes: Dict[str, Dict[str, int]]) -> Optional[str]:
    """Success AUC (%) per attribute (columns) and tracker (rows); None without attribute data.

    `attributes` maps sequence name -> {attribute: 0/1}; an attribute column uses the sequences
    flagged 1 (attributes held by no sequence are left out)."""
    names = sorted({a for flags in attributes.values() for a, v in flags.items() if v})
    if not names:
        return None
    order = [a for a in next(iter(attributes.values()))] if attributes else names
    names = [a for a in order if a in names]
    rows = []
    for tracker in ranking(results):
        row = [tracker]
        for a in names:
            sub = results[tracker].subset([s for s, f in attributes.items() if f.get(a)])
            row.append(f'{100 * sub.auc:.1f}' if sub.names else '-')
        rows.append(row)
    counts = [f'{a} ({sum(1 for f in attributes.values() if f.get(a))})' for a in names]
    return 'Success AUC per attribute (%)\n' + _table(['Tracker'] + counts, rows)


def results_json(results: Dict[str, Curves]) -> dict:
    """``{tracker: {"auc", "precision", "norm_precision", "per_sequence": {...}}}``, fractions in [0, 1]."""
    return {n: {'auc': c.auc, 'precision': c.precision_score, 'norm_precision': c.norm_precision_score,
                'convention': c.convention, 'per_sequence': c.per_sequence()} for n, c in results.items()}


def got10k_table(results: Dict[str, GotScores], benchmark: str) -> str:
    """AO / SR@0.5 / SR@0.75 (%) per tracker, sorted by AO."""
    order = sorted(results, key=lambda n: (-results[n].ao, n))
    rows = [[n, f'{100 * results[n].ao:.1f}', f'{100 * results[n].sr50:.1f}', f'{100 * results[n].sr75:.1f}']
            for n in order]
    nseq = max((len(r.per_sequence) for r in results.values()), default=0)
    return f'{benchmark}: {nseq} sequences, GOT-10k toolkit convention (%)\n' + \
        _table(['Tracker', 'AO', 'SR@0.50', 'SR@0.75'], rows)


def got10k_json(results: Dict[str, GotScores]) -> dict:
    """``{tracker: {"ao", "sr50", "sr75", "per_sequence": {...}}}`` (fractions)."""
    return {n: {'ao': r.ao, 'sr50': r.sr50, 'sr75': r.sr75, 'per_sequence': r.per_sequence}
            for n, r in results.items()}
