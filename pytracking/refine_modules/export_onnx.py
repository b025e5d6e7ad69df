"""Export a refiner checkpoint's search branch to ONNX.

    python -m pytracking.refine_modules.export_onnx CHECKPOINT OUT.onnx [--no-mask] [--no-fold] [--opset 17]

Inputs ``image`` (B, 3, S, S) float32 crops normalised with ImageNet mean/std and ``kernel``
(B, C, k, k) the reference kernel (``RefineModule`` computes it in PyTorch on the first frame);
outputs ``corner`` (B, 4) corners in crop pixels and ``mask`` (B, 1, S, S) probabilities. The batch
axis is dynamic. BatchNorm is folded into the convolutions first (``--no-fold`` exports the plain
graph; ONNX Runtime folds it too). The file is written atomically; one line is printed.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

from ltr.admin.loading import CheckpointError
from pytracking.refine_modules.fast import inference_copy
from pytracking.refine_modules.onnx_backend import OPSET, export_search_branch, kernel_shape, output_names
from pytracking.refine_modules.refine_module import OFFICIAL_CHECKPOINT_HINT, network_heads
from pytracking.utils.loading import load_network


def build_parser() -> argparse.ArgumentParser:
    """Command-line flags."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('checkpoint', help='refiner checkpoint (.pth.tar), resolved against network_path')
    p.add_argument('out', help='ONNX file to write')
    p.add_argument('--no-mask', '--no_mask', dest='no_mask', action='store_true', help='corner output only')
    p.add_argument('--no-fold', '--no_fold', dest='no_fold', action='store_true', help='keep BatchNorm layers')
    p.add_argument('--opset', type=int, default=OPSET, help=f'ONNX opset (default {OPSET})')
    return p


def export_checkpoint(checkpoint: str, out: str, with_mask: bool = True, fold: bool = True,
                      opset: int = OPSET) -> str:
    """Load `checkpoint` strictly, export its search branch to `out`; returns a one-line summary."""
    net = load_network(os.fspath(checkpoint), missing_hint=OFFICIAL_CHECKPOINT_HINT).eval()
    if with_mask and 'mask' not in network_heads(net):
        raise ValueError(f"{checkpoint}: the network has no mask head (heads: {', '.join(network_heads(net))}); "
                         f"use --no-mask")
    net = inference_copy(net, 'cpu') if fold else net.cpu()
    model = export_search_branch(net, out, with_mask=with_mask, opset=opset)
    size = int(getattr(net, 'input_sz', 256))
    c, k, _ = kernel_shape(net)
    return (f"wrote {out} ({len(model) / 1e6:.1f} MB, opset {opset}): inputs image (B,3,{size},{size}), "
            f"kernel (B,{c},{k},{k}); outputs {', '.join(output_names(with_mask))}")


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point: one line on stdout, or one line on stderr and exit status 1."""
    args = build_parser().parse_args(argv)
    try:
        print(export_checkpoint(args.checkpoint, args.out, with_mask=not args.no_mask, fold=not args.no_fold,
                                opset=args.opset))
    except (CheckpointError, ValueError, OSError, RuntimeError) as e:
        print(f"export_onnx: {str(e).splitlines()[0] if str(e) else type(e).__name__}", file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
