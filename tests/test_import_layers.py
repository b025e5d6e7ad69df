"""Imports run downward: ``arena -> pysot, RT_MDNet -> pytracking -> ltr`` (DESIGN.md section 1), and inside
``pytracking`` the sub-packages form layers (:data:`LAYERS`): a module imports only from its own unit or from
a lower layer, at import time and inside functions alike.

``python tests/test_import_layers.py [-v]`` prints the import arrows between units (``-v``: the modules).
"""
import ast
import collections
import os
import sys
from typing import Dict, Set, Tuple

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGES = ('ltr', 'pytracking', 'pysot', 'RT_MDNet', 'arena')

# lowest first; 'pytracking' stands for its top-level modules (run_tracker, run_video, tracker_factory, ...)
# except the entry points of ENTRY_POINTS, which import what lies above those modules
ENTRY_POINTS = {'pytracking.run_experiment'}
LAYERS = [
    {'ltr'},
    {'pytracking.utils', 'pytracking.libs'},
    {'pytracking.features', 'pytracking.evaluation', 'pytracking.analysis', 'pytracking.refine_modules'},
    {'pytracking.parameter', 'pytracking.tracker'},
    {'pytracking'},
    {'pytracking.experiments', 'pysot', 'RT_MDNet'},
    {'arena', 'pytracking.run_experiment'},
]
RANK = {unit: i for i, layer in enumerate(LAYERS) for unit in layer}


def unit(module: str) -> str:
    """``pytracking.<sub-package>`` or ``pytracking`` (its top-level modules) inside pytracking, else the package."""
    parts = module.split('.')
    if module in ENTRY_POINTS:
        return module
    if parts[0] == 'pytracking' and len(parts) > 1 and os.path.isdir(os.path.join(REPO, 'pytracking', parts[1])):
        return 'pytracking.' + parts[1]
    return parts[0]


def arrows() -> Dict[Tuple[str, str], Set[str]]:
    """(unit, imported unit) -> the ``module -> imported module`` lines behind it."""
    found = collections.defaultdict(set)
    for pkg in PACKAGES:
        for folder, _, files in os.walk(os.path.join(REPO, pkg)):
            for name in files:
                if not name.endswith('.py'):
                    continue
                path = os.path.join(folder, name)
                module = os.path.relpath(path, REPO)[:-3].replace(os.sep, '.')
                src = unit(module)
                with open(path) as f:
                    tree = ast.parse(f.read(), path)
                for node in ast.walk(tree):
                    if isinstance(node, ast.Import):
                        targets = [a.name for a in node.names]
                    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                        targets = [node.module]
                    else:
                        continue
                    for target in targets:
                        if target.split('.')[0] in PACKAGES:
                            dst = unit(target)
                            if dst != src:
                                found[(src, dst)].add(f'{module} -> {target}')
    return found


def test_every_import_runs_down_the_layers():
    upward = {k: sorted(v) for k, v in arrows().items() if RANK.get(k[1], -1) >= RANK.get(k[0], -1)}
    assert not upward, f"imports that do not run downward (tests/test_import_layers.py LAYERS): {upward}"


def test_every_unit_has_a_layer():
    units = {u for pair in arrows() for u in pair}
    assert units <= set(RANK), f"add to LAYERS: {sorted(units - set(RANK))}"


if __name__ == '__main__':
    table = arrows()
    for (a, b), lines in sorted(table.items()):
        print(f"{a} -> {b} ({len(lines)})")
        if '-v' in sys.argv:
            for line in sorted(lines):
                print(f"    {line}")
