"""Crop conventions: one function per upstream family, each reproducing its upstream numbers.

Families (DESIGN.md section 2: never merge two conventions):

* **Alpha-Refine** (``_SE`` suffix, upstream ``ltr/data/processing_utils_SE.py`` and
  ``pytracking/refine_modules/refine_module.py``): a crop of ``ceil(f*w) x ceil(f*h)`` pixels (aspect
  not kept) resized to a square; used by the refiner at test time and by its training processing
  for images and masks alike.

* **RT-MDNet** (``rtmdnet_`` prefix, upstream ``external/RT_MDNet``): point-sampled bilinear crops of
  its RoIAlign kernel at spatial scale 1 and the sample-to-roi map ``samples2maskroi``.

Other families (DiMP/ATOM, pysot) add their own functions here with their own suffix. The training
crops, proposals and label functions of ATOM/DiMP/PrDiMP keep their upstream ``ltr`` names (section
"DiMP/ATOM training" at the end: ``sample_target``, ``sample_target_adaptive``, ``perturb_box``, ...).

Boxes are ``(x, y, w, h)``; images are ``H x W x C`` (or ``H x W`` masks) numpy arrays.
"""
from __future__ import annotations

import math
import random
from typing import NamedTuple, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
import torch

from ltr.data.bounding_box_utils import rect_to_rel, rel_to_rect

Box = Union[Sequence[float], np.ndarray, torch.Tensor]


# ----------------------------------------------------------------------------------------------
# Alpha-Refine (SE) convention
# ----------------------------------------------------------------------------------------------

class CropWindow(NamedTuple):
    """Integer crop region of the SE convention and the padding it needs (image pixels).

    The region is columns ``x1 .. x1+ws`` and rows ``y1 .. y1+hs`` (exclusive end); the pads are
    what ``cv2.copyMakeBorder`` adds on each side after slicing the image.
    """
    x1: int
    y1: int
    ws: int
    hs: int
    x1_pad: int
    x2_pad: int
    y1_pad: int
    y2_pad: int


def _box_values(box: Box, name: str = 'box') -> Tuple[float, float, float, float]:
    b = np.asarray(box.detach().cpu() if isinstance(box, torch.Tensor) else box, dtype=np.float64).reshape(-1)
    if b.size != 4:
        raise ValueError(f"{name} must have 4 values (x, y, w, h), got {b.size}")
    return float(b[0]), float(b[1]), float(b[2]), float(b[3])


def crop_window_SE(target_bb: Box, search_area_factor: float, im_hw: Tuple[int, int]) -> CropWindow:
    """Crop region of ``sample_target_SE`` for `target_bb` in an image of size `im_hw` = (H, W).

    ``ws = ceil(f*w)``, ``x1 = round(x + w/2 - ws/2)`` with Python's banker's ``round``; the right
    pad is ``max(x2 - W + 1, 0)``: when the crop reaches the right border the last image column is
    dropped and padded instead (upstream ``processing_utils_SE.sample_target_SE``, kept as is).
    Same for rows. Raises ValueError for a non-finite box or a crop smaller than one pixel.
    """
    x, y, w, h = _box_values(target_bb, 'target_bb')
    if not all(math.isfinite(v) for v in (x, y, w, h)):
        raise ValueError(f"target_bb must be finite, got {[x, y, w, h]}")
    ws = math.ceil(search_area_factor * w)
    hs = math.ceil(search_area_factor * h)
    if ws < 1 or hs < 1:
        raise ValueError(f"too small bounding box {[x, y, w, h]} for search_area_factor {search_area_factor}: "
                         f"crop would be {ws}x{hs} pixels")
    H, W = int(im_hw[0]), int(im_hw[1])
    x1 = round(x + 0.5 * w - ws * 0.5)
    y1 = round(y + 0.5 * h - hs * 0.5)
    x2, y2 = x1 + ws, y1 + hs
    return CropWindow(x1, y1, ws, hs,
                      x1_pad=max(0, -x1), x2_pad=max(x2 - W + 1, 0),
                      y1_pad=max(0, -y1), y2_pad=max(y2 - H + 1, 0))


def _padded_region(im: np.ndarray, win: CropWindow, mode: int) -> np.ndarray:
    """The ``hs x ws`` region of `win` with image pixels inside and `mode` padding outside."""
    # an end left of / above the image must not go negative: Python would count it from the far side
    rows = slice(win.y1 + win.y1_pad, max(win.y1 + win.hs - win.y2_pad, 0))
    cols = slice(win.x1 + win.x1_pad, max(win.x1 + win.ws - win.x2_pad, 0))
    patch = im[rows, cols]
    if patch.shape[0] <= 0 or patch.shape[1] <= 0:  # crop entirely outside the image
        if mode != cv2.BORDER_CONSTANT:
            raise ValueError(f"crop {win} does not overlap the {im.shape[1]}x{im.shape[0]} image; "
                             f"only BORDER_CONSTANT padding can fill it")
        return np.zeros((win.hs, win.ws) + im.shape[2:], dtype=im.dtype)
    return cv2.copyMakeBorder(np.ascontiguousarray(patch), win.y1_pad, win.y2_pad, win.x1_pad, win.x2_pad, mode)


