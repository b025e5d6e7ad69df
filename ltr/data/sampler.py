"""SEMaskSampler: template/search frame pairs for the Alpha-Refine refiner (``ltr/data/ardata/SEsampler.py``).

Each item: pick a dataset by weight, a sequence with enough visible frames, a visible template
(train) frame and a visible search (test) frame within ``max_gap`` of it (the window grows by 5
until one is found), read them, and hand them to the processing. Image datasets use their one
image for both frames. Datasets without masks yield all-zero masks and ``mask=False``.

Randomness: with ``seed=None`` the global generators are used, as upstream. With a seed, item
``index`` of epoch ``e`` is drawn from a generator seeded by ``(seed, e, index)`` and the global
``random``/NumPy/torch generators used by the processing are seeded from it too, so an item is
the same whatever worker draws it. Under DDP pass a seed that includes the rank.

Broken frames (:func:`draw_skipping_broken_frames`, also used by the samplers of
``ltr/data/sampler_tracking.py``): an item whose frame or mask cannot be read (missing, empty, undecodable or
truncated file: ``ImageReadError``) is skipped and drawn again (with a seed: from ``(seed, epoch, index,
attempt)``, so still reproducible); the first skips of a process are reported on stderr with their path, each
item says in ``skipped_samples`` how many draws it skipped (the trainer logs their sum per epoch), and
:data:`MAX_CONSECUTIVE_SKIPS` skips in a row are a :class:`BrokenDatasetError` rather than an endless loop.
"""
from __future__ import annotations

import random
import sys
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.utils.data

from ltr.data.image_loader import ImageReadError
from ltr.data.tensordict import TensorDict

# A dataset where this many draws in a row find no usable sequence is an error, not an endless loop.
MAX_SEQUENCE_DRAWS = 10000
# Items whose frames cannot be read: this many in a row is a broken dataset, not bad luck.
MAX_CONSECUTIVE_SKIPS = 50
SKIPPED_KEY = 'skipped_samples'  # per item: draws skipped before it (unreadable frames)
REPORTED_SKIPS = 10  # skips of one process reported on stderr with their path (the rest only counted)


class BrokenDatasetError(RuntimeError):
    """Too many items in a row had a frame that cannot be read; the message names the last file."""


def draw_skipping_broken_frames(sampler: Any, index: int, draw: Callable[[int, int], Any],
                                max_skips: int = MAX_CONSECUTIVE_SKIPS) -> Any:
    """``draw(index, attempt)`` for attempt 0, 1, ... until an item's frames can all be read; returns the item
    with ``item['skipped_samples']`` = the draws skipped for it. Each skip adds 1 to ``sampler.skipped_samples``
    (this process's count) and the first :data:`REPORTED_SKIPS` are reported on stderr with the file;
    `max_skips` skips in a row are a BrokenDatasetError."""
    last: Optional[ImageReadError] = None
    for attempt in range(max_skips + 1):
        try:
            item = draw(index, attempt)
        except ImageReadError as e:
            last = e
            sampler.skipped_samples = getattr(sampler, 'skipped_samples', 0) + 1
            if sampler.skipped_samples <= REPORTED_SKIPS:
                more = ' (further skips are only counted)' if sampler.skipped_samples == REPORTED_SKIPS else ''
                print(f"training sample skipped: {' '.join(str(e).split())}{more}", file=sys.stderr, flush=True)
            continue
        if isinstance(item, dict):
            item[SKIPPED_KEY] = attempt
        return item
    raise BrokenDatasetError(f"{max_skips + 1} training samples in a row had a frame that cannot be read (last: "
                             f"{' '.join(str(last).split())}); check the dataset files")


def no_processing(data: TensorDict) -> TensorDict:
    return data


def _item_seed(seed: int, epoch: int, index: int, attempt: int = 0) -> int:
    """The seed of item `index` of `epoch` (draw `attempt` > 0: a redraw after unreadable frames)."""
    entropy = [int(seed) % (2 ** 63), int(epoch), int(index)] + ([int(attempt)] if attempt else [])
    ss = np.random.SeedSequence(entropy)
    return int(ss.generate_state(1, dtype=np.uint64)[0] % (2 ** 63))


def dataset_probabilities(p_datasets: Sequence[float], num_datasets: int) -> List[float]:
    """`p_datasets` normalised to sum 1; a ValueError unless there is one non-negative weight per dataset and
    their sum is positive."""
    if len(p_datasets) != num_datasets:
        raise ValueError(f"p_datasets has {len(p_datasets)} weights for {num_datasets} datasets")
    if any(p < 0 for p in p_datasets) or sum(p_datasets) <= 0:
        raise ValueError(f"p_datasets must be non-negative with a positive sum, got {list(p_datasets)}")
    total = float(sum(p_datasets))
    return [p / total for p in p_datasets]


