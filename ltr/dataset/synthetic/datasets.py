"""ltr training datasets of the synthetic benchmark: read a generated tree, or generate on the fly.

Both follow :class:`ltr.dataset.base_video_dataset.BaseVideoDataset` and have masks.
"""
from __future__ import annotations

import os
from collections import OrderedDict
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from ltr.data.annotations import list_file, read_boxes, read_flags
from ltr.data.image_loader import default_image_loader, imread_mask
from ltr.dataset.base_video_dataset import BaseVideoDataset, frames_of_annotation, valid_and_visible
from ltr.dataset.synthetic.config import SyntheticConfig, check_positive
from ltr.dataset.synthetic.render import render_crop, render_frame, target_box
from ltr.dataset.synthetic.scene import SequencePlan, plan_sequence
from ltr.dataset.synthetic.tree import SyntheticTreeError, ensure_synthetic_benchmark, read_manifest
from ltr.dataset.synthetic.writers import annotate_sequence


def _mask_tensor(mask: np.ndarray) -> torch.Tensor:
    return torch.from_numpy((np.asarray(mask) > 127).astype(np.float32))


def _read_meta_info(path: str) -> Dict[str, Optional[str]]:
    """The GOT-10k ``meta_info.ini`` keys as a dict (missing file: empty dict)."""
    if not os.path.isfile(path):
        return {}
    with open(path) as f:
        pairs = [line.split(': ', 1) for line in f.read().splitlines()[1:] if ': ' in line]
    return {k.strip(): v.strip() for k, v in pairs}


class _LRU:
    """A tiny least-recently-used cache: ``get(key, make)``."""

    def __init__(self, size: int):
        self.size = max(1, size)
        self.items: OrderedDict = OrderedDict()

    def get(self, key, make: Callable):
        if key in self.items:
            self.items.move_to_end(key)
            return self.items[key]
        value = make()
        self.items[key] = value
        if len(self.items) > self.size:
            self.items.popitem(last=False)
        return value


