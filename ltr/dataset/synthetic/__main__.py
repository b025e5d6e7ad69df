"""Command line: ``python -m ltr.dataset.synthetic --out DIR --layout lasot|got10k|vot --num-sequences N
--frames F --size WxH --seed S [--split train|val|test] [--workers K]``.

Bad arguments print one line to stderr and exit with status 2, before anything is written.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import List, Optional

from ltr.dataset.synthetic.config import LAYOUTS, SPLITS, SyntheticConfig, SyntheticConfigError, parse_size
from ltr.dataset.synthetic.tree import SyntheticTreeError, generate_tree


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage block
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """The CLI's argument parser (dash and underscore spellings of the flags)."""
    p = _ArgumentParser(prog='python -m ltr.dataset.synthetic',
                        description='Generate the seeded synthetic tracking benchmark in the LaSOT, GOT-10k or VOT2020 '
                                    'layout.')
    p.add_argument('--out', required=True, help='root folder of the tree')
    p.add_argument('--layout', required=True, help=f"one of {', '.join(LAYOUTS)}")
    p.add_argument('--num-sequences', '--num_sequences', dest='num_sequences', type=int, default=20)
    p.add_argument('--frames', type=int, default=300, help='frames per sequence')
    p.add_argument('--size', default='640x480', help='frame size WxH')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--split', default='test', help=f"one of {', '.join(SPLITS)} (LaSOT: train or test; VOT: test)")
    p.add_argument('--workers', type=int, default=min(2, os.cpu_count() or 1), help='processes (default 2)')
    p.add_argument('--set', action='append', default=[], metavar='KNOB=VALUE',
                   help='change a difficulty knob (JSON value), e.g. --set scale_change=0.3 --set target_size=[0.1,0.2]')
    p.add_argument('--quiet', action='store_true', help='no progress bar')
    return p


def parse_knobs(items: List[str]) -> SyntheticConfig:
    """The default config with ``NAME=VALUE`` overrides (JSON values); unknown names are an error."""
    changes = {}
    for item in items:
        name, sep, value = item.partition('=')
        if not sep:
            raise SyntheticConfigError(f"--set '{item}': expected KNOB=VALUE")
        try:
            changes[name.strip()] = json.loads(value)
        except ValueError:
            raise SyntheticConfigError(f"--set '{item}': value is not a number or a JSON list") from None
    try:
        return SyntheticConfig().replace(**changes)
    except TypeError as e:
        raise SyntheticConfigError(f"--set: {e}") from None


def main(argv: Optional[List[str]] = None) -> int:
    """Run the CLI; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        size = parse_size(args.size)
        config = parse_knobs(args.set)
        root = generate_tree(args.out, args.layout, args.split, args.num_sequences, args.frames, size, args.seed,
                             config=config, workers=args.workers, progress=not args.quiet)
    except (SyntheticConfigError, SyntheticTreeError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print('interrupted: complete sequences are kept, run again to finish', file=sys.stderr)
        return 130
    print(f"synthetic {args.layout} tree ({args.split}): {root}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
