"""Multi-process training (upstream entry point name).

    python -m torch.distributed.launch --nproc_per_node=8 ltr/run_training_multigpu.py SEx_beta SEcm_r34
    torchrun --nproc_per_node=8 ltr/run_training_multigpu.py SEx_beta SEcm_r34

Same arguments as ``ltr/run_training.py``; ``--local_rank``, ``--local-rank`` and ``LOCAL_RANK`` are accepted.
"""
import os
import sys

if __package__ in (None, ''):
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # repo root, not ltr/

from ltr.admin.cli import run_cli
from ltr.run_training import main

if __name__ == '__main__':
    run_cli(main)