class SyntheticTracking(BaseVideoDataset):
    """A generated synthetic tree (LaSOT or GOT-10k layout, read from its manifest), with masks.

    ``root=None`` uses (and generates on first use) the default tree of
    :func:`ensure_synthetic_benchmark` for `split` in the GOT-10k layout.
    """

    def __init__(self, root: Optional[str] = None, split: str = 'train', image_loader=default_image_loader,
                 **generate_kwargs):
        if root is None:
            root = ensure_synthetic_benchmark(layout='got10k', split=split, **generate_kwargs)
        manifest = read_manifest(root)
        if manifest is None:
            raise SyntheticTreeError(f"{root}: no synthetic manifest; generate it with python -m ltr.dataset.synthetic")
        self.layout = manifest['layout']
        if self.layout not in ('lasot', 'got10k'):
            raise SyntheticTreeError(f"{root}: a {self.layout} tree is an evaluation set; "
                                     f"train on a lasot or got10k tree")
        if split not in manifest.get('splits', {}):
            raise SyntheticTreeError(f"{root}: no '{split}' split (has {', '.join(sorted(manifest['splits']))})")
        super().__init__(f"synthetic_{self.layout}", root, image_loader)
        self.split = split
        self.manifest = manifest
        if self.layout == 'got10k':
            self.sequence_list = list_file(os.path.join(root, split, 'list.txt'))
        else:
            self.sequence_list = list_file(os.path.join(root, 'testing_set.txt' if split == 'test' else 'training_set.txt'))
        self.class_list = sorted({self._class_of(s) for s in self.sequence_list})
        self._info_cache = _LRU(256)
        self._meta_cache = _LRU(256)

    def _class_of(self, name: str) -> str:
        if self.layout == 'lasot':
            return name[:name.rfind('-')]
        return _read_meta_info(os.path.join(self.sequence_path(self.sequence_list.index(name)), 'meta_info.ini')).get(
            'object_class', 'unknown')

    def sequence_path(self, seq_id: int) -> str:
        """Folder of sequence `seq_id`."""
        name = self.sequence_list[seq_id]
        if self.layout == 'got10k':
            return os.path.join(self.root, self.split, name)
        return os.path.join(self.root, name[:name.rfind('-')], name)

    def frame_path(self, seq_id: int, frame_id: int) -> str:
        """Image file of frame `frame_id` (0-based) of sequence `seq_id`."""
        sub = '' if self.layout == 'got10k' else 'img'
        return os.path.join(self.sequence_path(seq_id), sub, f"{frame_id + 1:08d}.jpg")

    def mask_path(self, seq_id: int, frame_id: int) -> str:
        """Mask file of frame `frame_id` (0-based) of sequence `seq_id`."""
        return os.path.join(self.sequence_path(seq_id), 'masks', f"{frame_id + 1:08d}.png")

    def has_class_info(self) -> bool:
        return True

    def has_occlusion_info(self) -> bool:
        return True

    def has_mask(self) -> bool:
        return True

    def get_sequences_in_class(self, class_name: str) -> List[int]:
        return [i for i, s in enumerate(self.sequence_list) if self._class_of(s) == class_name]

    def _absent(self, seq_id: int) -> np.ndarray:
        path = self.sequence_path(seq_id)
        if self.layout == 'got10k':
            return read_flags(os.path.join(path, 'absence.label')).astype(bool)
        return (read_flags(os.path.join(path, 'full_occlusion.txt')) |
                read_flags(os.path.join(path, 'out_of_view.txt'))).astype(bool)

    def _read_info(self, seq_id: int) -> Dict[str, torch.Tensor]:
        bbox = torch.from_numpy(read_boxes(os.path.join(self.sequence_path(seq_id), 'groundtruth.txt'))).float()
        visible = torch.from_numpy(~self._absent(seq_id))
        return valid_and_visible(bbox, visible)

    def get_sequence_info(self, seq_id: int) -> Dict[str, torch.Tensor]:
        """``bbox`` (N, 4) float32, ``valid`` and ``visible`` (N,) bool (absent frames are invisible)."""
        return self._info_cache.get(seq_id, lambda: self._read_info(seq_id))

    def get_meta(self, seq_id: int) -> Dict[str, Optional[str]]:
        """Object class and motion labels (GOT-10k meta_info.ini keys; LaSOT: the class); cached per sequence."""
        return dict(self._meta_cache.get(seq_id, lambda: self._read_meta(seq_id)))

    def _read_meta(self, seq_id: int) -> Dict[str, Optional[str]]:
        if self.layout == 'lasot':
            return {'object_class_name': self._class_of(self.sequence_list[seq_id]), 'motion_class': None,
                    'major_class': None, 'root_class': None, 'motion_adverb': None}
        info = _read_meta_info(os.path.join(self.sequence_path(seq_id), 'meta_info.ini'))
        return {'object_class_name': info.get('object_class'), 'motion_class': info.get('motion_class'),
                'major_class': info.get('major_class'), 'root_class': info.get('root_class'),
                'motion_adverb': info.get('motion_adverb')}

    def get_frames(self, seq_id: int, frame_ids: Sequence[int], anno: Optional[Dict] = None):
        """Frames (RGB uint8), per-frame annotations with ``mask`` (float32 {0, 1}) and the meta dict."""
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        frames = [self.image_loader(self.frame_path(seq_id, f)) for f in frame_ids]
        anno_frames = frames_of_annotation(anno, frame_ids)
        anno_frames['mask'] = [_mask_tensor(imread_mask(self.mask_path(seq_id, f))) for f in frame_ids]
        return frames, anno_frames, self.get_meta(seq_id)