def sample_target_SE(im: np.ndarray, target_bb: Box, search_area_factor: float, output_sz: Optional[int] = None,
                     mode: int = cv2.BORDER_CONSTANT) -> Tuple[np.ndarray, float, float]:
    """Crop ``ceil(f*w) x ceil(f*h)`` around the box centre and resize it to ``output_sz x output_sz``.

    Works for images (H, W, C) and 2-D masks (H, W) with the same geometry, so training can crop
    frames and masks alike (upstream appended a channel axis to 2-D results; here a 2-D input
    gives a 2-D output). Padding uses `mode` (constant 0 by default); resizing is
    ``cv2.resize`` INTER_LINEAR, aspect ratio not kept. Boolean masks are cropped as uint8 0/1.

    returns:
        (crop, h_rsz_f, w_rsz_f) with ``h_rsz_f = output_sz / hs`` and ``w_rsz_f = output_sz / ws``
        (both 1.0 and no resize when `output_sz` is None).
    """
    im = np.asarray(im)
    if im.ndim not in (2, 3):
        raise ValueError(f"sample_target_SE: expected an HxW or HxWxC array, got shape {im.shape}")
    if im.dtype == np.bool_:
        im = im.astype(np.uint8)
    win = crop_window_SE(target_bb, search_area_factor, im.shape[:2])
    crop = _padded_region(im, win, mode)
    if output_sz is None:
        return crop, 1.0, 1.0
    resized = cv2.resize(crop, (int(output_sz), int(output_sz)), interpolation=cv2.INTER_LINEAR)
    if im.ndim == 3 and resized.ndim == 2:  # OpenCV drops a single channel axis
        resized = resized[..., None]
    return resized, output_sz / win.hs, output_sz / win.ws


def transform_image_to_crop_SE(box_in: Box, box_extract: Box, resize_factor_h: float, resize_factor_w: float,
                               crop_sz) -> Union[np.ndarray, torch.Tensor]:
    """Box in image coordinates -> the crop made around `box_extract` (upstream formula).

    Centre ``(crop_sz-1)/2 + (c_in - c_extract) * f`` per axis (``crop_sz[0]`` for both axes, as
    upstream), size ``w * w_f``, ``h * h_f``; the corners are clamped to ``[0, crop_sz]``. Returns
    xywh, a torch tensor for a tensor `box_in`, else float64 numpy.
    """
    sz = float(crop_sz[0] if isinstance(crop_sz, (Sequence, np.ndarray, torch.Tensor)) else crop_sz)
    is_torch = isinstance(box_in, torch.Tensor)
    b = box_in if is_torch else np.asarray(box_in, dtype=np.float64)
    e = torch.as_tensor(box_extract, dtype=b.dtype, device=b.device) if is_torch \
        else np.asarray(box_extract, dtype=np.float64)
    xc = (sz - 1) / 2 + ((b[0] + 0.5 * b[2]) - (e[0] + 0.5 * e[2])) * resize_factor_w
    yc = (sz - 1) / 2 + ((b[1] + 0.5 * b[3]) - (e[1] + 0.5 * e[3])) * resize_factor_h
    w, h = b[2] * resize_factor_w, b[3] * resize_factor_h
    clamp = (lambda v: torch.clamp(v, 0, sz)) if is_torch else (lambda v: np.clip(v, 0, sz))
    x1, y1 = clamp(xc - 0.5 * w), clamp(yc - 0.5 * h)
    x2, y2 = clamp(xc + 0.5 * w), clamp(yc + 0.5 * h)
    parts = (x1, y1, x2 - x1, y2 - y1)
    return torch.stack(parts) if is_torch else np.array(parts, dtype=np.float64)


def map_box_back_SE(box_crop: Box, box_extract: Box, resize_factor_h: float, resize_factor_w: float,
                    search_area_factor: float = 2.0) -> np.ndarray:
    """Box in crop pixels -> image coordinates (upstream ``RefineModule.bbox_back``), float64 xywh.

    ``x = x_e - (f-1)/2 * w_e + x_c / w_f``, ``w = w_c / w_f`` (same for y, h). The origin used here
    is the unrounded ``x_e - (f-1)/2 * w_e`` while the crop started at ``round(...)`` with
    ``ceil(f*w)`` pixels, and the forward map centres at ``(crop_sz-1)/2``: a box mapped into its own
    crop and back moves by about ``-w/crop_sz`` px (sub-pixel mismatch kept from upstream).
    """
    xc, yc, wc, hc = _box_values(box_crop, 'box_crop')
    xe, ye, we, he = _box_values(box_extract, 'box_extract')
    origin_x = xe - (search_area_factor - 1) / 2 * we
    origin_y = ye - (search_area_factor - 1) / 2 * he
    return np.array([origin_x + xc / resize_factor_w, origin_y + yc / resize_factor_h,
                     wc / resize_factor_w, hc / resize_factor_h], dtype=np.float64)


def map_mask_back(im: Union[np.ndarray, Tuple[int, int]], target_bb: Box, search_area_factor: float,
                  mask: np.ndarray) -> np.ndarray:
    """Crop-sized mask -> (H, W) float64 map of the image the crop came from (0 outside the crop).

    `im` is the image (only its size is used) or its ``(H, W)``. The mask is resized to
    ``ws x hs`` (INTER_LINEAR) and written where ``sample_target_SE`` took the crop (upstream
    ``processing_utils_SE.map_mask_back``, whose padding `mode` argument had no effect on its zero
    canvas and is therefore dropped).
    """
    H, W = (im.shape[:2] if isinstance(im, np.ndarray) else (int(im[0]), int(im[1])))
    win = crop_window_SE(target_bb, search_area_factor, (H, W))
    out = np.zeros((H, W), dtype=np.float64)
    mask = np.asarray(mask)
    if mask.dtype not in (np.float32, np.float64):
        mask = mask.astype(np.float32)
    resized = cv2.resize(mask, (win.ws, win.hs), interpolation=cv2.INTER_LINEAR)  # in the mask's own precision
    # the part of the crop window that lies inside the image
    ix1, iy1 = max(win.x1, 0), max(win.y1, 0)
    ix2, iy2 = min(win.x1 + win.ws, W), min(win.y1 + win.hs, H)
    if ix2 > ix1 and iy2 > iy1:
        out[iy1:iy2, ix1:ix2] = resized[iy1 - win.y1:iy2 - win.y1, ix1 - win.x1:ix2 - win.x1]
    return out


