"""Samplers of the base-tracker recipes: train/test frame sets for ATOM and DiMP (upstream
``ltr/data/sampler.py`` ``TrackingSampler``, ``DiMPSampler``, ``ATOMSampler``).

Each item: pick a dataset by weight (None: by number of sequences, as upstream), a video with more than
``2 * (train + test)`` visible frames and at least 20 frames (image datasets: any), then the frames:

- ``'causal'`` (DiMP): a base frame in ``[train - 1, len - test)``, ``train - 1`` more train frames in
  ``[base - max_gap, base)``, and ``test`` frames in ``(base, base + max_gap)``;
- ``'interval'`` (ATOM): a base frame anywhere, ``train - 1`` more train frames and the test frames within
  ``[base - max_gap, base + max_gap)``;

only visible frames, drawn with replacement; the window grows by 5 until frames are found. Image
datasets repeat their one image. The frames go to the processing as ``train_images``, ``train_anno``,
``test_images``, ``test_anno`` (lists), ``dataset`` and ``test_class``.

Randomness as :class:`ltr.data.sampler.SEMaskSampler`: ``seed=None`` uses the global generators (upstream);
with a seed, item ``index`` of epoch ``e`` is drawn from ``(seed, e, index)`` and the global generators the
processing uses are seeded from it too. Under DDP pass a seed that includes the rank.
"""
from __future__ import annotations

import random
from typing import Callable, List, Optional, Sequence

import numpy as np
import torch
import torch.utils.data

from ltr.data.sampler import (SequenceInfoCache, _item_seed, dataset_probabilities, draw_sequence,
                              draw_skipping_broken_frames, no_processing)
from ltr.data.tensordict import TensorDict

FRAME_SAMPLE_MODES = ('causal', 'interval')


def seeded_item_generator(seed: Optional[int], epoch: int, index: int, attempt: int = 0) -> random.Random:
    """The generator of one item: the global ``random`` (seed None, upstream), else a private generator of
    ``(seed, epoch, index)`` (and `attempt` for a redraw after unreadable frames), with the global
    random/NumPy/torch-CPU generators reseeded from the same value."""
    if seed is None:
        return random._inst
    s = _item_seed(seed, epoch, index, attempt)
    random.seed(s)
    np.random.seed(s % (2 ** 32))
    torch.random.default_generator.manual_seed(s)  # CPU only: cheaper than torch.manual_seed
    return random.Random(s ^ 0x5EED)


