"""Measured effect of the base trackers' opt-in deviations from upstream (``doc/differences.md``).

Each experiment runs a tracker with its default parameters (= upstream's numbers) and with one
deviation switched on, on the same synthetic sequences, and prints how far the boxes move
(max and mean absolute coordinate difference to the default run, px) and the success AUC of both
(official LaSOT convention). Two regimes: ``base`` (the tracker alone) and ``oracle`` (the ground-truth
box is fed back after every frame through ``set_target_box``, clipped as the arena clips: a perfect
refiner, which is where the feed-back options act). Networks have random weights (the cost and the
code paths of the real ones, not their accuracy), so AUC values compare variants, not trackers.

Experiments (``--only`` picks some):

* ``dimp``: super_dimp parameters (22*16 px search, 'inside_major', relative IoU-Net) on a random
  ResNet-18 DiMP (``--dimp-net super_dimp``: the real ResNet-50 constructor), every frame forced onto
  the confident path (random scores would flag every frame 'not_found', skipping the IoU-Net):
  ``clamp_iounet_scale``, ``reset_iounet_pos_each_frame``, ``random_draws='pytracking'``.
* ``eco``: ``eco/hc`` (no network file): ``adopt_refined_aspect``; and two former project behaviours
  re-created by a patch: the first-frame crop at ``round(pos)`` and the half-integer regularisation
  window grid.
* ``siamrpn``: the former float32 box arithmetic (``s_z`` as a Python float) re-created by a patch, on a
  hand-set grey-correlation stand-in for the network (random ResNet-50 weights give no finite score).
* ``rtmdnet``: ``roi_align='torchvision'`` (the former RoIAlign) against the default upstream kernel.
* ``rtmdnet-roialign``: every RoI feature of RT-MDNet's first frame through the tracker's RoIAlign
  (``roi_align='upstream'``, the default, and ``'torchvision'``) versus upstream's CUDA kernel
  (``ROIAlignAdaForward``) written out independently here, relative to the feature scale, for bins
  under and over 1.5 map cells.

    .venv/bin/python benchmarks/tracker_options_effect.py [--sequences 2] [--frames 20] [--size 320x240]
        [--threads 1] [--only dimp eco siamrpn rtmdnet rtmdnet-roialign] [--dimp-net super_dimp]
"""
from __future__ import annotations

import argparse
import contextlib
from typing import Any, Callable, Dict, Iterator, List, Sequence, Tuple

import numpy as np
import torch

from fps_common import add_run_args, parse_size, setup_line, synthetic_lasot
from ltr.data.bounding_box_utils import clip_box_xywh
from ltr.data.image_loader import default_image_loader
from pytracking.analysis.metrics import evaluate_sequences

EXPERIMENTS = ('dimp', 'eco', 'siamrpn', 'rtmdnet', 'rtmdnet-roialign')
Clip = Tuple[List[np.ndarray], np.ndarray]   # frames (RGB uint8), ground truth (n, 4) xywh


# -- running ---------------------------------------------------------------------------------------
def run_sequence(make: Callable[[], Any], frames: Sequence[np.ndarray], gt: np.ndarray, oracle: bool) -> np.ndarray:
    """Boxes (n, 4) of a fresh tracker on `frames` (frame 1 = the ground truth), feeding the clipped ground
    truth back after every frame when `oracle`."""
    tracker = make()
    tracker.initialize(frames[0], {'init_bbox': [float(v) for v in gt[0]]})
    boxes = [np.asarray(gt[0], dtype=np.float64)]
    for frame, truth in zip(frames[1:], gt[1:]):
        boxes.append(np.asarray(tracker.track(frame)['target_bbox'], dtype=np.float64))
        if oracle and np.all(np.isfinite(truth)) and truth[2] > 0 and truth[3] > 0:
            tracker.set_target_box(clip_box_xywh(truth, frame.shape[:2]))
    return np.stack(boxes)


def auc(clips: Sequence[Clip], boxes: Sequence[np.ndarray]) -> float:
    names = [str(i) for i in range(len(clips))]
    return evaluate_sequences(names, [gt for _, gt in clips], list(boxes), [None] * len(clips)).auc


