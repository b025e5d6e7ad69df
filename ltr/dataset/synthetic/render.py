"""Rendering of synthetic frames, or of any crop of them directly at crop resolution.

A *view* is a 2x3 affine map from frame pixel centres to output pixel centres: the identity
renders the frame, a scale-and-shift renders a crop. Objects are warped only into the part of the
output they cover, so a crop costs what its output size costs, not what the frame costs.

Order (back to front): panning background, distractors, target, occluders; then the global gain.
Only the background region a render shows is computed (``Texture.rgb`` of that region). Objects
are warped as premultiplied colour + alpha and composited ``out = colour + (1 - alpha) * below``.
The target mask is its own warped alpha >= 128 minus the occluders' alpha >= 128: the visible
target. The ground-truth box is the tight inclusive box of that mask. Every alpha is warped over
the object's own region of the output, so the mask of a render and the box of
:func:`target_box` come from the very same warps.
"""
from __future__ import annotations

import math
from typing import Dict, Optional, Tuple

import cv2
import numpy as np

from ltr.data.bounding_box_utils import mask_to_xywh
from ltr.dataset.synthetic.scene import MovingObject, SequencePlan
from ltr.dataset.synthetic.textures import SHAPE_RES

_IDENTITY = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
_SQUARE = np.array([[-0.5, -0.5, 1.0], [SHAPE_RES - 0.5, -0.5, 1.0],
                    [-0.5, SHAPE_RES - 0.5, 1.0], [SHAPE_RES - 0.5, SHAPE_RES - 0.5, 1.0]]).T


# A motion-blur canvas larger than this many output areas is cut to what reaches the output.
_MAX_BLUR_CANVAS = 4


def compose(outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """2x3 affine ``outer o inner`` (apply `inner` first)."""
    out = outer[:, :2] @ inner
    out[:, 2] += outer[:, 2]
    return out


def crop_view(crop_xywh, out_size: Tuple[int, int]) -> np.ndarray:
    """View mapping the frame region `crop_xywh` (pixel-corner coordinates) onto an ``out_size=(w, h)`` image."""
    x0, y0, cw, ch = (float(v) for v in crop_xywh)
    sx, sy = out_size[0] / cw, out_size[1] / ch
    # corner coordinates u = (X - x0) * s; pixel centres sit at corner + 0.5
    return np.array([[sx, 0.0, (0.5 - x0) * sx - 0.5], [0.0, sy, (0.5 - y0) * sy - 0.5]])


def _bounds(pts: np.ndarray, out_w: int, out_h: int, pad: int, clip: bool) -> Optional[Tuple[int, int, int, int]]:
    """Integer region ``(x0, y0, x1, y1)`` holding the points ``pts`` (2 x n, pixel centres) plus `pad`."""
    xs, ys = pts[0].tolist(), pts[1].tolist()  # a handful of points: plain Python is faster than numpy here
    x0 = math.floor(min(xs)) - 1 - pad
    y0 = math.floor(min(ys)) - 1 - pad
    x1 = math.ceil(max(xs)) + 2 + pad
    y1 = math.ceil(max(ys)) + 2 + pad
    if clip:
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, out_w), min(y1, out_h)
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1, y1


def _roi(M: np.ndarray, out_w: int, out_h: int, pad: int, clip: bool) -> Optional[Tuple[int, int, int, int]]:
    """Integer region covered by the canonical square under `M` (+pad), clipped to the output if `clip`."""
    return _bounds(M @ _SQUARE, out_w, out_h, pad, clip)


def _shifted(M: np.ndarray, x0: int, y0: int) -> np.ndarray:
    S = M.copy()
    S[0, 2] -= x0
    S[1, 2] -= y0
    return S