class TrackingSampler(torch.utils.data.Dataset):
    """Train and test frame sets from tracking datasets (see the module docstring).

    Args:
        datasets: BaseVideoDataset/BaseImageDataset instances.
        p_datasets: relative weights; None weighs each dataset by its number of sequences (upstream).
        samples_per_epoch: the sampler's length.
        max_gap: largest distance between the base frame and the other frames (grows by 5 when needed).
        num_test_frames, num_train_frames: frames per set.
        processing: callable applied to the TensorDict of each item.
        frame_sample_mode: 'causal' (DiMP) or 'interval' (ATOM).
        seed: None for the global generators (upstream), else per-item seeding.
        info_cache_size: sequence infos kept per sampler (and worker); 0 disables the cache.
        new_samples_each_epoch: False keeps drawing epoch 0's items (with a seed): a validation set whose
            losses compare across epochs.
    """

    def __init__(self, datasets: Sequence, p_datasets: Optional[Sequence[float]], samples_per_epoch: int,
                 max_gap: int, num_test_frames: int, num_train_frames: int = 1, processing: Callable = no_processing,
                 frame_sample_mode: str = 'causal', seed: Optional[int] = None, info_cache_size: int = 512,
                 new_samples_each_epoch: bool = True):
        if not datasets:
            raise ValueError(f"{type(self).__name__} needs at least one dataset")
        if p_datasets is None:
            p_datasets = [len(d) for d in datasets]
        if frame_sample_mode not in FRAME_SAMPLE_MODES:
            raise ValueError(f"frame_sample_mode must be one of {FRAME_SAMPLE_MODES}, got {frame_sample_mode!r}")
        if num_train_frames < 1 or num_test_frames < 1:
            raise ValueError("need at least one train and one test frame")
        self.datasets = list(datasets)
        self.p_datasets = dataset_probabilities(p_datasets, len(datasets))
        self.samples_per_epoch = int(samples_per_epoch)
        self.max_gap = max_gap
        self.num_test_frames = num_test_frames
        self.num_train_frames = num_train_frames
        self.processing = processing
        self.frame_sample_mode = frame_sample_mode
        self.seed = seed
        self.epoch = 0
        self._info_cache = SequenceInfoCache(info_cache_size)
        self.skipped_samples = 0  # draws skipped in this process because a frame could not be read
        self.new_samples_each_epoch = new_samples_each_epoch

    def __len__(self) -> int:
        return self.samples_per_epoch

    def set_epoch(self, epoch: int) -> None:
        """Items of another epoch are drawn from other seeds (only matters with a seed), unless
        ``new_samples_each_epoch`` is False."""
        if self.new_samples_each_epoch:
            self.epoch = int(epoch)

    @staticmethod
    def _sample_visible_ids(rng: random.Random, visible: torch.Tensor, num_ids: int = 1,
                            min_id: Optional[int] = None, max_id: Optional[int] = None) -> Optional[List[int]]:
        """`num_ids` visible frame ids (with replacement) in ``[min_id, max_id)``, [] for none asked,
        None when no frame is visible there."""
        if num_ids == 0:
            return []
        min_id = 0 if min_id is None or min_id < 0 else min_id
        max_id = len(visible) if max_id is None or max_id > len(visible) else max_id
        ids = (torch.nonzero(visible[min_id:max_id].bool(), as_tuple=False).flatten() + min_id).tolist()
        if not ids:
            return None
        return rng.choices(ids, k=num_ids)

    def _enough_visible(self, dataset, visible: torch.Tensor) -> bool:
        if not dataset.is_video_sequence():
            return True
        return int(visible.to(torch.int64).sum()) > 2 * (self.num_test_frames + self.num_train_frames) \
            and len(visible) >= 20

    def _sample_sequence(self, rng: random.Random, dataset):
        return draw_sequence(rng, dataset, self._info_cache, self._enough_visible,
                             f"videos need >= 20 frames and more than "
                             f"{2 * (self.num_test_frames + self.num_train_frames)} visible ones")

    def _sample_frame_ids(self, rng: random.Random, visible: torch.Tensor):
        n_train, n_test, gap = self.num_train_frames, self.num_test_frames, self.max_gap
        gap_increase = 0
        while True:
            if gap_increase > len(visible) + 2 * gap + 10:
                raise RuntimeError("no visible frames around the base frame in this sequence")
            if self.frame_sample_mode == 'interval':
                base = self._sample_visible_ids(rng, visible, 1)
                extra = self._sample_visible_ids(rng, visible, n_train - 1, min_id=base[0] - gap - gap_increase,
                                                 max_id=base[0] + gap + gap_increase)
                if extra is None:
                    gap_increase += 5
                    continue
                train_ids = base + extra
                test_ids = self._sample_visible_ids(rng, visible, n_test, min_id=train_ids[0] - gap - gap_increase,
                                                    max_id=train_ids[0] + gap + gap_increase)
            else:
                base = self._sample_visible_ids(rng, visible, 1, min_id=n_train - 1, max_id=len(visible) - n_test)
                if base is None:
                    raise RuntimeError("no visible base frame with room for the train and test frames")
                prev = self._sample_visible_ids(rng, visible, n_train - 1, min_id=base[0] - gap - gap_increase,
                                                max_id=base[0])
                if prev is None:
                    gap_increase += 5
                    continue
                train_ids = base + prev
                test_ids = self._sample_visible_ids(rng, visible, n_test, min_id=train_ids[0] + 1,
                                                    max_id=train_ids[0] + gap + gap_increase)
            gap_increase += 5
            if test_ids is not None:
                return train_ids, test_ids

    def __getitem__(self, index: int) -> TensorDict:
        """Item `index`; an item with an unreadable frame is skipped and redrawn
        (:func:`ltr.data.sampler.draw_skipping_broken_frames`)."""
        return draw_skipping_broken_frames(self, index, self._draw)

    def _draw(self, index: int, attempt: int) -> TensorDict:
        rng = seeded_item_generator(self.seed, self.epoch, index, attempt)
        dataset = rng.choices(self.datasets, self.p_datasets)[0]
        seq_id, info = self._sample_sequence(rng, dataset)
        if dataset.is_video_sequence():
            train_ids, test_ids = self._sample_frame_ids(rng, info['visible'])
        else:  # an image dataset repeats its image (upstream passes id 1; the readers ignore it)
            train_ids, test_ids = [0] * self.num_train_frames, [0] * self.num_test_frames
        train_frames, train_anno, _ = dataset.get_frames(seq_id, train_ids, info)
        test_frames, test_anno, meta = dataset.get_frames(seq_id, test_ids, info)
        data = TensorDict({'train_images': list(train_frames), 'train_anno': list(train_anno['bbox']),
                           'test_images': list(test_frames), 'test_anno': list(test_anno['bbox']),
                           'dataset': dataset.get_name(),
                           'test_class': (meta or {}).get('object_class_name')})
        return self.processing(data)


class DiMPSampler(TrackingSampler):
    """TrackingSampler with DiMP's default: causal frame sampling."""

    def __init__(self, datasets: Sequence, p_datasets: Optional[Sequence[float]], samples_per_epoch: int,
                 max_gap: int, num_test_frames: int, num_train_frames: int = 1, processing: Callable = no_processing,
                 frame_sample_mode: str = 'causal', **kwargs):
        super().__init__(datasets, p_datasets, samples_per_epoch, max_gap, num_test_frames, num_train_frames,
                         processing, frame_sample_mode, **kwargs)


class ATOMSampler(TrackingSampler):
    """TrackingSampler with ATOM's defaults: one train and one test frame, interval sampling."""

    def __init__(self, datasets: Sequence, p_datasets: Optional[Sequence[float]], samples_per_epoch: int,
                 max_gap: int, num_test_frames: int = 1, num_train_frames: int = 1,
                 processing: Callable = no_processing, frame_sample_mode: str = 'interval', **kwargs):
        super().__init__(datasets, p_datasets, samples_per_epoch, max_gap, num_test_frames, num_train_frames,
                         processing, frame_sample_mode, **kwargs)