class SequenceInfoCache:
    """Sequence infos (boxes, visibility) of the datasets a sampler draws from, at most `size` of them, the
    oldest dropped first; `size` <= 0 reads every time. Each sampler (and each loader worker) has its own."""

    def __init__(self, size: int):
        self.size = int(size)
        self._infos: Dict = {}

    def __len__(self) -> int:
        return len(self._infos)

    def get(self, dataset, seq_id: int):
        """``dataset.get_sequence_info(seq_id)``, read once while it stays in the cache."""
        if self.size <= 0:
            return dataset.get_sequence_info(seq_id)
        key = (id(dataset), seq_id)
        info = self._infos.get(key)
        if info is None:
            info = dataset.get_sequence_info(seq_id)
            if len(self._infos) >= self.size:
                self._infos.pop(next(iter(self._infos)))
            self._infos[key] = info
        return info


def draw_sequence(rng: random.Random, dataset, infos: SequenceInfoCache,
                  enough: Callable[[Any, torch.Tensor], bool], requirement: str):
    """``(seq_id, info)`` of a random sequence of `dataset` (infos read through `infos`) whose visibility passes
    ``enough(dataset, visible)``; a RuntimeError naming the dataset and `requirement` after ``MAX_SEQUENCE_DRAWS``
    failed draws."""
    for _ in range(MAX_SEQUENCE_DRAWS):
        seq_id = rng.randint(0, dataset.get_num_sequences() - 1)
        info = infos.get(dataset, seq_id)
        if enough(dataset, info['visible']):
            return seq_id, info
    raise RuntimeError(f"dataset '{dataset.get_name()}': no sequence with enough visible frames in "
                       f"{MAX_SEQUENCE_DRAWS} draws ({requirement})")


