"""LTRLoader: stack_dim=1 collate (the SEcm batch layout) and per-worker seeding."""
import numpy as np
import pytest
import torch

from ltr.data.loader import LTRLoader, ltr_collate, ltr_collate_stack1, worker_seed
from ltr.data.processing import SEMaskProcessing
from ltr.data.sampler import SEMaskSampler
from ltr.data.tensordict import TensorDict
from ltr.data.transforms import recipe_transforms
from ltr.dataset.base_video_dataset import BaseVideoDataset, frames_of_annotation, valid_and_visible


class Items(torch.utils.data.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        return TensorDict({'train_images': torch.full((1, 3, 4, 4), float(i)), 'test_anno': torch.zeros(1, 4),
                           'test_masks': torch.zeros(1, 1, 4, 4), 'mask': i % 2 == 0, 'dataset': 'd',
                           'draw': float(np.random.rand())})


def test_stack1_gives_the_recipe_batch_layout():
    b = ltr_collate_stack1([Items()[i] for i in range(4)])
    assert b['train_images'].shape == (1, 4, 3, 4, 4) and b['test_anno'].shape == (1, 4, 4)
    assert b['test_masks'].shape == (1, 4, 1, 4, 4)
    assert b['mask'].dtype == torch.int64 and b['mask'].tolist() == [1, 0, 1, 0]
    assert b['dataset'] == ['d'] * 4 and b['train_images'][0, 2, 0, 0, 0] == 2


def test_stack0_and_bad_stack_dim():
    assert ltr_collate([Items()[i] for i in range(3)])['train_images'].shape == (3, 1, 3, 4, 4)
    with pytest.raises(ValueError, match='stack_dim'):
        LTRLoader('train', Items(), stack_dim=2)


def test_workers_draw_distinct_reproducible_numbers():
    def draws(seed):
        loader = LTRLoader('train', Items(), batch_size=2, num_workers=2, stack_dim=1, seed=seed)
        return [d for b in loader for d in b['draw'].tolist()]
    a = draws(3)
    assert len(set(a)) == 8  # workers are not clones of each other
    assert a == draws(3) and a != draws(4)


def test_epochs_get_new_worker_seeds():
    loader = LTRLoader('train', Items(), batch_size=4, num_workers=0, seed=1)
    first = [d for b in loader for d in b['draw'].tolist()]
    loader.set_epoch(1)
    second = [d for b in loader for d in b['draw'].tolist()]
    assert first != second
    assert worker_seed(1, 0, 0) != worker_seed(1, 1, 0) != worker_seed(1, 0, 1)


class Video(BaseVideoDataset):
    """One 30-frame sequence of a box drifting right (with full masks when `masks`)."""

    def __init__(self, masks):
        super().__init__('masks' if masks else 'boxes', '')
        self.sequence_list, self.masks = [0], masks

    def has_mask(self):
        return self.masks

    def get_sequence_info(self, seq_id):
        return valid_and_visible(torch.tensor([[20.0 + f, 10.0, 30.0, 20.0] for f in range(30)]))

    def get_frames(self, seq_id, frame_ids, anno=None):
        out = frames_of_annotation(anno or self.get_sequence_info(seq_id), frame_ids)
        if self.masks:
            out['mask'] = [torch.ones(60, 80) for _ in frame_ids]
        return [np.full((60, 80, 3), 90, np.uint8) for _ in frame_ids], out, None


def secm_sampler(samples, seed=0):
    joint, train, _ = recipe_transforms()
    proc = SEMaskProcessing(2.0, 256, {'train': 0, 'test': 0.25}, {'train': 0, 'test': 0.25}, mode='sequence',
                            transform=train, joint_transform=joint)
    return SEMaskSampler([Video(True), Video(False)], [1, 1], samples, max_gap=50, processing=proc, seed=seed)


def test_sampler_processing_loader_give_the_spec_batch_layout():
    batch = next(iter(LTRLoader('train', secm_sampler(8), batch_size=4, stack_dim=1, drop_last=True, seed=0)))
    assert batch['train_images'].shape == (1, 4, 3, 256, 256) and batch['test_images'].shape == (1, 4, 3, 256, 256)
    assert batch['train_anno'].shape == (1, 4, 4) and batch['test_masks'].shape == (1, 4, 1, 256, 256)
    assert batch['mask'].dtype == torch.int64 and batch['mask'].shape == (4,)
    for i, has in enumerate(batch['mask'].tolist()):
        assert (batch['test_masks'][0, i].max().item() > 0) == bool(has)


@pytest.mark.parametrize('workers', [0, 2])
def test_a_seeded_sampler_draws_new_samples_every_epoch(workers):
    # the trainer calls loader.set_epoch(epoch): a seeded SEMaskSampler must then draw other pairs
    # (it once kept drawing epoch 0's samples, so training saw the same samples_per_epoch items forever)
    loader = LTRLoader('train', secm_sampler(4), batch_size=2, num_workers=workers, stack_dim=1, drop_last=True, seed=0)

    def boxes(epoch):
        loader.set_epoch(epoch)
        return torch.cat([b['test_anno'] for b in loader], dim=1)

    first = boxes(0)
    assert not torch.equal(first, boxes(1))
    assert torch.equal(first, boxes(0))  # still reproducible per epoch


class ThreadCounts(torch.utils.data.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        import cv2
        return torch.tensor([torch.get_num_threads(), cv2.getNumThreads()])


def test_workers_run_single_threaded_with_or_without_seed():
    for seed in (None, 0):
        loader = LTRLoader('train', ThreadCounts(), batch_size=2, num_workers=2, seed=seed)
        assert all(b.tolist() == [[1, 1], [1, 1]] for b in loader)


def test_workers_start_after_the_parent_used_opencv_threads():
    # cv2.setNumThreads(1) in a forked worker of a process whose OpenCV thread pool ran hangs forever;
    # the loader's worker set-up must not
    import subprocess
    import sys
    script = ("import cv2, numpy as np, torch\n"
              "from ltr.data.loader import LTRLoader\n"
              "cv2.setNumThreads(2)\n"
              "a = np.random.rand(600, 600).astype(np.float32)\n"
              "cv2.GaussianBlur(a, (31, 31), 5); cv2.resize(a, (900, 900))\n"
              "ds = [torch.tensor(float(cv2.GaussianBlur(a, (31, 31), 5)[0, 0])) for _ in range(1)] * 4\n"
              "print(sum(len(b) for b in LTRLoader('train', ds, batch_size=2, num_workers=2)))\n")
    out = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == '4', out.stderr
