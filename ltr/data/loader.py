"""LTRLoader: a DataLoader that stacks samples along dimension 0 or 1 and seeds every worker.

The SEcm recipe stacks along dim 1 (``stack_dim=1``): a sample holding ``(1, 3, 256, 256)`` frames
becomes a batch ``(1, B, 3, 256, 256)``; per-sample scalars (``mask``) become ``(B,)`` tensors
(``ltr/data/loader.py`` ``ltr_collate_stack1`` upstream).

Seeding: the sampler draws with the global ``random``/``numpy``/``torch`` generators. With
``seed`` set, the main process (``num_workers=0``) is seeded once with ``seed`` and worker ``k``
with a value derived from ``(seed, k, epoch)``, so workers never repeat each other's draws and a
run is reproducible. Under DDP pass a seed that includes the rank. Every worker runs with one torch
and sequential OpenCV (:func:`limit_worker_threads`).
"""
from __future__ import annotations

import collections.abc
import random
from typing import Callable, Optional

import cv2
import numpy as np
import torch
import torch.utils.data

from ltr.data.tensordict import TensorDict, TensorList


def _stack(batch, dim: int) -> torch.Tensor:
    if torch.utils.data.get_worker_info() is not None:
        # in a worker: stack straight into shared memory to avoid one copy to the main process
        numel = sum(x.numel() for x in batch)
        shape = list(batch[0].shape)
        shape.insert(dim, len(batch))
        out = batch[0].new_empty(numel).share_memory_() if hasattr(batch[0], 'share_memory_') else None
        if out is not None:
            return torch.stack(batch, dim, out=out.view(shape))
    return torch.stack(batch, dim)


def _collate(batch, dim: int):
    first = batch[0]
    if isinstance(first, torch.Tensor):
        return _stack(batch, dim)
    if isinstance(first, np.ndarray):
        if first.dtype.kind in 'SaUO':
            raise TypeError(f"cannot collate numpy arrays of dtype {first.dtype}")
        return _stack([torch.from_numpy(np.ascontiguousarray(b)) for b in batch], dim)
    if isinstance(first, np.generic):
        return torch.as_tensor(np.array(batch))
    if isinstance(first, bool):
        return torch.tensor(batch, dtype=torch.int64)  # upstream collates the `mask` flag as int64
    if isinstance(first, int):
        return torch.tensor(batch, dtype=torch.int64)
    if isinstance(first, float):
        return torch.tensor(batch, dtype=torch.float64)
    if isinstance(first, str) or first is None:
        return list(batch)
    if isinstance(first, TensorDict):
        return TensorDict({k: _collate([d[k] for d in batch], dim) for k in first})
    if isinstance(first, collections.abc.Mapping):
        return {k: _collate([d[k] for d in batch], dim) for k in first}
    if isinstance(first, TensorList):
        return TensorList([_collate(list(s), dim) for s in zip(*batch)])
    if isinstance(first, collections.abc.Sequence):
        return [_collate(list(s), dim) for s in zip(*batch)]
    raise TypeError(f"batch must contain tensors, numbers, strings, dicts or lists; found {type(first).__name__}")


def ltr_collate(batch):
    """Collate samples, stacking tensors along a new dimension 0."""
    return _collate(batch, 0)


def ltr_collate_stack1(batch):
    """Collate samples, stacking tensors along a new dimension 1 (frames first, then batch)."""
    return _collate(batch, 1)


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch."""
    random.seed(seed)
    np.random.seed(seed % (2 ** 32))
    torch.manual_seed(seed)


def worker_seed(seed: int, worker_id: int, epoch: int = 0) -> int:
    """Seed of worker `worker_id` in `epoch`: distinct for every (seed, worker, epoch)."""
    ss = np.random.SeedSequence([int(seed) % (2 ** 63), int(worker_id), int(epoch)])
    return int(ss.generate_state(1, dtype=np.uint64)[0] % (2 ** 63))


def limit_worker_threads() -> None:
    """One torch thread and sequential OpenCV in a loader worker: workers are the parallelism, and
    per-worker thread pools would oversubscribe the cores (and fight the training process).

    ``cv2.setNumThreads(0)`` (run sequentially), not 1: in a forked child of a process whose OpenCV
    pthreads pool has run, ``setNumThreads(1)`` waits forever on the pool's lock (OpenCV 4.x/5.0).
    """
    torch.set_num_threads(1)
    cv2.setNumThreads(0)


class _WorkerSeeder:
    """Picklable ``worker_init_fn``: limits threads, seeds the worker (when `seed` is set), then runs
    the user's init function."""

    def __init__(self, seed: Optional[int], epoch: int, user_fn: Optional[Callable]):
        self.seed, self.epoch, self.user_fn = seed, epoch, user_fn

    def __call__(self, worker_id: int) -> None:
        limit_worker_threads()
        if self.seed is not None:
            seed_everything(worker_seed(self.seed, worker_id, self.epoch))
        if self.user_fn is not None:
            self.user_fn(worker_id)


class LTRLoader(torch.utils.data.DataLoader):
    """DataLoader with a name, ``training`` flag, ``epoch_interval``, ``stack_dim`` (0 or 1) and seeding.

    Args beyond DataLoader's: `name` ('train'/'val'), `training`, `epoch_interval` (run every n-th
    epoch), `stack_dim`, `seed` (None: leave the generators alone, as upstream). Call
    :meth:`set_epoch` before each epoch so workers draw new samples every epoch.
    """

    def __init__(self, name: str, dataset, training: bool = True, batch_size: int = 1, shuffle: bool = False,
                 sampler=None, batch_sampler=None, num_workers: int = 0, epoch_interval: int = 1,
                 collate_fn: Optional[Callable] = None, stack_dim: int = 0, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn: Optional[Callable] = None,
                 seed: Optional[int] = None, persistent_workers: bool = False):
        if collate_fn is None:
            if stack_dim not in (0, 1):
                raise ValueError(f"stack_dim must be 0 or 1, got {stack_dim}")
            collate_fn = ltr_collate if stack_dim == 0 else ltr_collate_stack1
        self._seed = seed
        self._user_worker_init = worker_init_fn
        init_fn = _WorkerSeeder(seed, 0, worker_init_fn)
        super().__init__(dataset, batch_size=batch_size, shuffle=shuffle, sampler=sampler,
                         batch_sampler=batch_sampler, num_workers=num_workers, collate_fn=collate_fn,
                         pin_memory=pin_memory, drop_last=drop_last, timeout=timeout, worker_init_fn=init_fn,
                         persistent_workers=persistent_workers and num_workers > 0)
        self.name = name
        self.training = training
        self.epoch_interval = epoch_interval
        self.stack_dim = stack_dim
        self.epoch = 0
        if seed is not None and num_workers == 0:
            seed_everything(worker_seed(seed, 0, 0))

    def set_epoch(self, epoch: int) -> None:
        """Reseed for `epoch` (workers are re-created each epoch unless persistent) and forward it to the
        dataset (a seeded ``SEMaskSampler`` draws its items from ``(seed, epoch, index)``) and to the
        index sampler (e.g. ``DistributedSampler``)."""
        self.epoch = epoch
        for target in (self.dataset, self.sampler):
            if hasattr(target, 'set_epoch'):
                target.set_epoch(epoch)
        if self._seed is None:
            return
        if self.num_workers == 0:
            seed_everything(worker_seed(self._seed, 0, epoch))
        else:
            self.worker_init_fn = _WorkerSeeder(self._seed, epoch, self._user_worker_init)
