"""Run by the DDP tests under torchrun / torch.distributed.launch: trains the synthetic recipe on tiny
settings and writes what the test checks (parameters, first batch, epochs run) to <out>/rank<r>.json."""
import json
import os
import sys

import torch

from ltr.admin.loading import unwrap
from ltr.run_training import run_training


def tiny_overrides(epochs: int) -> dict:
    return dict(batch_size=2, samples_per_epoch=8, epochs=epochs, output_sz=64, num_sequences=4, frames=20, frame_size=[160, 120],
                save_interval=1, num_workers=0, use_gpu=False)


if __name__ == '__main__':
    local_rank = None
    positional = []
    for arg in sys.argv[1:]:  # torch.distributed.launch puts --local-rank=N before the script's arguments
        if arg.startswith(('--local-rank=', '--local_rank=')):
            local_rank = int(arg.split('=', 1)[1])
        else:
            positional.append(arg)
    out_dir, epochs = positional[0], int(positional[1])
    trainer = run_training('SEx_beta', 'SEcm_lite0_synthetic', local_rank=local_rank, overrides=tiny_overrides(epochs))
    net = unwrap(trainer.actor.net)
    loader = trainer.loaders[0]
    loader.set_epoch(1)
    first = next(iter(loader))
    report = {'rank': trainer.settings.rank, 'world_size': trainer.settings.world_size,
              'params': {k: v.detach().double().flatten()[:16].tolist() for k, v in net.named_parameters()},
              'first_test_anno': first['test_anno'].tolist(), 'epochs_run': trainer.epochs_run,
              'batches_per_epoch': len(loader)}
    with open(os.path.join(out_dir, f"rank{trainer.settings.rank}.json"), 'w') as f:
        json.dump(report, f)