def _warp(src: np.ndarray, M: np.ndarray, roi: Tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, x1, y1 = roi
    return cv2.warpAffine(src, _shifted(M, x0, y0), (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def _blend(img: np.ndarray, roi: Tuple[int, int, int, int], rgba: np.ndarray) -> None:
    """Composite premultiplied `rgba` over ``img[roi]``: ``colour + below * (255 - alpha) / 255``."""
    x0, y0, x1, y1 = roi
    inv = 255 - rgba[..., 3]
    below = cv2.multiply(img[y0:y1, x0:x1], cv2.merge([inv, inv, inv]), scale=1.0 / 255.0)
    img[y0:y1, x0:x1] = cv2.add(cv2.cvtColor(rgba, cv2.COLOR_RGBA2RGB), below)


def _draw_blurred(img: np.ndarray, obj: MovingObject, M: np.ndarray, blur: Tuple[float, float, float]) -> None:
    """Draw `obj` with a linear motion blur: render it turned so the motion runs along x, box-blur
    the premultiplied colour and alpha along x, turn it back (cost independent of the blur length)."""
    dx, dy, length = blur
    phi = np.arctan2(dy, dx)
    turn = np.array([[np.cos(phi), np.sin(phi), 0.0], [-np.sin(phi), np.cos(phi), 0.0]])
    Mt = compose(turn, M)
    pad = int(np.ceil(length / 2)) + 1
    r = _roi(Mt, 0, 0, pad, clip=False)
    h_out, w_out = img.shape[:2]
    if (r[2] - r[0]) * (r[3] - r[1]) > _MAX_BLUR_CANVAS * h_out * w_out:
        # A tiny crop of a big fast target (zoomed far in) would blur a canvas of many megapixels
        # (seconds, gigabytes): keep the part that can reach the output, i.e. the output rectangle
        # turned and widened by the blur reach. The moved canvas origin can change a few output
        # pixels by a level or two (warp rounding), so ordinary canvases are left as they were.
        reach = _bounds(turn @ np.array([[-0.5, w_out - 0.5, -0.5, w_out - 0.5],
                                         [-0.5, -0.5, h_out - 0.5, h_out - 0.5], [1.0, 1.0, 1.0, 1.0]]),
                        0, 0, pad + 2, clip=False)
        r = (max(r[0], reach[0]), max(r[1], reach[1]), min(r[2], reach[2]), min(r[3], reach[3]))
        if r[2] <= r[0] or r[3] <= r[1]:
            return
    rgba = cv2.blur(_warp(obj.rgba, Mt, r), (max(int(round(length)), 1), 1), borderType=cv2.BORDER_CONSTANT)
    back = cv2.invertAffineTransform(_shifted(turn, r[0], r[1]))  # turned-canvas pixels -> output pixels
    w, h = r[2] - r[0], r[3] - r[1]
    corners = back @ np.array([[-0.5, w - 0.5, -0.5, w - 0.5], [-0.5, -0.5, h - 0.5, h - 0.5], [1.0, 1.0, 1.0, 1.0]])
    roi = _bounds(corners, img.shape[1], img.shape[0], 0, clip=True)
    if roi is None:
        return
    out = cv2.warpAffine(rgba, _shifted(back, roi[0], roi[1]), (roi[2] - roi[0], roi[3] - roi[1]),
                         flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    _blend(img, roi, out)


Warped = Tuple[Tuple[int, int, int, int], np.ndarray]  # (roi in the output, alpha over the roi)


def _draw(img: np.ndarray, obj: MovingObject, M: np.ndarray,
          blur: Optional[Tuple[float, float, float]] = None) -> Optional[Warped]:
    """Composite `obj` (canonical-to-output map `M`) into `img`, optionally motion-blurred.

    Returns the object's region and warped alpha (as :func:`_warped_alpha` gives them), or None
    when it is blurred or outside the output.
    """
    if blur:
        _draw_blurred(img, obj, M, blur)
        return None
    roi = _roi(M, img.shape[1], img.shape[0], 0, clip=True)
    if roi is None:
        return None
    rgba = _warp(obj.rgba, M, roi)
    _blend(img, roi, rgba)
    return roi, rgba[..., 3]


def _warped_alpha(obj: MovingObject, M: np.ndarray, out_w: int, out_h: int) -> Optional[Warped]:
    """`obj`'s alpha warped by `M` over its region of an ``out_w x out_h`` output, or None outside it."""
    roi = _roi(M, out_w, out_h, 0, clip=True)
    if roi is None:
        return None
    return roi, _warp(obj.alpha, M, roi)


def _remove_cover(local: np.ndarray, roi: Tuple[int, int, int, int], cover: Warped) -> None:
    """Clear the target mask `local` (over `roi`) where an occluder's alpha is >= 128."""
    (ox0, oy0, ox1, oy1), alpha = cover
    x0, y0 = max(roi[0], ox0), max(roi[1], oy0)
    x1, y1 = min(roi[2], ox1), min(roi[3], oy1)
    if x1 > x0 and y1 > y0:
        local[y0 - roi[1]:y1 - roi[1], x0 - roi[0]:x1 - roi[0]][alpha[y0 - oy0:y1 - oy0, x0 - ox0:x1 - ox0] >= 128] = 0


def _overlaps(a: Tuple[int, int, int, int], b: Tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _visible_target(plan: SequencePlan, t: int, view: np.ndarray, out_w: int, out_h: int,
                    target: Optional[Warped] = None, covers=None) -> Optional[Warped]:
    """``(roi, mask)``: the target's region in the output and its visible mask there (uint8 0/255), or None.

    The visible mask is zero outside the target's region, so this is all of it. `target` and
    `covers` (the occluders' warped alphas, None for those outside the output) may be passed
    when a render has already warped them; they are computed otherwise.
    """
    if target is None:
        target = _warped_alpha(plan.target, compose(view, plan.target.affine(t)), out_w, out_h)
        if target is None:
            return None
    roi, alpha = target
    local = cv2.threshold(alpha, 127, 255, cv2.THRESH_BINARY)[1]  # 255 where alpha >= 128
    for i, o in enumerate(plan.occluders):
        if covers is not None:
            cover = covers[i]
        else:
            M = compose(view, o.affine(t))
            cover = _warped_alpha(o, M, out_w, out_h) if _overlaps(_roi(M, out_w, out_h, 0, clip=False), roi) else None
        if cover is not None:
            _remove_cover(local, roi, cover)
    return roi, local


def _blur_of(plan: SequencePlan, t: int, view: np.ndarray) -> Optional[Tuple[float, float, float]]:
    """Motion blur (dx, dy, length in output pixels) of the target at frame `t`, or None below the threshold."""
    cfg = plan.config
    dx, dy = plan.target.speed(float(t))
    speed = float(np.hypot(dx, dy))
    if cfg.blur_factor <= 0 or speed <= cfg.blur_speed_px:
        return None
    zoom = float(np.sqrt(abs(np.linalg.det(view[:, :2]))))
    length = cfg.blur_factor * speed * zoom
    return (dx, dy, length) if length >= 2 else None


def _draw_background(plan: SequencePlan, t: int, view: np.ndarray, w: int, h: int) -> np.ndarray:
    """The panning background through `view`, computed only over the texture region the output shows."""
    B = compose(view, plan.background_affine(t))  # texture pixels -> output pixels
    corners = cv2.invertAffineTransform(B) @ np.array([[-0.5, w - 0.5, -0.5, w - 0.5],
                                                      [-0.5, -0.5, h - 0.5, h - 0.5], [1.0, 1.0, 1.0, 1.0]])
    tex = plan.background
    x0, y0, x1, y1 = _bounds(corners, tex.width, tex.height, 1, clip=True) or (0, 0, tex.width, tex.height)
    out = cv2.warpAffine(tex.rgbx(x0, y0, x1, y1), compose(B, _translation(x0, y0)),
                         (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    return cv2.cvtColor(out, cv2.COLOR_RGBA2RGB)


def _translation(x: float, y: float) -> np.ndarray:
    return np.array([[1.0, 0.0, float(x)], [0.0, 1.0, float(y)]])


def render_view(plan: SequencePlan, t: int, view: np.ndarray, out_size: Tuple[int, int],
                with_image: bool = True) -> Tuple[Optional[np.ndarray], np.ndarray]:
    """Render frame `t` through `view` into an ``out_size=(w, h)`` output.

    Returns ``(image, mask)``: RGB uint8 ``h x w x 3`` (None when ``with_image`` is False) and the
    visible-target mask uint8 ``h x w`` in {0, 255}. Parts of the output outside the frame are 0
    in both (as a zero-padded crop of the frame would be).
    """
    w, h = int(out_size[0]), int(out_size[1])
    img = None
    if with_image:
        img = _draw_background(plan, t, view, w, h)
        for d in plan.distractors:
            _draw(img, d, compose(view, d.affine(t)))
        M = compose(view, plan.target.affine(t))
        target = _draw(img, plan.target, M, _blur_of(plan, t, view))
        if target is None:  # blurred (its drawn alpha is not the mask) or outside the output
            target = _warped_alpha(plan.target, M, w, h)
        covers = [_draw(img, o, compose(view, o.affine(t))) for o in plan.occluders]
        visible = _visible_target(plan, t, view, w, h, target, covers) if target is not None else None
        gain = 1.0 + plan.gain.at(float(t))
        if gain != 1.0:
            img = cv2.convertScaleAbs(img, alpha=gain)
    else:
        visible = _visible_target(plan, t, view, w, h)
    mask = np.zeros((h, w), np.uint8)
    if visible is not None:
        (x0, y0, x1, y1), local = visible
        mask[y0:y1, x0:x1] = local
    if not np.array_equal(view, _IDENTITY):
        _zero_outside_frame(view, plan.width, plan.height, img, mask)
    return img, mask


def _zero_outside_frame(view: np.ndarray, width: int, height: int, img: Optional[np.ndarray], mask: np.ndarray) -> None:
    """Zero the output pixels whose centres map outside the frame (axis-aligned views only)."""
    h, w = mask.shape
    inv = cv2.invertAffineTransform(view)
    xs = inv[0, 0] * np.arange(w) + inv[0, 2]
    ys = inv[1, 1] * np.arange(h) + inv[1, 2]
    out_x = (xs < -0.5) | (xs >= width - 0.5)
    out_y = (ys < -0.5) | (ys >= height - 0.5)
    for arr in (img, mask):
        if arr is not None:
            arr[:, out_x] = 0
            arr[out_y, :] = 0


def render_frame(plan: SequencePlan, t: int) -> Tuple[np.ndarray, np.ndarray]:
    """Full frame `t`: RGB uint8 ``H x W x 3`` and visible-target mask uint8 ``H x W`` in {0, 255}."""
    return render_view(plan, t, _IDENTITY, (plan.width, plan.height))


def target_mask(plan: SequencePlan, t: int) -> np.ndarray:
    """Visible-target mask of frame `t` only (cheap: no texture is drawn)."""
    return render_view(plan, t, _IDENTITY, (plan.width, plan.height), with_image=False)[1]


def _local_box(visible) -> np.ndarray:
    if visible is None:
        return np.zeros(4, dtype=np.float64)
    (x0, y0, _, _), local = visible
    box = mask_to_xywh(local)
    if box[2] > 0:
        box[:2] += (x0, y0)
    return box


def target_box(plan: SequencePlan, t: int) -> np.ndarray:
    """Ground-truth box of frame `t`: the tight box of :func:`target_mask`, computed in the target's region only."""
    return _local_box(_visible_target(plan, t, _IDENTITY, plan.width, plan.height))


def annotate_frame(plan: SequencePlan, t: int) -> Dict[str, object]:
    """Annotation of frame `t`: box of the visible mask, absent flags, cover (eighths), cut by image.

    ``out_of_view``: no target pixel inside the frame; ``full_occlusion``: inside the frame but
    covered by occluders; ``absent`` = either (the visible mask is empty exactly then).
    """
    visible = _visible_target(plan, t, _IDENTITY, plan.width, plan.height)
    visible_px = int(np.count_nonzero(visible[1])) if visible is not None else 0
    M = plan.target.affine(t)
    whole = _roi(M, 0, 0, 0, clip=False)
    alpha = _warp(plan.target.alpha, M, whole) >= 128
    full_px = int(np.count_nonzero(alpha))
    x0, y0 = whole[0], whole[1]
    inside = alpha[max(0, -y0):max(0, plan.height - y0), max(0, -x0):max(0, plan.width - x0)]
    in_frame_px = int(np.count_nonzero(inside))
    ratio = visible_px / full_px if full_px > 0 else 0.0
    return {
        'box': _local_box(visible),
        'absent': visible_px == 0,
        'out_of_view': in_frame_px == 0,
        'full_occlusion': in_frame_px > 0 and visible_px == 0,
        'cover': int(np.clip(np.ceil(ratio * 8 - 1e-9), 1, 8)) if visible_px > 0 else 0,
        'cut_by_image': in_frame_px < full_px,
    }


def render_crop(plan: SequencePlan, t: int, crop_xywh, out_size: Tuple[int, int]) -> Tuple[np.ndarray, np.ndarray]:
    """Render only the frame region `crop_xywh` of frame `t`, resized to ``out_size=(w, h)``.

    Equivalent to cropping the full frame with zero padding and resizing, without drawing the rest.
    """
    return render_view(plan, t, crop_view(crop_xywh, out_size), out_size)