def compare(label: str, clips: Sequence[Clip], variants: Dict[str, Tuple[Callable[[], Any], Callable]]) -> None:
    """Run every variant (factory, context manager) on `clips` in both regimes; print its difference to the
    first (the default) and its AUC."""
    for regime in ('base', 'oracle'):
        runs: Dict[str, List[np.ndarray]] = {}
        for name, (make, patch) in variants.items():
            with patch():
                runs[name] = [run_sequence(make, frames, gt, regime == 'oracle') for frames, gt in clips]
        default = runs[next(iter(variants))]
        for name, boxes in runs.items():
            diffs = np.concatenate([np.abs(b - d)[1:] for b, d in zip(boxes, default)])
            moved = np.nonzero(np.abs(boxes[0] - default[0]).max(axis=1) > 0)[0]
            first = int(moved[0]) if len(moved) else None
            print(f"{label:<8} {regime:<6} {name:<34} max|d| {diffs.max():9.3g} px  mean|d| {diffs.mean():9.3g} px  "
                  f"first differing frame (seq 1) {first if first else '-':>3}  AUC {100 * auc(clips, boxes):5.1f} %")


@contextlib.contextmanager
def unchanged() -> Iterator[None]:
    yield


@contextlib.contextmanager
def patched(obj: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


# -- experiments -----------------------------------------------------------------------------------
def dimp_experiment(clips: Sequence[Clip], net_name: str, seed: int) -> None:
    from dimp_atom_fps import NORMAL_PATH, build_network
    from pytracking.features.net_wrappers import NetWithBackbone
    from pytracking.parameter import load_parameters
    from pytracking.tracker import load_tracker_class
    net = build_network('dimp18' if net_name == 'dimp18' else 'super_dimp', seed)
    cls = load_tracker_class('dimp')

    def make(**changes) -> Callable[[], Any]:
        params = load_parameters('dimp', 'super_dimp')
        # random weights score every frame 'not_found' (no IoU-Net, no update): force the confident path
        params.update(net=NetWithBackbone(net=net), device='cpu', **NORMAL_PATH, **changes)
        return lambda: cls(params.copy())

    compare(f'dimp({net_name})', clips, {
        'default (upstream)': (make(), unchanged),
        'clamp_iounet_scale=True': (make(clamp_iounet_scale=True), unchanged),
        'reset_iounet_pos_each_frame=True': (make(reset_iounet_pos_each_frame=True), unchanged),
        "random_draws='pytracking'": (make(random_draws='pytracking'), unchanged),
    })


def eco_experiment(clips: Sequence[Clip]) -> None:
    from pytracking.libs import dcf
    from pytracking.parameter.eco import hc as eco_hc
    from pytracking.tracker.eco import ECO

    def make(**changes) -> Callable[[], Any]:
        return lambda: ECO(eco_hc.parameters().update(**changes))

    def round_crop() -> contextlib.AbstractContextManager:
        """The former project crop: the first-frame samples at round(pos) instead of pos."""
        original = ECO._init_samples

        def init_samples(self, im):
            pos = self.pos
            self.pos = pos.round()
            try:
                return original(self, im)
            finally:
                self.pos = pos
        return patched(ECO, '_init_samples', init_samples)

    def half_grid() -> contextlib.AbstractContextManager:
        """The former project grid: -(n-1)/2 .. (n-1)/2 (half-integer for even n)."""
        return patched(dcf, '_reg_window_grid',
                       lambda n, centered=True: torch.arange(n, dtype=torch.float32) - (n - 1) / 2)

    compare('eco(hc)', clips, {
        'default (upstream)': (make(), unchanged),
        'adopt_refined_aspect=True': (make(adopt_refined_aspect=True), unchanged),
        'former: crop at round(pos)': (make(), round_crop),
        'former: half-integer reg grid': (make(), half_grid),
    })


class GreyCorrelation:
    """Stand-in for the SiamRPN++ network (random ResNet-50 weights overflow and give no finite score): the
    grey 63 x 63 centre of the exemplar correlated (zero-mean, normalised) with the search crop at stride 8;
    the foreground logit of every anchor is ``8 * ncc``, every anchor regresses to itself (loc 0)."""

    anchors = 5

    def template(self, z: torch.Tensor) -> None:
        centre = z.double().mean(1, keepdim=True)[..., 32:95, 32:95]
        self.kernel = centre - centre.mean()

    def track(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        import torch.nn.functional as F
        grey = x.double().mean(1, keepdim=True)
        box = torch.ones_like(self.kernel)
        n = float(box.numel())
        local_sum, local_sq = F.conv2d(grey, box, stride=8), F.conv2d(grey * grey, box, stride=8)
        spread = (local_sq - local_sum ** 2 / n).clamp_min(1e-6) * float((self.kernel ** 2).sum())
        ncc = F.conv2d(grey, self.kernel, stride=8) / spread.sqrt()
        side = ncc.shape[-1]
        fg = (8 * ncc).float().expand(1, self.anchors, side, side)
        return {'cls': torch.cat([torch.zeros_like(fg), fg], 1), 'loc': torch.zeros(1, 4 * self.anchors, side, side)}

    def parameters(self) -> Iterator[torch.Tensor]:
        return iter(())


def siamrpn_experiment(clips: Sequence[Clip]) -> None:
    from pysot.core.config import load_config
    from pysot.tracker.arena import find_config, make_tracker
    from pysot.tracker.siamrpn_tracker import SiamRPNTracker
    config = load_config(find_config('siamrpn_r50_l234_dwxcorr'))
    original = SiamRPNTracker._context_size
    compare('siamrpn', clips, {
        'default (upstream, float64)': (lambda: make_tracker(GreyCorrelation(), config), unchanged),
        'former: float32 box arithmetic': (lambda: make_tracker(GreyCorrelation(), config),
                                           lambda: patched(SiamRPNTracker, '_context_size',
                                                           lambda self: float(original(self)))),
    })


def rtmdnet_experiment(clips: Sequence[Clip], seed: int) -> None:
    from RT_MDNet.options import parameters
    from RT_MDNet.tracker import RTMDNet

    def make(**changes) -> Callable[[], Any]:
        def build() -> Any:
            torch.manual_seed(seed)              # the conv weights (no model file): the same for every variant
            return RTMDNet(parameters(device='cpu', seed=seed, **changes))
        return build

    compare('rtmdnet', clips, {
        "default (roi_align='upstream')": (make(), unchanged),
        "roi_align='torchvision'": (make(roi_align='torchvision'), unchanged),
    })


def upstream_roi_samples(fmaps: torch.Tensor, rois: torch.Tensor, n: int = 7) -> Tuple[torch.Tensor, torch.Tensor]:
    """Upstream's ``ROIAlignAdaForward`` (IlchaeJung/RT-MDNet ``modules/roi_align/src/cuda/roi_align_kernel.cu``)
    written out: for each of the n x n points ``start + p * bin`` (``bin = (end - start + 1) / n`` map cells,
    ``stride = max(1, round(bin))``, ``lo = min(floor(pos), size - 2)``) the sum over ``lo + {0, stride}`` of
    the map times ``1 - |pos - lo - k| / stride`` per axis, read at the flat offset as the kernel does (a
    neighbour past the last column / row reads the next row / channel); 0 when the point is outside the map.
    rois (K, 5) ``[batch, x1, y1, x2, y2]`` in map cells. Returns the (K, C, n, n) samples and, per roi,
    whether any read fell outside its own image's (C, H, W) block."""
    N, C, H, W = fmaps.shape
    flat = fmaps.reshape(-1)
    p = torch.arange(n, dtype=fmaps.dtype)
    out, strays = [], []
    for chunk in rois.split(64):
        b = chunk[:, 0].long()
        bin_w = (chunk[:, 3] - chunk[:, 1] + 1).clamp(min=0) / n
        bin_h = (chunk[:, 4] - chunk[:, 2] + 1).clamp(min=0) / n
        s_w = torch.floor(bin_w + 0.5).clamp(min=1).long()           # CUDA round(): half away from zero
        s_h = torch.floor(bin_h + 0.5).clamp(min=1).long()
        ws = chunk[:, 1:2] + p * bin_w[:, None]                        # (k, n)
        hs = chunk[:, 2:3] + p * bin_h[:, None]
        w0 = torch.clamp(torch.floor(ws), max=W - 2).long()
        h0 = torch.clamp(torch.floor(hs), max=H - 2).long()
        total = torch.zeros(len(chunk), C, n, n, dtype=fmaps.dtype)
        stray = torch.zeros(len(chunk), dtype=torch.bool)
        channels = torch.arange(C)[None, :, None, None]
        for dh in (0, 1):
            for dw in (0, 1):
                kh, kw = dh * s_h[:, None], dw * s_w[:, None]                                  # (k, 1)
                row = h0 + kh                                                                 # (k, n)
                col = w0 + kw
                offset = (b[:, None, None, None] * C + channels) * H * W + \
                    row[:, None, :, None] * W + col[:, None, None, :]                         # (k, C, n, n)
                own = (offset >= (b * C * H * W)[:, None, None, None]) & \
                    (offset < ((b + 1) * C * H * W)[:, None, None, None])
                stray |= ~own.flatten(1).all(1)
                value = flat[offset.clamp(0, flat.numel() - 1)] * (offset < flat.numel())
                wy = 1 - (hs - h0 - kh).abs() / s_h[:, None]
                wx = 1 - (ws - w0 - kw).abs() / s_w[:, None]
                total += value * (wy[:, :, None] * wx[:, None, :])[:, None]
        inside = ((hs >= 0) & (hs < H))[:, :, None] & ((ws >= 0) & (ws < W))[:, None, :]
        inside_any = inside[:, None]
        out.append(total * inside_any)
        strays.append(stray & inside.flatten(1).any(1))
    return torch.cat(out), torch.cat(strays)


def rtmdnet_roialign_experiment(clips: Sequence[Clip], seed: int) -> None:
    """Every RoIAlign call of RT-MDNet's first frame (7 scene copies, the extra crops) recorded and
    recomputed with upstream's kernel written out here, against the tracker's two kernels."""
    import torch.nn.functional as F
    from RT_MDNet.modules.model import RoIAlignAdaMax
    from RT_MDNet.options import parameters
    from RT_MDNet.tracker import RTMDNet
    torchvision_only = RoIAlignAdaMax(3, 3, 1.0 / 8, kernel='torchvision')
    rel: Dict[str, Dict[str, List[np.ndarray]]] = {k: {'bins < 1.5 cells': [], 'bins >= 1.5 cells': []}
                                                   for k in ('upstream', 'torchvision')}
    stray_count, count = 0, 0
    for frames, gt in clips:
        torch.manual_seed(seed)
        tracker = RTMDNet(parameters(device='cpu', seed=seed))
        calls = []
        hook = tracker.model.roi_align_model.register_forward_hook(
            lambda module, inputs, output: calls.append((inputs[0], inputs[1], output)))
        tracker.initialize(frames[0], {'init_bbox': [float(v) for v in gt[0]]})
        hook.remove()
        for fmap, rois, ours in calls:
            cells = torch.cat([rois[:, :1], rois[:, 1:] / 8], 1)
            samples, stray = upstream_roi_samples(fmap, cells)
            theirs = F.max_pool2d(samples, 3, 2)
            scale = float(theirs.abs().max()) or 1.0
            large = (torch.maximum(cells[:, 3] - cells[:, 1] + 1, cells[:, 4] - cells[:, 2] + 1) / 7 >= 1.5).numpy()
            for kernel, values in (('upstream', ours), ('torchvision', torchvision_only(fmap, rois))):
                diff = ((values - theirs).abs().flatten(1).max(1).values / scale).numpy()
                rel[kernel]['bins < 1.5 cells'].append(diff[~large])
                rel[kernel]['bins >= 1.5 cells'].append(diff[large])
            stray_count += int(stray.sum())
            count += len(rois)
    print(f"rtmdnet RoIAlign (first frame, {len(clips)} sequences): {count} rois; {stray_count} of them read past "
          f"their own feature map in upstream's kernel (the next row/channel/crop)")
    for kernel, groups in rel.items():
        for name, values in groups.items():
            v = np.concatenate(values)
            print(f"  roi_align={kernel!r:<14} {name:<18} {len(v):6d} rois: |ours - upstream kernel| / max|feature| "
                  f"max {v.max():.2e}, mean {v.mean():.2e}, share above 1e-3 {np.mean(v > 1e-3):.1%}")


# -- main ------------------------------------------------------------------------------------------
def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_args(p, sequences=2, frames=20, size='320x240', threads=1, checkpoint_help=None)
    p.add_argument('--only', nargs='+', choices=EXPERIMENTS, default=list(EXPERIMENTS))
    p.add_argument('--dimp-net', '--dimp_net', choices=('dimp18', 'super_dimp'), default='dimp18',
                   help='random DiMP network: ResNet-18 (fast) or the super_dimp ResNet-50 constructor')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    size = parse_size(args.size)
    bench = synthetic_lasot(args.sequences, args.frames, size, args.seed)
    print(setup_line(bench, args.frames, size, 'CPU, random weights'))
    clips = [([default_image_loader(f) for f in seq.frames], np.asarray(seq.ground_truth_rect, dtype=np.float64))
             for seq in bench.sequences]
    if 'dimp' in args.only:
        dimp_experiment(clips, args.dimp_net, args.seed)
    if 'eco' in args.only:
        eco_experiment(clips)
    if 'siamrpn' in args.only:
        siamrpn_experiment(clips)
    if 'rtmdnet' in args.only:
        rtmdnet_experiment(clips, args.seed)
    if 'rtmdnet-roialign' in args.only:
        rtmdnet_roialign_experiment(clips, args.seed)


if __name__ == '__main__':
    main()
