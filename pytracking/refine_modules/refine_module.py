"""Alpha-Refine at test time: refine a base tracker's box on each frame (upstream ``refine_module.py``).

``RefineModule(net_or_checkpoint)`` -> ``initialize(first_frame, first_box)`` -> per frame
``refine(frame, box)``; the arena's per-frame step calls ``refine_frame`` (box, and the mask of the same
network pass), the VOT2020 trackers ``refine_frame`` or ``mask_frame`` (upstream ``refine_module_vot20``:
the mask branch alone, the box kept). Frames are RGB uint8 ``H x W x 3`` arrays, boxes float ``(x, y, w, h)``.
Crops, normalisation and the map back to the image reproduce upstream's formulas
(``ltr/data/processing_utils.py`` ``*_SE``). Differences from upstream, all deliberate:
``bbox``/``mask`` modes work (or give a clear error) instead of crashing, no hard-coded CUDA calls
(``device`` argument), and ``refine`` never raises on a bad box mid-sequence (DESIGN.md section 7).
"""
from __future__ import annotations

import copy
import os
from typing import Any, Dict, List, Optional, Sequence as TypingSequence, Tuple, Union

import cv2
import numpy as np
import torch
import torch.nn as nn

from ltr.data.bounding_box_utils import xyxy_to_xywh
from ltr.data.processing_utils import (map_box_back_SE, map_mask_back, mask2bbox, sample_target_SE,
                                       transform_image_to_crop_SE)
from pytracking.refine_modules.fast import inference_copy
from pytracking.refine_modules.onnx_backend import onnxruntime_available, runner_for
from pytracking.refine_modules.utils import delta2bbox
from pytracking.utils.device import resolve_device
from pytracking.utils.loading import load_network
from pytracking.utils.refinement import Refinement, box_problem

MODES = ('bbox', 'mask', 'corner', 'all')
BACKENDS = ('auto', 'torch', 'onnxruntime')
NO_BOX = np.full(4, np.nan)  # mask2bbox's answer when the mask has no usable contour
BOX_BRANCHES = ('bbox', 'corner', 'mask')  # upstream order of the boxes 'all' selects from
OFFICIAL_CHECKPOINT_HINT = ('the official AR34c+m file goes to '
                            'ltr/checkpoints/ltr/SEx_beta/SEcm_r34/SEcmnet_ep0040-c.pth.tar')
MEAN = np.array([0.485, 0.456, 0.406]).reshape((1, 1, 3))
STD = np.array([0.229, 0.224, 0.225]).reshape((1, 1, 3))


