"""Run by test_ddp_tracker.py under torchrun / torch.distributed.launch: trains the DiMP CPU recipe on tiny
settings and writes what the test checks (parameters, first batch, epochs run) to <out>/rank<r>.json."""
import json
import os
import sys

from ltr.admin.loading import unwrap
from ltr.run_training import run_training

TINY = dict(batch_size=4, samples_per_epoch=8, epochs=1, feature_sz=6, num_sequences=4, frames=30,
            frame_size=[160, 120], val_samples_per_epoch=0, num_workers=0, backbone_pretrained=False, use_gpu=False)

if __name__ == '__main__':
    local_rank = None
    positional = []
    for arg in sys.argv[1:]:  # torch.distributed.launch puts --local-rank=N before the script's arguments
        if arg.startswith(('--local-rank=', '--local_rank=')):
            local_rank = int(arg.split('=', 1)[1])
        else:
            positional.append(arg)
    out_dir = positional[0]
    trainer = run_training('dimp', 'dimp_synthetic', local_rank=local_rank, overrides=TINY)
    net = unwrap(trainer.actor.net)
    loader = trainer.loaders[0]
    loader.set_epoch(1)
    first = next(iter(loader))
    report = {'rank': trainer.settings.rank, 'world_size': trainer.settings.world_size,
              'params': {k: v.detach().double().flatten()[:16].tolist() for k, v in net.named_parameters()
                         if v.requires_grad},
              'first_test_anno': first['test_anno'].tolist(), 'epochs_run': trainer.epochs_run,
              'batches_per_epoch': len(loader)}
    with open(os.path.join(out_dir, f"rank{trainer.settings.rank}.json"), 'w') as f:
        json.dump(report, f)