def binarize_mask(prob: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Probability map -> uint8 0/1 mask (``prob > threshold``)."""
    return (np.asarray(prob) > threshold).astype(np.uint8)


def mask2bbox(mask: np.ndarray, ori_bbox: Box, MASK_THRESHOLD: float = 0.5, min_area: float = 100) -> np.ndarray:
    """Box of the thresholded mask: bounding rectangle of the largest external contour.

    Uses the contour with the largest ``cv2.contourArea`` when that area exceeds `min_area` (100),
    ``cv2.boundingRect`` of it (integer box, inclusive-pixel width); otherwise returns `ori_bbox`.
    Always float64 (4,). Upstream (``refine_modules/utils.py``) chose the findContours signature
    from ``cv2.__version__[-5]``, which breaks on OpenCV >= 4.10; here the contours are taken as the
    second-to-last return value, right for OpenCV 3, 4 and 5.
    """
    binary = binarize_mask(mask, MASK_THRESHOLD)
    contours = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)[-2]
    if contours:
        areas = [cv2.contourArea(c) for c in contours]
        best = int(np.argmax(areas))
        if areas[best] > min_area:
            return np.array(cv2.boundingRect(contours[best].reshape(-1, 2)), dtype=np.float64)
    return np.asarray(_box_values(ori_bbox, 'ori_bbox'), dtype=np.float64)


# ----------------------------------------------------------------------------------------------
# RT-MDNet family (upstream external/RT_MDNet: modules/img_cropper.py = the RoIAlign kernel of
# modules/roi_align at spatial scale 1 used as an image cropper; modules/utils.py samples2maskroi)
# ----------------------------------------------------------------------------------------------

def rtmdnet_axis_samples(start: float, stop: float, n: int, size: int,
                         device: Optional[Union[str, torch.device]] = None) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Bilinear taps of RT-MDNet's RoIAlign along one axis: ``(lo, w_lo, w_hi)``, each of length `n`.

    Upstream kernel (``roi_align_kernel.cu`` ``ROIAlignForward``): ``n`` point samples at
    ``start + p * (stop - start + 1) / (n - 1)``, ``p = 0..n-1`` (first on `start`, last one pixel
    past `stop`); a sample outside ``[0, size)`` is 0; else ``lo = min(floor(pos), size - 2)`` and
    ``value = F[lo] * (1 - r) + F[lo + 1] * r`` with ``r = pos - lo`` (so ``r`` may exceed 1 in the
    last cell: linear extrapolation, as upstream). Invalid samples get zero weights.
    """
    if n < 2:
        raise ValueError(f"RT-MDNet crop needs at least 2 samples per axis, got {n}")
    if size < 2:
        raise ValueError(f"RT-MDNet crop needs an image/feature side of at least 2, got {size}")
    length = max(float(stop) - float(start) + 1.0, 0.0)
    pos = float(start) + torch.arange(n, dtype=torch.float64, device=device) * (length / (n - 1))
    valid = (pos >= 0) & (pos < size)
    lo = torch.clamp(torch.floor(pos), max=size - 2).clamp(min=0)
    r = pos - lo
    w_lo = torch.where(valid, 1.0 - r, torch.zeros_like(r))
    w_hi = torch.where(valid, r, torch.zeros_like(r))
    return lo.long(), w_lo.float(), w_hi.float()


def rtmdnet_crop_image(image: np.ndarray, box: Box, out_wh: Sequence[float],
                       device: Optional[Union[str, torch.device]] = None) -> torch.Tensor:
    """RT-MDNet's image crop (``imgCropper.crop_image``): ``(1, 3, out_h, out_w)`` float32, values 0..255.

    `image` is ``H x W x 3`` uint8 (channel order kept), `box` is xywh; the roi is
    ``(x, y, x + w, y + h)`` sampled by :func:`rtmdnet_axis_samples` (zero outside the image).
    `out_wh` is truncated with ``int()`` as upstream (``crop_img_size`` may be fractional after the
    jitter scale). The caller subtracts 128 (upstream does, after cropping).
    """
    x, y, w, h = _box_values(box)
    out_w, out_h = int(out_wh[0]), int(out_wh[1])
    img = torch.as_tensor(np.ascontiguousarray(image), device=device).permute(2, 0, 1).float()
    H, W = img.shape[1:]
    lo_y, wy0, wy1 = rtmdnet_axis_samples(y, y + h, out_h, H, device)
    lo_x, wx0, wx1 = rtmdnet_axis_samples(x, x + w, out_w, W, device)
    rows = img[:, lo_y, :] * wy0[None, :, None] + img[:, lo_y + 1, :] * wy1[None, :, None]
    crop = rows[:, :, lo_x] * wx0[None, None, :] + rows[:, :, lo_x + 1] * wx1[None, None, :]
    return crop.unsqueeze(0)


def rtmdnet_sample_rois(samples: np.ndarray, receptive_field: float, cshape: Sequence[float],
                        padded_scene_size: Sequence[float], padding_ratio: float) -> np.ndarray:
    """Upstream ``samples2maskroi``: xywh samples (relative to the crop's top-left, image pixels) to
    ``(N, 4)`` x1y1x2y2 rois in crop pixels for the conv3 RoIAlign.

    Each sample is enlarged by `padding_ratio` about its centre, scaled by ``cshape /
    padded_scene_size`` (crop pixels per image pixel, per axis; upstream passes the target size as
    `padded_scene_size`), and ``x2, y2`` lose `receptive_field` pixels (not below ``x1 + 1``).
    """
    ratio = np.asarray(cshape, dtype=np.float64) / np.asarray(padded_scene_size, dtype=np.float64)
    rois = np.array(samples, dtype=np.float64).reshape(-1, 4)
    rois[:, 2:4] += rois[:, 0:2]
    pad = (rois[:, 2:4] - rois[:, 0:2]) * (padding_ratio - 1.0) / 2.0
    rois[:, 0:2] -= pad
    rois[:, 2:4] += pad
    rois[:, 0] *= ratio[0]
    rois[:, 1] *= ratio[1]
    rois[:, 2] = np.maximum(rois[:, 0] + 1, rois[:, 2] * ratio[0] - receptive_field)
    rois[:, 3] = np.maximum(rois[:, 1] + 1, rois[:, 3] * ratio[1] - receptive_field)
    return rois


# ----------------------------------------------------------------------------------------------
# pysot convention (SiamRPN++; owner: pysot/). Upstream: STVIR/pysot pysot/tracker/base_tracker.py
# SiameseTracker.get_subwindow.
# ----------------------------------------------------------------------------------------------

def get_subwindow_pysot(im: np.ndarray, pos: Sequence[float], model_sz: int, original_sz: float,
                        avg_chans: Sequence[float]) -> np.ndarray:
    """pysot's square crop: ``original_sz`` pixels around `pos` = (cx, cy), resized to ``model_sz``.

    ``c = (original_sz + 1) / 2``, ``xmin = floor(cx - c + 0.5)``, ``xmax = xmin + original_sz - 1``
    (same for y); pixels outside the image take ``avg_chans`` cast to the image dtype (uint8:
    truncated, as upstream writes the float mean into a uint8 canvas); ``cv2.resize`` (bilinear) only
    when ``model_sz != original_sz``. Returns an ``model_sz x model_sz x C`` array of `im`'s dtype in
    `im`'s channel order (pysot uses BGR). Same pixels as upstream, without padding the whole image.
    """
    im = np.asarray(im)
    if im.ndim != 3:
        raise ValueError(f"get_subwindow_pysot: image must be H x W x C, got shape {im.shape}")
    sz = int(original_sz)
    if sz < 1 or sz != original_sz:
        raise ValueError(f"get_subwindow_pysot: original_sz must be a positive whole number, got {original_sz!r}")
    H, W, C = im.shape
    c = (original_sz + 1) / 2
    xmin = int(np.floor(pos[0] - c + 0.5))
    ymin = int(np.floor(pos[1] - c + 0.5))
    xa, ya, xb, yb = max(xmin, 0), max(ymin, 0), min(xmin + sz, W), min(ymin + sz, H)
    if xmin >= 0 and ymin >= 0 and xmin + sz <= W and ymin + sz <= H:
        patch = im[ymin:ymin + sz, xmin:xmin + sz]
    else:
        patch = np.empty((sz, sz, C), dtype=im.dtype)
        patch[...] = np.asarray(avg_chans, dtype=np.float64).astype(im.dtype)
        if xa < xb and ya < yb:
            patch[ya - ymin:yb - ymin, xa - xmin:xb - xmin] = im[ya:yb, xa:xb]
    if model_sz != sz:
        patch = cv2.resize(np.ascontiguousarray(patch), (int(model_sz), int(model_sz)))
    return np.ascontiguousarray(patch)


# ----------------------------------------------------------------------------------------------
# pytracking family (DiMP/ATOM/ECO; owner: the ATOM tracker). Upstream: AlphaRefine
# pytracking/features/preprocessing.py (sample_patch and friends), re-exported under the upstream
# names by pytracking/features/preprocessing.py. Images are (1, C, H, W) float tensors; positions
# and sizes are (row, col) / (height, width) tensors.
# ----------------------------------------------------------------------------------------------

def numpy_to_torch(a: np.ndarray) -> torch.Tensor:
    """H x W x C array -> (1, C, H, W) float32 tensor."""
    return torch.from_numpy(np.ascontiguousarray(a)).float().permute(2, 0, 1).unsqueeze(0)


def torch_to_numpy(a: torch.Tensor) -> np.ndarray:
    """(1, C, H, W) tensor -> H x W x C array."""
    return a.squeeze(0).permute(1, 2, 0).numpy()


def _as_pair(v, name: str, dtype=torch.float32) -> torch.Tensor:
    t = torch.as_tensor(v, dtype=dtype).reshape(-1)
    if t.numel() == 1:
        t = t.repeat(2)
    if t.numel() != 2:
        raise ValueError(f"sample_patch: {name} must be a (height, width) / (row, col) pair, got {v!r}")
    return t


def _take_region(im: torch.Tensor, tl: torch.Tensor, br: torch.Tensor, replicate: bool) -> torch.Tensor:
    """Rows tl[0]..br[0]-1 and columns tl[1]..br[1]-1 of `im`; outside the image: the nearest border
    pixel (replicate) or 0 (masks). Same pixels as upstream's F.pad with (possibly negative) pads."""
    h, w = im.shape[-2:]
    rows = torch.arange(int(tl[0]), int(br[0]), device=im.device)
    cols = torch.arange(int(tl[1]), int(br[1]), device=im.device)
    patch = im.index_select(-2, rows.clamp(0, h - 1)).index_select(-1, cols.clamp(0, w - 1))
    if not replicate:
        inside = ((rows >= 0) & (rows < h))[:, None] & ((cols >= 0) & (cols < w))[None, :]
        patch = patch * inside.to(patch.dtype)
    return patch


def sample_patch(im: torch.Tensor, pos, sample_sz, output_sz=None, mode: str = 'replicate',
                 max_scale_change: Optional[float] = None, is_mask: bool = False) -> Tuple[torch.Tensor, torch.Tensor]:
    """Crop ``sample_sz`` (h, w) pixels centred at `pos` (row, col) from `im` (1, C, H, W), resized to `output_sz`.

    Upstream rules: ``pos`` is truncated to integers; when the crop is more than ~2x the output, the
    image is first subsampled by ``df = max(int(min(sample_sz / output_sz) - 0.1), 1)``; the crop
    spans ``max(round(sample_sz / df), 2)`` pixels, rows ``pos - (n-1)//2 .. pos + n//2``. Modes:
    ``'replicate'`` pads with border pixels; ``'inside'`` / ``'inside_major'`` first shrink the crop so
    that it fits the image along the larger / smaller ratio (shrink limited to ``max_scale_change``)
    and shift it inside. Images are resized bilinearly, masks (``is_mask``: zero padding) by nearest.

    returns:
        patch (1, C, oh, ow) and its image coordinates (1, 4) ``[row1, col1, row2, col2]`` (end
        exclusive, scaled back by df).
    """
    if mode not in ('replicate', 'inside', 'inside_major'):
        raise ValueError(f"sample_patch: unknown border mode '{mode}' (replicate, inside, inside_major)")
    if im.dim() != 4:
        raise ValueError(f"sample_patch: image must be (1, C, H, W), got shape {tuple(im.shape)}")
    posl = torch.trunc(_as_pair(pos, 'pos', torch.float64)).long()   # upstream pos.long()
    sample_sz = _as_pair(sample_sz, 'sample_sz')
    out_sz = None if output_sz is None else _as_pair(output_sz, 'output_sz')

    if mode in ('inside', 'inside_major'):
        im_sz = torch.tensor([im.shape[2], im.shape[3]], dtype=torch.float32)
        ratio = sample_sz / im_sz
        shrink = (ratio.max() if mode == 'inside' else ratio.min()).clamp(min=1, max=max_scale_change)
        sample_sz = (sample_sz / shrink).long().float()

    df = 1 if out_sz is None else max(int(torch.min(sample_sz / out_sz).item() - 0.1), 1)
    sz = sample_sz / df
    if df > 1:
        offset = posl % df
        posl = (posl - offset) // df
        im2 = im[..., int(offset[0])::df, int(offset[1])::df]
    else:
        im2 = im

    szl = torch.clamp(torch.round(sz), min=2).long()
    tl = posl - (szl - 1) // 2
    br = posl + szl // 2 + 1

    if mode in ('inside', 'inside_major'):
        im2_sz = torch.tensor([im2.shape[2], im2.shape[3]], dtype=torch.long)
        shift = (-tl).clamp(min=0) - (br - im2_sz).clamp(min=0)
        tl, br = tl + shift, br + shift
        outside = ((-tl).clamp(min=0) + (br - im2_sz).clamp(min=0)) // 2
        shift = (-tl - outside) * (outside > 0).long()
        tl, br = tl + shift, br + shift

    patch = _take_region(im2, tl, br, replicate=not is_mask)
    patch_coord = df * torch.cat((tl, br)).view(1, 4)
    if out_sz is None or (patch.shape[-2] == int(out_sz[0]) and patch.shape[-1] == int(out_sz[1])):
        return patch.clone(), patch_coord
    size = [int(out_sz[0]), int(out_sz[1])]
    if is_mask:
        return torch.nn.functional.interpolate(patch, size, mode='nearest'), patch_coord
    return torch.nn.functional.interpolate(patch, size, mode='bilinear', align_corners=False), patch_coord


def sample_patch_multiscale(im: torch.Tensor, pos, scales, image_sz, mode: str = 'replicate',
                            max_scale_change: Optional[float] = None) -> Tuple[torch.Tensor, torch.Tensor]:
    """Patches of ``scale * image_sz`` pixels for every scale, each resized to `image_sz` -> (S, C, h, w), (S, 4)."""
    if isinstance(scales, (int, float)):
        scales = [scales]
    image_sz = _as_pair(image_sz, 'image_sz')
    patches, coords = zip(*(sample_patch(im, pos, float(s) * image_sz, image_sz, mode=mode,
                                         max_scale_change=max_scale_change) for s in scales))
    return torch.cat(patches), torch.cat(coords)


def sample_patch_transformed(im: torch.Tensor, pos, scale: float, image_sz, transforms: Sequence,
                             is_mask: bool = False) -> torch.Tensor:
    """One patch of ``scale * image_sz`` pixels resized to `image_sz`, then each transform of
    `transforms` (pytracking.features.augmentation) applied to it -> (len(transforms), C, h, w)."""
    image_sz = _as_pair(image_sz, 'image_sz')
    patch, _ = sample_patch(im, pos, float(scale) * image_sz, image_sz, is_mask=is_mask)
    return torch.cat([t(patch, is_mask=is_mask) for t in transforms])


# ----------------------------------------------------------------------------------------------
# DiMP/ATOM training (pytracking ltr/data/processing_utils.py: the training crops of ATOM and DiMP,
# the IoU-Net proposals and the Gaussian label functions). Boxes are xywh float32 tensors; images are
# H x W x C numpy arrays. Random draws use the global ``random`` and torch generators, in upstream's
# order, so a seeded sampler reproduces a sample.
# ----------------------------------------------------------------------------------------------

def _window(x1: int, y1: int, ws: int, hs: int, im_hw: Tuple[int, int]) -> CropWindow:
    """The crop region ``[x1, x1+ws) x [y1, y1+hs)`` with upstream's pads (right/bottom pad one pixel
    too many when the region reaches the border, as :func:`crop_window_SE`)."""
    H, W = int(im_hw[0]), int(im_hw[1])
    return CropWindow(x1, y1, ws, hs, x1_pad=max(0, -x1), x2_pad=max(x1 + ws - W + 1, 0),
                      y1_pad=max(0, -y1), y2_pad=max(y1 + hs - H + 1, 0))


def sample_target(im: np.ndarray, target_bb: Box, search_area_factor: float,
                  output_sz: Optional[int] = None) -> Tuple[np.ndarray, float]:
    """ATOM's training crop: a square of side ``ceil(sqrt(w*h) * factor)`` around the box centre, border
    pixels replicated outside the image, resized to ``output_sz x output_sz`` (cv2 bilinear).

    The origin is ``round(x + w/2 - side/2)`` (Python's banker's rounding), as upstream ``sample_target``.
    Returns ``(crop, output_sz / side)`` (factor 1.0 and no resize when `output_sz` is None).
    """
    x, y, w, h = _box_values(target_bb, 'target_bb')
    side = math.ceil(math.sqrt(w * h) * search_area_factor)
    if not side >= 1:
        raise ValueError(f"too small bounding box {[x, y, w, h]}: crop side would be {side}")
    win = _window(round(x + 0.5 * w - side * 0.5), round(y + 0.5 * h - side * 0.5), side, side, im.shape[:2])
    crop = _padded_region(np.asarray(im), win, cv2.BORDER_REPLICATE)
    if output_sz is None:
        return crop, 1.0
    return cv2.resize(crop, (int(output_sz), int(output_sz))), output_sz / side


def transform_image_to_crop(box_in: torch.Tensor, box_extract: torch.Tensor, resize_factor: float,
                            crop_sz: torch.Tensor) -> torch.Tensor:
    """Box in image pixels -> the crop of :func:`sample_target` around `box_extract`: centre
    ``(crop_sz - 1)/2 + (c_in - c_extract) * f``, size ``wh * f`` (no clamping; upstream formula)."""
    centre_extract = box_extract[0:2] + 0.5 * box_extract[2:4]
    centre_in = box_in[0:2] + 0.5 * box_in[2:4]
    centre_out = (crop_sz - 1) / 2 + (centre_in - centre_extract) * resize_factor
    size_out = box_in[2:4] * resize_factor
    return torch.cat((centre_out - 0.5 * size_out, size_out))


def jittered_center_crop(frames: Sequence[np.ndarray], box_extract: Sequence[torch.Tensor],
                         box_gt: Sequence[torch.Tensor], search_area_factor: float, output_sz: int):
    """ATOM's crops: each frame cropped around its `box_extract` box (:func:`sample_target`) and its
    `box_gt` mapped into the crop; returns ``(crops, boxes)``."""
    crops, factors = zip(*[sample_target(f, a, search_area_factor, output_sz) for f, a in zip(frames, box_extract)])
    crop_sz = torch.tensor([output_sz, output_sz], dtype=torch.float32)
    boxes = [transform_image_to_crop(torch.as_tensor(g, dtype=torch.float32), torch.as_tensor(e, dtype=torch.float32),
                                     rf, crop_sz) for g, e, rf in zip(box_gt, box_extract, factors)]
    return list(crops), boxes


def adaptive_crop_box(target_bb: torch.Tensor, im_hw: Tuple[int, int], search_area_factor: float,
                      output_sz: Union[int, Sequence[int]], mode: str = 'replicate',
                      max_scale_change: Optional[float] = None) -> Tuple[int, int, int, int]:
    """The integer crop region ``(x1, y1, w, h)`` of :func:`sample_target_adaptive` (upstream
    ``sample_target_adaptive``'s geometry).

    Side per axis ``ceil(out * sqrt(w*h / prod(out)) * factor)`` (float32, as upstream); modes
    ``'inside'``/``'inside_major'`` shrink it by ``min(max(1, r), max_scale_change)`` with ``r`` the max/min
    of crop/image per axis (floor). The region is then moved inside the image, and one larger than the
    image is centred on it (in every mode, as upstream).
    """
    if mode not in ('replicate', 'inside', 'inside_major'):
        raise ValueError(f"mode must be 'replicate', 'inside' or 'inside_major', got {mode!r}")
    max_scale_change = float('inf') if max_scale_change is None else max_scale_change
    out = torch.tensor([output_sz, output_sz] if isinstance(output_sz, (int, float)) else list(output_sz),
                       dtype=torch.float32)
    bb = torch.as_tensor(target_bb, dtype=torch.float32)
    im_h, im_w = int(im_hw[0]), int(im_hw[1])
    crop_w, crop_h = (out * (bb[2:].prod() / out.prod()).sqrt() * search_area_factor).ceil().long().tolist()
    if mode != 'replicate':
        ratios = [crop_w / im_w, crop_h / im_h]
        rescale = min(max(1, max(ratios) if mode == 'inside' else min(ratios)), max_scale_change)
        crop_w, crop_h = math.floor(crop_w / rescale), math.floor(crop_h / rescale)
    if crop_w < 1 or crop_h < 1:
        raise ValueError(f"too small bounding box {bb.tolist()}: crop would be {crop_w}x{crop_h}")
    bx, by, bw, bh = bb.tolist()
    x1, y1 = round(bx + 0.5 * bw - crop_w * 0.5), round(by + 0.5 * bh - crop_h * 0.5)
    x2, y2 = x1 + crop_w, y1 + crop_h
    # move inside the image; a region larger than the image ends up centred on it
    shift_x, shift_y = max(0, -x1) + min(0, im_w - x2), max(0, -y1) + min(0, im_h - y2)
    x1, x2, y1, y2 = x1 + shift_x, x2 + shift_x, y1 + shift_y, y2 + shift_y
    out_x = (max(0, -x1) + max(0, x2 - im_w)) // 2
    out_y = (max(0, -y1) + max(0, y2 - im_h)) // 2
    x1 += (-x1 - out_x) * (out_x > 0)
    y1 += (-y1 - out_y) * (out_y > 0)
    return x1, y1, crop_w, crop_h


def sample_target_adaptive(im: np.ndarray, target_bb: torch.Tensor, search_area_factor: float,
                           output_sz: Union[int, Sequence[int]], mode: str = 'replicate',
                           max_scale_change: Optional[float] = None) -> Tuple[np.ndarray, torch.Tensor]:
    """DiMP's training crop (upstream ``sample_target_adaptive``): the region of :func:`adaptive_crop_box`,
    border pixels replicated where it leaves the image, resized to `output_sz` ((w, h) or one side).

    Returns ``(crop, crop_box)`` with ``crop_box = [x1, y1, w, h]`` the region in image pixels.
    """
    x1, y1, w, h = adaptive_crop_box(target_bb, im.shape[:2], search_area_factor, output_sz, mode, max_scale_change)
    crop = _padded_region(np.asarray(im), _window(x1, y1, w, h, im.shape[:2]), cv2.BORDER_REPLICATE)
    out_wh = (int(output_sz), int(output_sz)) if isinstance(output_sz, (int, float)) else tuple(int(v) for v in output_sz)
    return cv2.resize(crop, out_wh), torch.tensor([x1, y1, w, h], dtype=torch.float32)


def transform_box_to_crop(box: torch.Tensor, crop_box: torch.Tensor, crop_sz: torch.Tensor) -> torch.Tensor:
    """Box in image pixels -> pixels of the crop of region `crop_box` resized to `crop_sz` = (w, h)."""
    scale = crop_sz / crop_box[2:]
    return torch.cat(((box[:2] - crop_box[:2]) * scale, box[2:] * scale))


def target_image_crop(frames: Sequence[np.ndarray], box_extract: Sequence[torch.Tensor],
                      box_gt: Sequence[torch.Tensor], search_area_factor: float,
                      output_sz: Union[int, Sequence[int]], mode: str = 'replicate',
                      max_scale_change: Optional[float] = None):
    """DiMP's crops: each frame cropped around `box_extract` by :func:`sample_target_adaptive` and its
    `box_gt` mapped into the crop; returns ``(crops, boxes)``."""
    out_wh = [output_sz, output_sz] if isinstance(output_sz, (int, float)) else list(output_sz)
    crops, crop_boxes = zip(*[sample_target_adaptive(f, torch.as_tensor(a, dtype=torch.float32), search_area_factor,
                                                     out_wh, mode, max_scale_change)
                              for f, a in zip(frames, box_extract)])
    crop_sz = torch.tensor(out_wh, dtype=torch.float32)
    boxes = [transform_box_to_crop(torch.as_tensor(g, dtype=torch.float32), c, crop_sz)
             for g, c in zip(box_gt, crop_boxes)]
    return list(crops), boxes


def iou(reference: torch.Tensor, proposals: torch.Tensor) -> torch.Tensor:
    """IoU of a ``(1, 4)`` xywh reference with ``(N, 4)`` xywh proposals (continuous areas) -> ``(N,)``."""
    tl = torch.max(reference[:, :2], proposals[:, :2])
    br = torch.min(reference[:, :2] + reference[:, 2:], proposals[:, :2] + proposals[:, 2:])
    intersection = (br - tl).clamp(0).prod(dim=1)
    union = reference[:, 2:].prod(dim=1) + proposals[:, 2:].prod(dim=1) - intersection
    return intersection / union


def rand_uniform(a: float, b: float, shape=1) -> torch.Tensor:
    """``U(a, b)`` samples of `shape` from torch's global generator."""
    return (b - a) * torch.rand(shape) + a


def perturb_box(box: torch.Tensor, min_iou: float = 0.5, sigma_factor=0.1) -> Tuple[torch.Tensor, torch.Tensor]:
    """An IoU-Net proposal: `box` with Gaussian noise on centre and size, rounded (upstream ``perturb_box``).

    `sigma_factor` (a number, a (4,) tensor, or a list of them, one drawn with ``random.choice``) times
    ``sqrt(w*h)`` is the noise std of (cx, cy, w, h), drawn with ``random.gauss``; a size <= 1 is replaced
    by ``U(0.15, 0.5)`` times the box size. Up to 100 tries, the std shrinking by 0.9 after each proposal
    whose IoU is not above `min_iou`; the last try is returned otherwise. Returns ``(proposal, iou (1,))``.
    """
    box = torch.as_tensor(box, dtype=torch.float32)
    sigma = random.choice(sigma_factor) if isinstance(sigma_factor, (list, tuple)) else sigma_factor
    if not isinstance(sigma, torch.Tensor):
        sigma = sigma * torch.ones(4)
    perturb_factor = torch.sqrt(box[2] * box[3]) * sigma
    for _ in range(100):
        cx, cy = box[0] + 0.5 * box[2], box[1] + 0.5 * box[3]
        cx_per = random.gauss(cx, perturb_factor[0])
        cy_per = random.gauss(cy, perturb_factor[1])
        w_per = random.gauss(box[2], perturb_factor[2])
        h_per = random.gauss(box[3], perturb_factor[3])
        if w_per <= 1:
            w_per = box[2] * rand_uniform(0.15, 0.5)[0]
        if h_per <= 1:
            h_per = box[3] * rand_uniform(0.15, 0.5)[0]
        box_per = torch.stack([cx_per - 0.5 * w_per, cy_per - 0.5 * h_per, w_per, h_per]).float().round()
        if box_per[2] <= 1:
            box_per[2] = box[2] * rand_uniform(0.15, 0.5)[0]
        if box_per[3] <= 1:
            box_per[3] = box[3] * rand_uniform(0.15, 0.5)[0]
        box_iou = iou(box.view(1, 4), box_per.view(1, 4))
        if box_iou > min_iou:
            return box_per, box_iou
        perturb_factor = perturb_factor * 0.9
    return box_per, box_iou


def gauss_1d(sz: int, sigma: float, center: torch.Tensor, end_pad: int = 0, density: bool = False) -> torch.Tensor:
    """Gaussians ``exp(-(k - c)^2 / (2 sigma^2))`` at ``k = -(sz-1)/2 .. (sz-1)/2 + end_pad`` for each
    centre of `center` (N,) -> ``(N, sz + end_pad)``; `density` divides by ``sqrt(2 pi) sigma``."""
    k = torch.arange(-(sz - 1) / 2, (sz + 1) / 2 + end_pad).reshape(1, -1)
    gauss = torch.exp(-1.0 / (2 * sigma ** 2) * (k - center.reshape(-1, 1)) ** 2)
    if density:
        gauss = gauss / (math.sqrt(2 * math.pi) * sigma)
    return gauss


def gauss_2d(sz: torch.Tensor, sigma, center: torch.Tensor, end_pad=(0, 0), density: bool = False) -> torch.Tensor:
    """Separable 2-D Gaussians: `center` (N, 2) as (x, y) in cells relative to the map centre, `sz` (w, h)
    -> ``(N, h + end_pad[1], w + end_pad[0])``."""
    if isinstance(sigma, (float, int)):
        sigma = (sigma, sigma)
    gx = gauss_1d(int(sz[0].item()), sigma[0], center[:, 0], end_pad[0], density)
    gy = gauss_1d(int(sz[1].item()), sigma[1], center[:, 1], end_pad[1], density)
    return gx.reshape(center.shape[0], 1, -1) * gy.reshape(center.shape[0], -1, 1)


def gaussian_label_function(target_bb: torch.Tensor, sigma_factor: float, kernel_sz, feat_sz, image_sz,
                            end_pad_if_even: bool = True, density: bool = False, uni_bias: float = 0) -> torch.Tensor:
    """DiMP's classification label: a Gaussian per box of `target_bb` (N, 4) on the score grid (upstream
    ``gaussian_label_function``).

    Centre in cells ``feat_sz * (c - image_sz/2) / image_sz + ((k + 1) % 2) / 2`` (even kernels shift the
    grid by half a cell), std ``sigma_factor * sqrt(prod(feat_sz))`` cells; even kernels add one row and
    column at the end (`end_pad_if_even`). `density` makes it a normalised density mixed with a uniform
    weight `uni_bias`; otherwise `uni_bias` is added. Returns ``(N, H, W)``.
    """
    def pair(v):
        return (v, v) if isinstance(v, (float, int)) else tuple(v)
    kernel_sz, feat_sz, image_sz = pair(kernel_sz), torch.tensor(pair(feat_sz), dtype=torch.float32), \
        torch.tensor(pair(image_sz), dtype=torch.float32)
    target_center = target_bb[:, 0:2] + 0.5 * target_bb[:, 2:4]
    center = feat_sz * (target_center - image_sz / 2) / image_sz + \
        0.5 * torch.tensor([(kernel_sz[0] + 1) % 2, (kernel_sz[1] + 1) % 2], dtype=torch.float32)
    sigma = sigma_factor * feat_sz.prod().sqrt().item()
    end_pad = (int(kernel_sz[0] % 2 == 0), int(kernel_sz[1] % 2 == 0)) if end_pad_if_even else (0, 0)
    gauss = gauss_2d(feat_sz, sigma, center, end_pad, density=density)
    if density:
        size = (feat_sz + torch.tensor(end_pad, dtype=torch.float32)).prod()
        return (1.0 - uni_bias) * gauss + uni_bias / size
    return gauss + uni_bias


def gauss_density_centered(x: torch.Tensor, std) -> torch.Tensor:
    """Density of a zero-mean Gaussian with std `std` at `x` (elementwise)."""
    return torch.exp(-0.5 * (x / std) ** 2) / (math.sqrt(2 * math.pi) * std)


def gmm_density_centered(x: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """Density of an equal-weight mixture of zero-mean diagonal Gaussians: `std` ``(..., dims, K)``, `x`
    ``(..., dims)`` (or with a trailing 1) -> ``(...)``."""
    if x.dim() == std.dim() - 1:
        x = x.unsqueeze(-1)
    elif not (x.dim() == std.dim() and x.shape[-1] == 1):
        raise ValueError('gmm_density_centered: the last dimension of std must be the mixture components')
    return gauss_density_centered(x, std).prod(-2).mean(-1)


def sample_gmm_centered(std: torch.Tensor, num_samples: int = 1) -> Tuple[torch.Tensor, torch.Tensor]:
    """`num_samples` draws of the zero-mean mixture with component stds `std` ``(dims, K)`` (component
    ids by ``torch.randint``, then ``torch.randn``) and their mixture densities."""
    num_components = std.shape[-1]
    num_dims = std.numel() // num_components
    std = std.view(1, num_dims, num_components)
    k = torch.randint(num_components, (num_samples,), dtype=torch.int64)
    x_centered = std[0, :, k].t() * torch.randn(num_samples, num_dims)
    return x_centered, gmm_density_centered(x_centered, std)


def sample_box_gmm(mean_box: torch.Tensor, proposal_sigma, gt_sigma=None, num_samples: int = 1,
                   add_mean_box: bool = False) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """PrDiMP's IoU-Net proposals (upstream ``sample_box_gmm``): boxes drawn from a Gaussian mixture in the
    relative box space of `mean_box` (centre / mean size, log size), with ``proposal_sigma`` a list of
    (centre std, size std) per component; returns ``(proposals (N, 4) xywh, proposal density (N,),
    ground-truth density (N,))``, the latter a Gaussian with stds `gt_sigma` (zeros when None or 0).
    `add_mean_box` prepends the mean box with densities -1 (proposal) and 1 (ground truth).
    """
    center_std = torch.tensor([s[0] for s in proposal_sigma], dtype=torch.float32)
    sz_std = torch.tensor([s[1] for s in proposal_sigma], dtype=torch.float32)
    std = torch.stack([center_std, center_std, sz_std, sz_std])
    mean_box = torch.as_tensor(mean_box, dtype=torch.float32).view(1, 4)
    sz_norm = mean_box[:, 2:].clone()
    rel_centered, proposal_density = sample_gmm_centered(std, num_samples)
    proposals = rel_to_rect(rel_centered + rect_to_rel(mean_box, sz_norm), sz_norm)
    if gt_sigma is None or (gt_sigma[0] == 0 and gt_sigma[1] == 0):
        gt_density = torch.zeros_like(proposal_density)
    else:
        std_gt = torch.tensor([gt_sigma[0], gt_sigma[0], gt_sigma[1], gt_sigma[1]], dtype=torch.float32).view(1, 4)
        gt_density = gauss_density_centered(rel_centered, std_gt).prod(-1)
    if add_mean_box:
        proposals = torch.cat((mean_box, proposals))
        proposal_density = torch.cat((torch.tensor([-1.0]), proposal_density))
        gt_density = torch.cat((torch.tensor([1.0]), gt_density))
    return proposals, proposal_density, gt_density
