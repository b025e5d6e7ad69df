"""VOT2020 trackers: a base tracker that starts from a mask and reports a mask every frame, spoken to the VOT
toolkit over TraX (upstream ``arena/VOT2020/``: ``trackers/*_ar.py``, ``run_*.py``).

Per frame the arena's step runs (:class:`pytracking.evaluation.running.RefinedTracker`: base box -> clip ->
refiner -> clip -> feed-back), then the reported mask is

- *alphaseg* (``run_*_alphaseg.py``): Alpha-Refine's mask of the search region around the clipped base box,
  thresholded at ``--mask_thres`` (0.65, upstream ``common_path._mask_thres``), from the network pass that
  refined the box (``--feedback refined``, the default: the refined box is fed back) or from a pass of the mask
  branch alone (``--feedback base``, upstream's VOT2020 trackers: the clipped base box is fed back,
  :meth:`RefineModule.mask_frame`). A mask with no pixel above the threshold is replaced by the mask of the
  written box (upstream reported the empty mask);
- *box-only* (``run_pytracking.py``, ``run_siamrpn.py``, ``run_rtmdnet.py``): the mask of the clipped base box
  (upstream ``mask_from_rect``).

The toolkit's initial mask ends at the target: it is padded to the frame (upstream ``make_full_size``) and the
trackers start from its box (upstream ``rect_from_mask``). One process serves every initialisation the toolkit
asks for (a fresh base tracker each time). See ``doc/vot2020.md``.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Callable, Optional, Sequence

import numpy as np

from ltr.data.processing_utils import binarize_mask
from ltr.data.vot_region import VotRegionError, init_box_of_mask, mask_of_box, pad_to_frame
from pytracking.evaluation.running import RefinedTracker
from pytracking.utils.refinement import Refinement

__all__ = ['MASK_THRESHOLD', 'FEEDBACK', 'VotMaskRefiner', 'VOTTracker', 'build_tracker', 'serve', 'main']

MASK_THRESHOLD = 0.65  # upstream arena/VOT2020/common_path.py _mask_thres
FEEDBACK = ('refined', 'base')


class VotMaskRefiner:
    """The refiner of an alphaseg step: the box and the mask of one network pass, the mask thresholded at `threshold`
    (uint8 0/1; the step's own binarisation keeps it as it is). `feedback` 'refined': ``refine_frame`` (the refined
    box goes back to the tracker); 'base': ``mask_frame`` (mask branch alone, the input box goes back)."""

    def __init__(self, refiner: Any, threshold: float = MASK_THRESHOLD, feedback: str = 'refined') -> None:
        if feedback not in FEEDBACK:
            raise ValueError(f"--feedback {feedback}: expected one of {', '.join(FEEDBACK)}")
        if 'mask' not in tuple(getattr(refiner, 'heads', ())):
            raise ValueError(f"alphaseg needs a refiner with a mask head; this one has: "
                             f"{', '.join(getattr(refiner, 'heads', ())) or 'none'}")
        self.refiner, self.threshold, self.feedback = refiner, float(threshold), feedback
        self.heads = refiner.heads

    def initialize(self, frame: np.ndarray, box: Any) -> None:
        """Initialise the wrapped refiner on the target `box`."""
        self.refiner.initialize(frame, box)

    def refine_frame(self, frame: np.ndarray, box: Any, mode: str = 'all', with_mask: bool = True) -> Refinement:
        """The refinement of `box` with the thresholded mask of the same pass (None when the refiner fell back on
        an unusable input box)."""
        if self.feedback == 'base':
            result = self.refiner.mask_frame(frame, box)
        else:
            result = self.refiner.refine_frame(frame, box, mode=mode, with_mask=True)
        if result.mask is not None:
            result.mask = binarize_mask(result.mask, self.threshold)
        return result


class VOTTracker:
    """A base tracker (and, for alphaseg, a :class:`VotMaskRefiner`) behind the VOT interface: ``initialize(image,
    mask)``, ``track(image) -> mask`` (uint8 ``H x W``, 0/1). `make_tracker` gives a fresh base tracker."""

    def __init__(self, make_tracker: Callable[[], Any], refiner: Optional[VotMaskRefiner] = None) -> None:
        self.make_tracker, self.refiner = make_tracker, refiner
        self.step: Optional[RefinedTracker] = None
        self.frames = 0
        self.base_time = self.refine_time = 0.0
        self.empty_masks = 0  # alphaseg masks with no pixel above the threshold (the box's mask was reported)

    @property
    def alphaseg(self) -> bool:
        return self.refiner is not None

    def initialize(self, image: np.ndarray, mask: np.ndarray) -> None:
        """Start on the box of the full-frame `mask` (VotRegionError for an empty or one-pixel mask)."""
        box = init_box_of_mask(mask)
        self.step = RefinedTracker(self.make_tracker(), self.refiner)
        self.step.initialize(image, box)

    def track(self, image: np.ndarray) -> np.ndarray:
        """The mask to report for `image` (see the module docstring)."""
        if self.step is None:
            raise RuntimeError("VOTTracker: initialize(image, mask) first")
        result = self.step.track(image, want_mask=self.alphaseg)
        self.frames += 1
        self.base_time += result.base_time
        self.refine_time += result.refine_time
        if result.mask is not None and result.mask.any():
            return result.mask
        self.empty_masks += int(self.alphaseg)
        return mask_of_box(result.box, image.shape[:2])

    def summary(self) -> str:
        """One line: frames tracked, ms per frame of the base tracker and of the refiner step, empty masks."""
        n = max(self.frames, 1)
        line = f"{self.frames} frames, base {1e3 * self.base_time / n:.1f} ms/frame"
        if self.alphaseg:
            line += (f", refiner {1e3 * self.refine_time / n:.1f} ms/frame (feed-back: {self.refiner.feedback}), "
                     f"empty masks replaced by the box's: {self.empty_masks}")
        return line


def build_tracker(tracker: str, param: str, alphaseg: bool, defaults: Any, refiner: Optional[str] = None,
                  mask_thres: float = MASK_THRESHOLD, feedback: str = 'refined', device: Optional[str] = None,
                  log: Callable[[str], None] = lambda line: None) -> VOTTracker:
    """The VOT tracker of `tracker`/`param` (arena registry, :mod:`arena.trackers`); with `alphaseg` the refiner
    found by :func:`pytracking.evaluation.refiner_source.find_refiner` (`refiner`, else ``defaults.refine_path``,
    ...). Missing trackers, parameter sets, model or refiner files raise one clear error now."""
    from arena.refiners import RefinerError, load_refiner
    from arena.trackers import tracker_factory
    from pytracking.evaluation.refiner_source import find_refiner
    make = tracker_factory(tracker, param)
    if not alphaseg:
        return VOTTracker(make)
    path, line = find_refiner(refiner, getattr(defaults, 'refine_path', None))
    if path is None:
        raise RefinerError(line)
    log(line)
    module = load_refiner(path, getattr(defaults, 'selector_path', 0), getattr(defaults, 'sr', 2.0),
                          getattr(defaults, 'input_sz', 256), device=device)
    return VOTTracker(make, VotMaskRefiner(module, mask_thres, feedback))


def serve(tracker: VOTTracker) -> int:
    """Answer the toolkit over TraX (``vot-trax``) until it quits: masks in, masks out; returns the initialisations
    served. Images arrive as file paths (``color`` channel) and are read as RGB. An error ends the session with
    its message as the reason, then propagates."""
    from trax import Image, Region
    from trax.server import Server
    server = Server([Region.MASK], [Image.PATH], ['color'], tracker_name='alpharefine')
    try:
        starts = _answer(server, tracker)
    except BaseException as e:
        server.quit(reason=' '.join(str(e).split()) or type(e).__name__)
        raise
    server.quit()
    return starts


def _answer(server: Any, tracker: VOTTracker) -> int:
    """The request loop of :func:`serve`."""
    from trax import TraxStatus
    from trax.region import Mask
    from ltr.data.image_loader import default_image_loader as read_image
    starts = 0
    while True:
        request = server.wait()
        if request.type == TraxStatus.QUIT:
            return starts
        image = read_image(request.image['color'].path())
        if request.type == TraxStatus.INITIALIZE:
            region, _ = request.objects[0]
            tracker.initialize(image, pad_to_frame(region.array(True), image.shape[:2]))
            starts += 1
            server.status([(region, {})])
        else:
            server.status([(Mask.create(np.ascontiguousarray(tracker.track(image), dtype=np.uint8)), {})])


def build_parser(tracker: str, param: str, choose_tracker: bool, alphaseg: bool) -> argparse.ArgumentParser:
    """Flags of the VOT2020 entry points (upstream's, plus the refiner file, feed-back and device)."""
    kind = 'Alpha-Refine masks' if alphaseg else 'the mask of its box'
    who = 'a pytracking tracker' if choose_tracker else tracker
    p = argparse.ArgumentParser(description=f"VOT2020 TraX tracker: {who} reporting {kind}; launched by the VOT "
                                            f"toolkit (doc/vot2020.md).")
    if choose_tracker:
        p.add_argument('--tracker_name', '--tracker-name', dest='tracker_name', default=tracker,
                       help=f'pytracking tracker: dimp, atom, eco, kcf ... (default {tracker})')
        p.add_argument('--tracker_param', '--tracker-param', dest='tracker_param', default=param,
                       help=f'its parameter set (default {param})')
    if alphaseg:
        p.add_argument('--mask_thres', '--mask-thres', dest='mask_thres', type=float, default=MASK_THRESHOLD,
                       help=f'threshold of the mask probabilities (default {MASK_THRESHOLD}, upstream)')
        p.add_argument('--refiner', '--refine-path', '--refine_path', dest='refiner', default=None,
                       help='refiner checkpoint (default: refiner_source.find_refiner: common_path.refine_path, '
                            'the official AR34c+m, a local or the shipped synthetic refiner)')
        p.add_argument('--feedback', choices=FEEDBACK, default='refined',
                       help="box fed back to the tracker: 'refined' (the arena's step, default) or 'base' "
                            "(upstream VOT2020: the clipped base box; the mask branch runs alone)")
    p.add_argument('--device', default=None, help='torch device (default: CUDA when available, else CPU)')
    p.add_argument('--threads', type=int, default=1, help='torch threads (default 1, as upstream)')
    return p


def main(argv: Optional[Sequence[str]], defaults: Any, tracker: str, param: str = 'default', alphaseg: bool = False,
         choose_tracker: bool = False) -> int:
    """The entry points' main: build the tracker, then serve the toolkit; returns the exit status (1 with one line
    on stderr when the tracker cannot be built or the toolkit sends a mask it cannot start from)."""
    args = build_parser(tracker, param, choose_tracker, alphaseg).parse_args(argv)
    prog = os.path.basename(sys.argv[0]) or 'vot2020'

    def log(line: str) -> None:  # stdout is the TraX channel: messages go to stderr
        print(f"{prog}: {line}", file=sys.stderr, flush=True)

    from arena.refiners import RefinerError
    from arena.trackers import TrackerUnavailable
    from ltr.admin.cli import user_error_types
    import torch
    try:
        if args.threads > 0:
            torch.set_num_threads(args.threads)
        name, par = (args.tracker_name, args.tracker_param) if choose_tracker else (tracker, param)
        vot_tracker = build_tracker(name, par, alphaseg, defaults, getattr(args, 'refiner', None),
                                    getattr(args, 'mask_thres', MASK_THRESHOLD), getattr(args, 'feedback', 'refined'),
                                    args.device, log)
        serve(vot_tracker)
    except (RefinerError, TrackerUnavailable, VotRegionError, ValueError, OSError) + user_error_types() as e:
        log(f"error: {' '.join(str(e).split())}")
        return 1
    log(vot_tracker.summary())
    return 0