def normalisation_table(mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """(3, 256) float32 table of ``((v / 255.0) - mean_c) / std_c`` computed in float64 (upstream's numbers)."""
    levels = np.arange(256, dtype=np.float64).reshape(256, 1)
    table = ((levels / 255.0) - np.reshape(mean, (1, 3))) / np.reshape(std, (1, 3))
    return np.ascontiguousarray(table.astype(np.float32).T)


def resolve_backend(backend: str, device: torch.device, fast: bool = True, precision: str = 'float32') -> str:
    """The backend ``'auto'`` stands for: ONNX Runtime for the fast float32 path on CPU when
    onnxruntime is installed (about 1.3x faster than the fast PyTorch path there: doc/refiner.md),
    else PyTorch. Other values are checked and returned as they are."""
    if backend not in BACKENDS:
        raise ValueError(f"backend should be one of {list(BACKENDS)}, got {backend!r}")
    if backend != 'auto':
        return backend
    on_cpu = torch.device(device).type == 'cpu'
    return 'onnxruntime' if on_cpu and fast and precision == 'float32' and onnxruntime_available() else 'torch'


def _check_frame(frame: np.ndarray) -> np.ndarray:
    if not isinstance(frame, np.ndarray) or frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        desc = f"{frame.dtype} array of shape {frame.shape}" if isinstance(frame, np.ndarray) else type(frame).__name__
        raise ValueError(f"frame must be an RGB uint8 array of shape HxWx3, got {desc}")
    return frame


def network_heads(net: nn.Module) -> Tuple[str, ...]:
    """Box heads of a refiner network, in upstream order (``net.heads`` or its ``*_head`` modules)."""
    heads = getattr(net, 'heads', None)
    if heads is None:
        heads = [b for b in BOX_BRANCHES if isinstance(getattr(net, f'{b}_head', None), nn.Module)]
    return tuple(b for b in BOX_BRANCHES if b in heads)


class RefineModule:
    """The Alpha-Refine refiner around a network with a reference and a test branch.

    args:
        refine_net_dir: checkpoint path (resolved against ``network_path`` like other pytracking
            networks, loaded strictly) or an already built ``nn.Module`` (e.g. ``SEcm_resnet34(...)``).
        selector: index into the network's boxes (bbox, corner, mask order, only those it has) that
            ``mode='all'`` returns; None means 0 (the corner box for SEcm_r34).
        search_factor: crop side / box side (2.0).
        input_sz: crop size; the network's own ``input_sz`` wins when it has one.
        device: torch device; default CUDA if available, else CPU.
        fast: run an inference copy of the network (BatchNorm folded, channels-last on CPU, crops
            normalised straight into the network's layout, corner head of the mask mode only when
            the mask has no usable contour); False runs the plain eager network as upstream does.
            Both give the same boxes up to float rounding (tests: 1e-3 px, masks 1e-4).
        backend: ``'torch'``, ``'onnxruntime'`` (search branch exported to ONNX in memory and run
            by ONNX Runtime; needs the ``[onnx]`` extra; the reference branch stays in PyTorch) or
            ``'auto'`` (default: see :func:`resolve_backend`; ``self.backend`` is the one chosen).
        precision: ``'float32'`` (default), or ``'float16'`` / ``'bfloat16'`` on CUDA with the torch
            backend (not bit-compatible: see doc/refiner.md for the measured box error).
        threads: ONNX Runtime intra-op threads (default: torch's thread count).

    ``refine_network`` is the network as given (its weights are never modified);
    ``inference_network`` is what runs (the folded copy with ``fast=True``).

    Never raises on a bad box mid-sequence: a degenerate input box (see
    :func:`~pytracking.utils.refinement.box_problem`) is replaced by the last valid box (the initial box,
    then the latest box :meth:`refine` returned); a degenerate refined box (the same check: NaN, w/h <= 0,
    outside the frame, far larger than it) is replaced by the input box. :meth:`refine_frame` (the
    arena's per-frame step) reports such a fall-back and its reason instead, and keeps no memory.
    """

    def __init__(self, refine_net_dir: Union[str, os.PathLike, nn.Module], selector: Optional[int] = None,
                 search_factor: float = 2.0, input_sz: int = 256, *, device: Union[None, str, torch.device] = None,
                 fast: bool = True, backend: str = 'auto', precision: str = 'float32',
                 threads: Optional[int] = None):
        self.device = resolve_device(device)
        backend = resolve_backend(backend, self.device, fast, precision)
        self.dtype = self._check_precision(precision, backend)
        self.fast, self.backend = bool(fast), backend
        # NHWC convolutions are faster than NCHW on CPU and for half precision on CUDA
        use_nhwc = self.fast and (self.device.type == 'cpu' or self.dtype != torch.float32)
        self.memory_format = torch.channels_last if use_nhwc else torch.contiguous_format
        self.refine_network = self.get_network(refine_net_dir)
        self.heads = network_heads(self.refine_network)
        self.branch_selector = self._check_selector(selector)
        self.search_factor = float(search_factor)
        self.input_sz = int(getattr(self.refine_network, 'input_sz', input_sz))
        self.mean, self.std = MEAN, STD
        self._norm_table = normalisation_table(self.mean, self.std)
        self._norm_lut = np.ascontiguousarray(self._norm_table.T.reshape(1, 256, 3))  # cv2.LUT, per channel
        self.inference_network = self._inference_network()
        self._onnx = None
        if backend == 'onnxruntime':
            # export what the reference branch runs (the folded copy, or the network as given); the export
            # restores the one attribute it sets, so only a network on another device needs a CPU copy
            source = self.inference_network
            cpu_net = source if self.device.type == 'cpu' else copy.deepcopy(source).cpu()
            self._onnx = runner_for(cpu_net, threads=threads, device=self.device, heads=self.heads)
        self._kernel: Optional[torch.Tensor] = None
        self._last_valid_box: Optional[np.ndarray] = None

    # -- set-up ---------------------------------------------------------------------------------
    def get_network(self, net: Union[str, os.PathLike, nn.Module]) -> nn.Module:
        """The refiner network in eval mode on ``self.device`` (loaded from a checkpoint path if needed)."""
        if not isinstance(net, nn.Module):
            net = load_network(os.fspath(net), missing_hint=OFFICIAL_CHECKPOINT_HINT)
        return net.to(self.device).eval()

    def _inference_network(self) -> nn.Module:
        if self.fast:
            net = inference_copy(self.refine_network, self.device, self.memory_format)
        elif self.dtype != torch.float32:
            net = copy.deepcopy(self.refine_network)
        else:
            return self.refine_network
        return net.to(self.dtype) if self.dtype != torch.float32 else net

    def _check_precision(self, precision: str, backend: str) -> torch.dtype:
        dtypes = {'float32': torch.float32, 'float16': torch.float16, 'bfloat16': torch.bfloat16}
        if precision not in dtypes:
            raise ValueError(f"precision should be one of {list(dtypes)}, got {precision!r}")
        if precision != 'float32' and (self.device.type != 'cuda' or backend != 'torch'):
            raise ValueError(f"precision '{precision}' is offered on CUDA with backend 'torch' only "
                             f"(device {self.device}, backend {backend!r})")
        return dtypes[precision]

    def _check_selector(self, selector) -> int:
        if selector is None:
            return 0
        if isinstance(selector, bool) or not isinstance(selector, (int, np.integer)):
            raise ValueError(f"selector must be a branch index (int) or None, got {selector!r} "
                             f"(selector networks are not supported)")
        if not 0 <= selector < len(self.heads):
            raise ValueError(f"selector {selector} out of range: the network's boxes are {list(self.heads)}")
        return int(selector)

    # -- API ------------------------------------------------------------------------------------
    @torch.inference_mode()
    def initialize(self, frame: np.ndarray, box) -> None:
        """Store the reference kernel of the target `box` (x, y, w, h) in `frame` (RGB uint8).

        Raises ValueError for a degenerate box (w or h <= 0, NaN, fully outside the frame).
        """
        frame = _check_frame(frame)
        problem = box_problem(box, frame.shape[:2])
        if problem:
            raise ValueError(f"RefineModule.initialize: {problem}")
        box = np.asarray(box, dtype=np.float64).reshape(4)
        patch, h_f, w_f = sample_target_SE(frame, box, self.search_factor, self.input_sz, mode=cv2.BORDER_CONSTANT)
        box_t = torch.from_numpy(box.astype(np.float32))
        box_crop = transform_image_to_crop_SE(box_t, box_t, h_f, w_f, self.input_sz).to(self.device)
        net = self.inference_network
        net.neck.ref_kernel = None
        net.forward_ref(self._network_input([patch]), box_crop.reshape(1, 1, 4))
        self._kernel = net.neck.ref_kernel
        self._kernel_np = self._kernel.float().cpu().numpy() if self._onnx is not None else None
        self._last_valid_box = box.copy()

    @torch.inference_mode()
    def refine(self, frame: np.ndarray, box, mode: str = 'all', test: bool = False):
        """Refined float64 (x, y, w, h) of `box` in `frame`; with ``test=True`` the dict of all boxes.

        Modes: ``corner`` (corner head), ``mask`` (box of the thresholded mask's largest contour,
        the corner box when no contour is larger than 100 px), ``bbox`` (bbox head; ValueError
        when the network has none), ``all`` (the box at ``selector``). A degenerate input box
        (:func:`~pytracking.utils.refinement.box_problem`) is replaced by the last valid box (the
        initial box, then each returned box); a degenerate refined box by the input box.
        """
        self._check_mode(mode)
        frame = _check_frame(frame)
        box = self._usable_input_box(frame, box)
        refined, _ = self._refine_checked(frame, box, mode, every_box=test)
        self._last_valid_box = refined[mode].box.copy()
        return {k: r.box.copy() for k, r in refined.items()} if test else refined[mode].box

    @torch.inference_mode()
    def refine_frame(self, frame: np.ndarray, box, mode: str = 'all', with_mask: bool = False) -> Refinement:
        """One refinement for a caller that keeps the last good box itself (the arena's per-frame step,
        :class:`pytracking.evaluation.running.RefinedTracker`): the refined box of `box`, or `box` and the
        reason when the refiner falls back (``fallback``). `box` must be refinable; one that is not comes
        back as the fallback. With `with_mask` and a mask head, ``mask`` holds the mask probabilities of the
        same network pass (what :meth:`get_mask` returns). :meth:`refine`'s memory is neither used nor updated.
        """
        self._check_mode(mode)
        frame = _check_frame(frame)
        if self._kernel is None:
            raise RuntimeError("RefineModule: call initialize(frame, box) before refine_frame")
        box = np.asarray(box, dtype=np.float64).reshape(4).copy()
        problem = box_problem(box, frame.shape[:2])
        if problem is not None:
            return Refinement(box, f"input {problem}")
        refined, prob = self._refine_checked(frame, box, mode, with_mask=with_mask and 'mask' in self.heads)
        result = refined[mode]
        result.mask = prob
        return result

    @torch.inference_mode()
    def mask_frame(self, frame: np.ndarray, box) -> Refinement:
        """The VOT2020 step (upstream ``refine_module_vot20.RefineModule.refine``): ``mask`` holds the ``H x W``
        mask probabilities of the search region around `box` from a pass of the mask branch alone, and the box is
        `box` itself (nothing is refined, the caller keeps its box: upstream's VOT2020 trackers fed back their
        clipped base box). A `box` that cannot be refined comes back as the fallback, without a mask. Same
        protocol as :meth:`refine_frame`; :meth:`refine`'s memory is neither used nor updated.
        """
        if 'mask' not in self.heads:
            raise ValueError(f"mask_frame needs a mask head; this network has: {', '.join(self.heads)}")
        frame = _check_frame(frame)
        if self._kernel is None:
            raise RuntimeError("RefineModule: call initialize(frame, box) before mask_frame")
        box = np.asarray(box, dtype=np.float64).reshape(4).copy()
        problem = box_problem(box, frame.shape[:2])
        if problem is not None:
            return Refinement(box, f"input {problem}")
        return Refinement(box, None, self._predict_boxes([frame], [box], (), target='', with_mask=True)[1][0])

    @torch.inference_mode()
    def refine_batch(self, frames: TypingSequence[np.ndarray], boxes, mode: str = 'corner') -> np.ndarray:
        """Refine ``boxes[i]`` in ``frames[i]`` for all i in one network call -> (N, 4) float64.

        Frames are independent given the reference kernel (offline refinement, no feed-back), so
        this equals calling :meth:`refine` on each pair with a fresh state, except that the last
        valid box is neither used nor updated: a degenerate input box is returned unchanged; a
        degenerate refined box falls back to its input box.
        """
        self._check_mode(mode)
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        if len(frames) != boxes.shape[0]:
            raise ValueError(f"refine_batch: {len(frames)} frames but {boxes.shape[0]} boxes")
        if self._kernel is None:
            raise RuntimeError("RefineModule: call initialize(frame, box) before refine_batch")
        frames = [_check_frame(f) for f in frames]
        out = boxes.copy()
        usable = [i for i in range(len(frames)) if box_problem(boxes[i], frames[i].shape[:2]) is None]
        if usable:
            target = self._target(mode)
            predicted, _ = self._predict_boxes([frames[i] for i in usable], [boxes[i] for i in usable],
                                               self._branches_for(mode), target)
            for i, result in zip(usable, predicted):
                out[i] = Refinement.checked(result[target], boxes[i], frames[i].shape[:2]).box
        return out

    @torch.inference_mode()
    def get_mask(self, frame: np.ndarray, box) -> np.ndarray:
        """Mask probabilities of the target around `box`, as an (H, W) float64 map (0 outside the crop).

        Use ``pytracking.refine_modules.utils.binarize_mask`` to turn it into a 0/1 mask.
        """
        if 'mask' not in self.heads:
            raise ValueError(f"get_mask needs a mask head; this network has: {', '.join(self.heads)}")
        frame = _check_frame(frame)
        box = self._usable_input_box(frame, box)
        return self._predict_boxes([frame], [box], (), target='', with_mask=True)[1][0]

    # -- steps ----------------------------------------------------------------------------------
    def img_preprocess(self, img_arr: np.ndarray) -> torch.Tensor:
        """RGB uint8 crop -> normalised (1, 3, S, S) float32 tensor.

        Same numbers as upstream's ``((img / 255.0) - mean) / std`` in float64 cast to float32: for
        uint8 input this is a per-channel table of 256 values, looked up instead of recomputed.
        """
        planes = [self._norm_table[c][img_arr[..., c]] for c in range(3)]
        tensor = torch.from_numpy(np.stack(planes)).unsqueeze(0).to(self.device)
        return tensor.contiguous(memory_format=self.memory_format)

    def _network_input(self, patches: List[np.ndarray]) -> torch.Tensor:
        """Crops -> the (B, 3, S, S) input of the network that runs (its device, dtype and layout)."""
        if not self.fast:
            batch = torch.cat([self.img_preprocess(p) for p in patches])
            return batch.to(self.dtype)
        # table lookup straight into an NHWC buffer: the channels-last tensor is a view of it
        nhwc = np.empty((len(patches),) + patches[0].shape[:2] + (3,), dtype=np.float32)
        for i, p in enumerate(patches):
            cv2.LUT(p, self._norm_lut, dst=nhwc[i])
        tensor = torch.from_numpy(nhwc).permute(0, 3, 1, 2)
        if self._onnx is None:
            tensor = tensor.to(self.device, dtype=self.dtype)
        return tensor.contiguous(memory_format=self.memory_format)

    def _run_search_branch(self, images: torch.Tensor, branches) -> Dict[str, Any]:
        """Network outputs for a batch of crops: numpy ``corner`` (B, 4), ``mask`` (B, S, S), ``bbox``;
        torch ``feat`` (fused features, torch backend only)."""
        if self._kernel is None:
            raise RuntimeError("RefineModule: call initialize(frame, box) before refine/get_mask")
        if self._onnx is not None:
            out = self._onnx.run(images.cpu().numpy(), self._kernel_np, with_mask='mask' in branches)
            if 'mask' in out:
                out['mask'] = out['mask'][:, 0]
            return out
        net = self.inference_network
        b = images.shape[0]
        net.neck.ref_kernel = self._kernel if b == self._kernel.shape[0] else self._kernel.expand(b, -1, -1, -1)
        output = net.forward_test(images, mode='test', branches=list(branches))
        result: Dict[str, Any] = {'feat': output['feat']}
        for name in ('corner', 'bbox'):
            if name in output:
                result[name] = output[name].float().cpu().numpy()
        if 'mask' in output:
            result['mask'] = output['mask'][:, 0].float().cpu().numpy()  # float32 (S, S), resized as such upstream
        return result

    def _check_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode should be one of {list(MODES)}, got {mode!r}")
        if mode != 'all' and mode not in self.heads:
            raise ValueError(f"mode '{mode}' needs a {mode} head; this network "
                             f"({type(self.refine_network).__name__}) has: {', '.join(self.heads)}")

    def _usable_input_box(self, frame: np.ndarray, box) -> np.ndarray:
        """`box`, or the last valid box when `box` cannot be refined (the memory of :meth:`refine`)."""
        if self._last_valid_box is None:
            raise RuntimeError("RefineModule: call initialize(frame, box) before refine/get_mask")
        if box_problem(box, frame.shape[:2]) is None:
            return np.asarray(box, dtype=np.float64).reshape(4).copy()
        return self._last_valid_box.copy()

    def _target(self, mode: str) -> str:
        """The head whose box `mode` returns ('all': the selector's)."""
        return self.heads[self.branch_selector] if mode == 'all' else mode

    def _branches_for(self, mode: str) -> Tuple[str, ...]:
        target = self._target(mode)
        if target == 'mask':  # the mask box falls back to the corner box (bbox box without a corner head)
            return self._mask_fallback_branch() + ('mask',)
        return (target,)

    def _mask_fallback_branch(self) -> Tuple[str, ...]:
        return tuple([b for b in ('corner', 'bbox') if b in self.heads][:1])

    def _lazy_corner(self) -> bool:
        """Fast torch path: the mask mode runs the corner head only for frames whose mask has no contour (when
        that head reads the fused feature alone, not a backbone tap as ``Corner_Predictor_s8`` does)."""
        return (self.fast and self._onnx is None and self._mask_fallback_branch() == ('corner',)
                and not getattr(self.inference_network, 'corner_skip_layer', None))

    def _refine_checked(self, frame: np.ndarray, box: np.ndarray, mode: str, every_box: bool = False,
                        with_mask: bool = False) -> Tuple[Dict[str, Refinement], Optional[np.ndarray]]:
        """The box of `mode` (every head's with `every_box`, plus 'all') of a refinable `box`, each checked once
        (a degenerate one falls back to `box`), and the mask probabilities when `with_mask`."""
        target = self._target(mode)
        wanted = self.heads if every_box else self._branches_for(mode)
        predicted, probs = self._predict_boxes([frame], [box], wanted, target, every_box, with_mask)
        keys = list(predicted[0]) if every_box else [target]
        refined = {k: Refinement.checked(predicted[0][k], box, frame.shape[:2]) for k in keys}
        selected = self.heads[self.branch_selector]
        if selected in refined:  # absent only when another mode was asked for
            refined['all'] = refined[selected]
        return refined, probs[0]

    def _predict_boxes(self, frames: List[np.ndarray], boxes: List[np.ndarray], wanted, target: str,
                       every_box: bool = False, with_mask: bool = False
                       ) -> Tuple[List[Dict[str, np.ndarray]], List[Optional[np.ndarray]]]:
        """Boxes of the `wanted` heads for each (frame, box), mapped back to the frame and not checked, and
        the mask probabilities (None without `with_mask`), all from one network pass. A mask box without a
        contour above the area threshold is the fallback head's box; the fast path runs the corner head only
        then, when `target` is the mask and `every_box` (computing every box, ``test=True``) is not asked."""
        crops = [sample_target_SE(f, b, self.search_factor, self.input_sz, mode=cv2.BORDER_CONSTANT)
                 for f, b in zip(frames, boxes)]
        branches = list(wanted) + (['mask'] if with_mask and 'mask' not in wanted else [])
        lazy = target == 'mask' and 'corner' in branches and self._lazy_corner() and not every_box
        if lazy:
            branches.remove('corner')
        output = self._run_search_branch(self._network_input([c[0] for c in crops]), branches)
        results, probs = [], []
        for i, (frame, box, (_, h_f, w_f)) in enumerate(zip(frames, boxes, crops)):
            result: Dict[str, np.ndarray] = {}
            if 'bbox' in output:
                crop_box = delta2bbox(torch.from_numpy(output['bbox'][i:i + 1]), self.input_sz)[0].numpy()
                result['bbox'] = map_box_back_SE(crop_box, box, h_f, w_f, self.search_factor)
            if 'corner' in output:
                result['corner'] = self._corner_box(output['corner'][i], box, h_f, w_f)
            prob = map_mask_back(frame, box, self.search_factor, output['mask'][i]) if 'mask' in output else None
            if 'mask' in wanted:
                mask_box = mask2bbox(prob, NO_BOX)
                if np.isnan(mask_box).any():  # no contour above the area threshold: the fallback box
                    if lazy:
                        corner = self.inference_network.corner_head(output['feat'][i:i + 1])
                        result['corner'] = self._corner_box(corner[0].float().cpu().numpy(), box, h_f, w_f)
                    mask_box = result.get('corner', result.get('bbox', box))
                result['mask'] = mask_box
            results.append(result)
            probs.append(prob if with_mask else None)
        return results, probs

    def _corner_box(self, corners: np.ndarray, box: np.ndarray, h_f: float, w_f: float) -> np.ndarray:
        # float32 subtraction as upstream (pred2bbox), then float64
        crop_box = xyxy_to_xywh(corners.astype(np.float32)).astype(np.float64)
        return map_box_back_SE(crop_box, box, h_f, w_f, self.search_factor)