class SEMaskSampler(torch.utils.data.Dataset):
    """Pairs (1 train frame, `num_test_frames` test frames) with masks, for SEcm training.

    Args:
        datasets: BaseVideoDataset instances.
        p_datasets: relative weights (None: uniform); normalised.
        samples_per_epoch: the sampler's length.
        max_gap: largest frame distance between template and search frame (window grows when needed).
        num_test_frames: search frames per item.
        processing: callable applied to the TensorDict of each item.
        frame_sample_mode: 'default' (search frame on either side) or 'causal' (after the template).
        seed: None for the global generators (upstream), else per-item seeding (see module docstring).
        info_cache_size: sequence infos (boxes, visibility) kept per sampler (and per worker), so a
            sequence drawn again is not parsed again; 0 disables the cache.
    """

    def __init__(self, datasets: Sequence, p_datasets: Optional[Sequence[float]], samples_per_epoch: int,
                 max_gap: int, num_test_frames: int = 1, processing: Callable = no_processing,
                 frame_sample_mode: str = 'default', seed: Optional[int] = None, info_cache_size: int = 512):
        if not datasets:
            raise ValueError("SEMaskSampler needs at least one dataset")
        if p_datasets is None:
            p_datasets = [1] * len(datasets)
        if frame_sample_mode not in ('default', 'causal'):
            raise ValueError(f"frame_sample_mode must be 'default' or 'causal', got '{frame_sample_mode}'")
        self.datasets = list(datasets)
        self.p_datasets = dataset_probabilities(p_datasets, len(datasets))
        self.samples_per_epoch = int(samples_per_epoch)
        self.max_gap = max_gap
        self.num_test_frames = num_test_frames
        self.num_train_frames = 1
        self.processing = processing
        self.frame_sample_mode = frame_sample_mode
        self.seed = seed
        self.epoch = 0
        self._info_cache = SequenceInfoCache(info_cache_size)
        self.skipped_samples = 0  # draws skipped in this process because a frame could not be read

    def __len__(self) -> int:
        return self.samples_per_epoch

    def set_epoch(self, epoch: int) -> None:
        """Items of another epoch are drawn from other seeds (only matters with a seed)."""
        self.epoch = int(epoch)

    # --- frame choice -------------------------------------------------------------------------------
    @staticmethod
    def _sample_visible_ids(rng: random.Random, visible: torch.Tensor, num_ids: int = 1,
                            min_id: Optional[int] = None, max_id: Optional[int] = None) -> Optional[List[int]]:
        """`num_ids` visible frame ids (with replacement) in ``[min_id, max_id)``, or None when there is none."""
        min_id = 0 if min_id is None or min_id < 0 else min_id
        max_id = len(visible) if max_id is None or max_id > len(visible) else max_id
        if num_ids == 0:
            return []
        ids = (torch.nonzero(visible[min_id:max_id].bool(), as_tuple=False).flatten() + min_id).tolist()
        if not ids:
            return None
        return rng.choices(ids, k=num_ids)

    def _enough_visible(self, dataset, visible: torch.Tensor) -> bool:
        """Upstream's rule: images need one visible box; videos > 2*(train+test) visible frames and
        a length of 20 (2 for datasets with masks)."""
        num_visible = int(visible.to(torch.int64).sum())
        if not dataset.is_video_sequence():
            return num_visible > 0
        min_visible = 2 * (self.num_test_frames + self.num_train_frames)
        min_length = 2 if dataset.has_mask() else 20
        return num_visible > min_visible and len(visible) >= min_length

    def _sample_sequence(self, rng: random.Random, dataset):
        return draw_sequence(rng, dataset, self._info_cache, self._enough_visible,
                             f"videos need > {2 * (self.num_test_frames + 1)} visible frames")

    def _sample_frame_ids(self, rng: random.Random, visible: torch.Tensor):
        gap_increase = 0
        while True:
            if self.frame_sample_mode == 'default':
                train_ids = self._sample_visible_ids(rng, visible, self.num_train_frames)
                test_ids = self._sample_visible_ids(rng, visible, self.num_test_frames,
                                                    min_id=train_ids[0] - self.max_gap - gap_increase,
                                                    max_id=train_ids[0] + self.max_gap + gap_increase)
            else:
                train_ids = self._sample_visible_ids(rng, visible, 1, min_id=self.num_train_frames - 1,
                                                     max_id=len(visible) - self.num_test_frames)
                test_ids = None if train_ids is None else self._sample_visible_ids(
                    rng, visible, self.num_test_frames, min_id=train_ids[0] + 1,
                    max_id=train_ids[0] + self.max_gap + gap_increase)
            if test_ids is not None:
                return train_ids, test_ids
            gap_increase += 5
            if gap_increase > len(visible) + 2 * self.max_gap + 10:
                raise RuntimeError("no visible search frame after the template in this sequence")

    # --- item ---------------------------------------------------------------------------------------
    @staticmethod
    def _frames_and_masks(dataset, seq_id: int, frame_ids: List[int], info):
        frames, anno, _ = dataset.get_frames(seq_id, frame_ids, info)
        if dataset.has_mask():
            # 0/1 uint8 as a view of the comparison's bool result (no second full-frame copy)
            masks = [np.greater(np.asarray(m.numpy() if isinstance(m, torch.Tensor) else m), 0).view(np.uint8)
                     for m in anno['mask']]
        else:
            masks = [np.zeros(f.shape[:2], dtype=np.uint8) for f in frames]
        return frames, masks, anno['bbox']

    def _rng_for(self, index: int, attempt: int = 0) -> random.Random:
        if self.seed is None:
            return random._inst  # the global generator, as upstream
        s = _item_seed(self.seed, self.epoch, index, attempt)
        random.seed(s)
        np.random.seed(s % (2 ** 32))
        # CPU generator only: torch.manual_seed would also queue seeds for every accelerator
        # backend, which costs milliseconds per item
        torch.random.default_generator.manual_seed(s)
        return random.Random(s ^ 0x5EED)

    def __getitem__(self, index: int) -> TensorDict:
        """Item `index` (an item with an unreadable frame is skipped and redrawn, see the module docstring)."""
        return draw_skipping_broken_frames(self, index, self._draw)

    def _draw(self, index: int, attempt: int) -> TensorDict:
        rng = self._rng_for(index, attempt)
        dataset = rng.choices(self.datasets, self.p_datasets)[0]
        seq_id, info = self._sample_sequence(rng, dataset)
        if dataset.is_video_sequence():
            train_ids, test_ids = self._sample_frame_ids(rng, info['visible'])
        else:
            # upstream passes id 1 to image datasets, whose readers ignore the id; ours do too
            train_ids, test_ids = [0] * self.num_train_frames, [0] * self.num_test_frames
        train_frames, train_masks, train_anno = self._frames_and_masks(dataset, seq_id, train_ids, info)
        test_frames, test_masks, test_anno = self._frames_and_masks(dataset, seq_id, test_ids, info)
        data = TensorDict({'train_images': train_frames, 'train_masks': train_masks, 'train_anno': train_anno,
                           'test_images': test_frames, 'test_masks': test_masks, 'test_anno': test_anno,
                           'dataset': dataset.get_name(), 'mask': bool(dataset.has_mask())})
        return self.processing(data)