class SyntheticTrackingOnTheFly(BaseVideoDataset):
    """The synthetic videos generated in memory: unlimited sequences, nothing read from disk.

    Sequence `i` is the same video that :func:`generate_tree` writes for index `i` of `split` with
    the same seed, size, frames and knobs (before JPEG compression). For training pairs,
    :meth:`sample_pair` renders only the two crops a pair needs, directly at crop resolution.
    """

    def __init__(self, num_sequences: int = 1000, frames: int = 300, size: Tuple[int, int] = (640, 480),
                 seed: int = 0, split: str = 'train', config: Optional[SyntheticConfig] = None, cache_size: int = 64):
        super().__init__('synthetic_on_the_fly', '', default_image_loader)
        check_positive('num_sequences', num_sequences)
        check_positive('frames', frames)
        self.num_frames = frames
        self.size = (int(size[0]), int(size[1]))
        self.seed = int(seed)
        self.split = split
        self.config = (config or SyntheticConfig()).validated()
        self.sequence_list = [f"synthetic-{split}-{i}" for i in range(num_sequences)]
        self._plans = _LRU(cache_size)
        self._infos = _LRU(cache_size)

    def has_mask(self) -> bool:
        return True

    def has_occlusion_info(self) -> bool:
        return True

    def plan(self, seq_id: int) -> SequencePlan:
        """The (cached) plan of sequence `seq_id`."""
        return self._plans.get(seq_id, lambda: plan_sequence(self.config, self.seed, self.split, seq_id,
                                                             self.size[0], self.size[1], self.num_frames))

    def _info(self, seq_id: int) -> Dict[str, torch.Tensor]:
        anno = annotate_sequence(self.plan(seq_id))
        return valid_and_visible(torch.from_numpy(anno.boxes).float(), torch.from_numpy(~anno.absent))

    def get_sequence_info(self, seq_id: int) -> Dict[str, torch.Tensor]:
        """Exact boxes of every frame (renders all target masks once; cached)."""
        return self._infos.get(seq_id, lambda: self._info(seq_id))

    def frame_box(self, seq_id: int, frame_id: int) -> np.ndarray:
        """Exact ground-truth box of one frame (0,0,0,0 when absent) without annotating the sequence."""
        return target_box(self.plan(seq_id), frame_id)

    def get_frames(self, seq_id: int, frame_ids: Sequence[int], anno: Optional[Dict] = None):
        """Full frames rendered in memory, per-frame annotations with ``mask``, and the meta dict."""
        plan = self.plan(seq_id)
        rendered = [render_frame(plan, f) for f in frame_ids]
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        anno_frames = frames_of_annotation(anno, frame_ids)
        anno_frames['mask'] = [_mask_tensor(m) for _, m in rendered]
        meta = {'object_class_name': plan.family, 'motion_class': None, 'major_class': None,
                'root_class': None, 'motion_adverb': None}
        return [img for img, _ in rendered], anno_frames, meta

    def render_crop(self, seq_id: int, frame_id: int, crop_xywh, out_size: Tuple[int, int]):
        """Image and mask (uint8 0/255) of the frame region `crop_xywh` resized to ``out_size=(w, h)``."""
        return render_crop(self.plan(seq_id), frame_id, crop_xywh, out_size)

    def sample_pair(self, index: int, output_sz: int = 256, search_area_factor: float = 2.0, max_gap: int = 100,
                    center_jitter: float = 0.25, scale_jitter: float = 0.25, max_tries: int = 20) -> Dict:
        """Template/search training pair number `index` (deterministic in `index` and the seed).

        Both crops are squares of side ``search_area_factor * sqrt(w * h)`` of the frame box; the
        template is centred on its box, the search crop is jittered in centre and scale. Boxes are
        returned in crop pixels (float64 xywh). Only the two crops are rendered.
        """
        rng = np.random.default_rng([self.seed, 0x5A17, int(index)])
        n = self.get_num_sequences()
        for attempt in range(max_tries):
            if attempt % 4 == 0:  # absent frames: try other frames of the same video first (its plan is cached)
                seq = int(rng.integers(n))
            t1 = int(rng.integers(self.num_frames))
            t2 = int(np.clip(t1 + rng.integers(-max_gap, max_gap + 1), 0, self.num_frames - 1))
            b1, b2 = self.frame_box(seq, t1), self.frame_box(seq, t2)
            if b1[2] > 0 and b2[2] > 0:
                break
        else:
            raise RuntimeError(f"no visible pair found in {max_tries} tries (index {index})")
        out = {'seq_id': seq, 'frame_ids': (t1, t2)}
        for key, box, jitter in (('template', b1, False), ('search', b2, True)):
            side = search_area_factor * float(np.sqrt(box[2] * box[3]))
            centre = box[:2] + box[2:] / 2
            if jitter:
                side *= float(np.exp(rng.normal() * scale_jitter))
                centre = centre + (rng.random(2) - 0.5) * center_jitter * side
            crop = np.array([centre[0] - side / 2, centre[1] - side / 2, side, side])
            image, mask = self.render_crop(seq, [t1, t2][key == 'search'], crop, (output_sz, output_sz))
            scale = output_sz / side
            out[f'{key}_image'] = image
            out[f'{key}_mask'] = mask
            out[f'{key}_box'] = np.array([(box[0] - crop[0]) * scale, (box[1] - crop[1]) * scale,
                                          box[2] * scale, box[3] * scale])
            out[f'{key}_crop'] = crop
        return out
