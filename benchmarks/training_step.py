"""Training step time of the SEcm refiner on CPU: one process vs two-process Gloo DDP (same per-process batch).

    .venv/bin/python benchmarks/training_step.py [--steps 6] [--batch 16] [--size 128] [--backbone resnet18]

Each step is forward + backward + Adam on a fixed random batch (no data pipeline), median over
`--steps` after one warm-up step. Every process uses one thread, so the 2-process run measures the
cost of gradient all-reduce and of sharing the machine. Prints both medians and their ratio
(2-process / 1-process: 1.0 = perfect scaling of throughput with the number of processes).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch

from ltr.actors.secm import SEcm_Actor
from ltr.admin.multigpu import init_distributed
from ltr.models.SEx_beta import SEcm_r34


def step_times(args) -> list:
    """Median-ready list of step times of this process (DDP-wrapped when launched with several)."""
    torch.set_num_threads(1)
    info = init_distributed(None, use_gpu=False)
    torch.manual_seed(0)
    build = SEcm_r34.SEcm_resnet18 if args.backbone == 'resnet18' else SEcm_r34.SEcm_resnet34
    net = build(backbone_pretrained=False, input_sz=args.size)
    if info.world_size > 1:
        net = torch.nn.parallel.DistributedDataParallel(net, find_unused_parameters=True)
    actor = SEcm_Actor(net, {'corner': torch.nn.MSELoss(), 'mask': torch.nn.BCELoss()})
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    b, s = args.batch, args.size
    box = torch.tensor([s / 4, s / 4, s / 2, s / 2]).repeat(1, b, 1)
    data = {'train_images': torch.randn(1, b, 3, s, s), 'test_images': torch.randn(1, b, 3, s, s),
            'train_anno': box, 'test_anno': box + 2, 'test_masks': (torch.rand(1, b, 1, s, s) > 0.5).float(),
            'mask': torch.ones(b, dtype=torch.int64)}
    times = []
    for i in range(args.steps + 1):
        start = time.perf_counter()
        loss, _ = actor(data)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if i:
            times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--steps', type=int, default=6)
    parser.add_argument('--batch', type=int, default=16)
    parser.add_argument('--size', type=int, default=128)
    parser.add_argument('--backbone', choices=('resnet18', 'resnet34'), default='resnet18')
    parser.add_argument('--worker-out', default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_out is not None:
        times = step_times(args)
        if int(os.environ.get('RANK', '0')) == 0:
            with open(args.worker_out, 'w') as f:
                json.dump(times, f)
        return 0

    single = statistics.median(step_times(args))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'times.json')
        cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2', '--master_port=29655', __file__,
               '--steps', str(args.steps), '--batch', str(args.batch), '--size', str(args.size),
               '--backbone', args.backbone, '--worker-out', out]
        subprocess.run(cmd, check=True, env=dict(os.environ, OMP_NUM_THREADS='1'))
        with open(out) as f:
            double = statistics.median(json.load(f))
    print(f"SEcm {args.backbone} @ {args.size}x{args.size}, batch {args.batch} per process, 1 thread per process")
    print(f"1 process : {single * 1000:8.1f} ms/step  ({args.batch / single:6.1f} samples/s)")
    print(f"2 process : {double * 1000:8.1f} ms/step  ({2 * args.batch / double:6.1f} samples/s in total)")
    print(f"ratio 2-process / 1-process step time: {double / single:.2f}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
