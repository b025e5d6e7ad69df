"""Track in your own video: ``python pytracking/run_video.py SOURCE [--box x,y,w,h] [--refine [CKPT]]``.

SOURCE is a video file, a folder of images (sorted by name) or a camera index (``0``). The initial
box comes from ``--box x,y,w,h`` (works headless) or, when a display exists, from an OpenCV ROI
selection on the first frame. ``--refine`` wraps the base tracker with Alpha-Refine through the same
per-frame step as the arena (``pytracking.evaluation.running.RefinedTracker``: refined, clipped box
fed back every frame); without a path it uses the refiner lookup of
``pytracking.evaluation.refiner_source``. Writes ``<output>.mp4`` (box, and mask overlay when the
refiner has a mask head), ``<output>.txt`` (one ``x,y,w,h`` line per frame) and ``<output>_run_info.json``
(frames, fps, robustness counts, broken frames).

Broken frames of an image folder (missing, empty, undecodable or truncated files): the frame's row repeats the
last box, the video shows a grey frame saying so, and the frame is listed in ``<output>_run_info.json``
(``broken_frames``, ``broken_paths``); ``--strict`` makes one an error naming its path. A broken first frame is
always an error (nothing to initialise on).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Iterator, List, Optional, Tuple, Union

if __package__ in (None, ''):  # run as a script: make the repository importable without installation
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from ltr.admin.cli import UserInputError, run_cli  # noqa: E402
from ltr.admin.fileio import atomic_path, atomic_write_text, ensure_writable_folder  # noqa: E402
from ltr.data.annotations import write_boxes  # noqa: E402
from ltr.data.image_loader import BrokenFrame, image_read_error, read_frames  # noqa: E402

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
BOX_COLOUR = (0, 255, 0)       # BGR: the written (refined) box
BASE_COLOUR = (255, 128, 0)    # BGR: the base tracker's box when refining
MASK_COLOUR = np.array([0, 0, 255], dtype=np.float32)  # BGR red tint


# -- input -------------------------------------------------------------------------------------
def parse_box(text: str) -> np.ndarray:
    """``'x,y,w,h'`` -> float64 (4,); UserInputError naming ``--box`` unless 4 finite numbers with w, h > 0."""
    try:
        box = np.array([float(v) for v in text.replace(' ', '').split(',')], dtype=np.float64)
    except ValueError:
        raise UserInputError(f"--box {text!r}: expected x,y,w,h (four numbers)") from None
    if box.size != 4 or not np.all(np.isfinite(box)) or box[2] <= 0 or box[3] <= 0:
        raise UserInputError(f"--box {text!r}: expected x,y,w,h with w > 0 and h > 0")
    return box


def _image_files(folder: str) -> List[str]:
    files = [f for f in os.listdir(folder) if f.lower().endswith(IMAGE_EXTENSIONS)]
    key = lambda f: (int(os.path.splitext(f)[0]) if os.path.splitext(f)[0].isdigit() else float('inf'), f)
    return [os.path.join(folder, f) for f in sorted(files, key=key)]


Frame = Union[np.ndarray, BrokenFrame]


def open_source(source: str, max_frames: Optional[int] = None, strict: bool = False
                ) -> Tuple[Iterator[Frame], float, Optional[int]]:
    """(RGB uint8 frames, frames per second (30 when unknown), frame count or None) of a video file,
    an image folder or a camera index. UserInputError naming `source` when it cannot be read. An image of a
    folder that cannot be read is a :class:`BrokenFrame` (an ImageReadError naming it when `strict`)."""
    if os.path.isdir(source):
        files = _image_files(source)
        if not files:
            raise UserInputError(f"{source}: folder holds no images ({', '.join(IMAGE_EXTENSIONS)})")
        files = files[:max_frames] if max_frames else files
        return read_frames(files, strict=strict), 30.0, len(files)
    camera = source.isdigit()
    if not camera and not os.path.isfile(source):
        raise UserInputError(f"{source}: no such video file, image folder or camera index")
    cap = cv2.VideoCapture(int(source) if camera else source)
    if not cap.isOpened():
        raise UserInputError(f"{source}: cannot open {'camera' if camera else 'video file'}")
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) if not camera else 0
    count = min(count, max_frames) if (count > 0 and max_frames) else (count or max_frames or None)

    def frames() -> Iterator[np.ndarray]:
        try:
            n = 0
            while max_frames is None or n < max_frames:
                ok, bgr = cap.read()
                if not ok:
                    break
                n += 1
                yield cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        finally:
            cap.release()
    return frames(), float(fps if 0 < fps < 1000 else 30.0), count


def has_display() -> bool:
    """True when an OpenCV window can be shown (X11/Wayland display set, or not Linux)."""
    if sys.platform.startswith('linux'):
        return bool(os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY'))
    return True


def select_box(first_rgb: np.ndarray) -> np.ndarray:
    """The box the user draws on the first frame (``cv2.selectROI``); UserInputError when none is drawn."""
    x, y, w, h = cv2.selectROI('select the target, then press ENTER', cv2.cvtColor(first_rgb, cv2.COLOR_RGB2BGR),
                               showCrosshair=True, fromCenter=False)
    cv2.destroyAllWindows()
    if w <= 0 or h <= 0:
        raise UserInputError("no box selected (draw a box and press ENTER, or pass --box x,y,w,h)")
    return np.array([x, y, w, h], dtype=np.float64)


# -- output ------------------------------------------------------------------------------------
def annotate(rgb: np.ndarray, box: np.ndarray, base_box: Optional[np.ndarray] = None,
             mask: Optional[np.ndarray] = None, label: str = '') -> np.ndarray:
    """A BGR copy of `rgb` with the mask tinted, the base box (thin) and the box (thick) drawn."""
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    if mask is not None and mask.shape == bgr.shape[:2] and mask.any():
        on = mask.astype(bool)
        bgr[on] = (0.55 * bgr[on] + 0.45 * MASK_COLOUR).astype(np.uint8)
    for b, colour, thickness in ((base_box, BASE_COLOUR, 1), (box, BOX_COLOUR, 2)):
        if b is not None and np.all(np.isfinite(b)):
            x, y, w, h = (int(round(v)) for v in b)
            cv2.rectangle(bgr, (x, y), (x + w, y + h), colour, thickness)
    if label:
        cv2.putText(bgr, label, (8, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    return bgr


class VideoOut:
    """An MP4 writer (``mp4v``) that appears at `path` only when closed without error (atomic)."""

    def __init__(self, path: str, fps: float) -> None:
        self.path, self.fps = path, fps
        self._ctx = atomic_path(path, suffix='.tmp.mp4')
        self._tmp = self._ctx.__enter__()
        self._writer: Optional[cv2.VideoWriter] = None

    def write(self, bgr: np.ndarray) -> None:
        """Append one BGR frame (the first frame fixes the size)."""
        if self._writer is None:
            h, w = bgr.shape[:2]
            self._writer = cv2.VideoWriter(self._tmp, cv2.VideoWriter_fourcc(*'mp4v'), self.fps, (w, h))
            if not self._writer.isOpened():
                self.close(ok=False)
                raise OSError(f"{self.path}: OpenCV cannot write MP4 (mp4v) video here")
        self._writer.write(bgr)

    def close(self, ok: bool = True) -> None:
        """Finish the file (rename into place), or drop it when `ok` is False."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        if self._ctx is not None:
            ctx, self._ctx = self._ctx, None
            if ok:
                ctx.__exit__(None, None, None)
            else:
                try:
                    ctx.__exit__(RuntimeError, RuntimeError('aborted'), None)
                except RuntimeError:
                    pass


# -- running -----------------------------------------------------------------------------------
def broken_frame_image(shape: Tuple[int, ...], broken: BrokenFrame) -> np.ndarray:
    """A grey RGB frame of `shape` standing in (in the video) for a frame that could not be read."""
    grey = np.full(shape, 96, dtype=np.uint8)
    cv2.putText(grey, f"frame {broken.index + 1}: {broken.reason}", (8, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                (255, 255, 255), 1, cv2.LINE_AA)
    return grey


def run_video(source: str, box: Optional[np.ndarray], output: str, tracker_name: str = 'kcf', param: str = 'default',
              refine: Optional[str] = None, mode: str = 'all', device: Optional[str] = None, masks: bool = True,
              max_frames: Optional[int] = None, progress: bool = True, strict: bool = False) -> Tuple[str, str]:
    """Track `source` from `box` (None: select it on screen); returns (video path, results txt path).

    `refine`: None = base tracker only; '' = the refiner found by the lookup; else a checkpoint path. A frame
    that cannot be read keeps the last box (listed in ``<output>_run_info.json``); with `strict`, or on the
    first frame, it is an ImageReadError naming its path.
    """
    from pytracking.evaluation.refiner_source import find_refiner
    from pytracking.evaluation.running import RefinedTracker, broken_entry, track_frames
    tracker = _make_tracker(tracker_name, param)  # unknown names fail before any frame is read
    ensure_writable_folder(os.path.dirname(os.path.abspath(output)), 'output folder')
    frames, fps, count = open_source(source, max_frames, strict)
    try:
        first = next(frames)
    except StopIteration:
        raise UserInputError(f"{source}: no frames") from None
    if isinstance(first, BrokenFrame):
        raise image_read_error(first.path, first.reason, "frame 1, the initial frame: nothing to track from")
    if box is None:
        if not has_display():
            raise UserInputError("no display for selecting the target: pass --box x,y,w,h")
        box = select_box(first)
    refiner = None
    if refine is not None:
        path, line = find_refiner(refine or None)
        if path is None:
            raise UserInputError(line)
        print(line)
        from pytracking.refine_modules.refine_module import RefineModule
        refiner = RefineModule(path, device=device)
    step = RefinedTracker(tracker, refiner, mode=mode)
    video = VideoOut(output + '.mp4', fps)
    want_mask = masks and step.has_mask()
    bar = tqdm(total=count, desc='tracking', unit='frame', disable=not progress)

    def all_frames() -> Iterator[Frame]:
        yield first
        yield from frames

    def on_frame(index: int, rgb: Optional[np.ndarray], res) -> None:
        if rgb is None:  # a broken frame: the last box on a grey frame
            video.write(annotate(broken_frame_image(first.shape, res.broken), res.box, label=''))
            tqdm.write(f"broken {res.broken.line()}: last box kept")
            bar.update(1)
            return
        label = f"frame {index + 1}" + ('  base (thin) + Alpha-Refine (thick)' if refiner is not None else '')
        video.write(annotate(rgb, res.box, res.base_box if refiner is not None else None, res.mask, label))
        bar.update(1)

    try:
        video.write(annotate(first, box, label='frame 1 (initial box)'))
        bar.update(1)
        result = track_frames(all_frames(), box, step, on_frame=on_frame, want_mask=want_mask)
    except BaseException:
        video.close(ok=False)
        raise
    finally:
        bar.close()
    video.close()
    write_boxes(output + '.txt', result.boxes)
    c = result.counts
    info = {'source': os.path.abspath(source) if not source.isdigit() else source, 'frames': int(len(result.boxes)),
            'fps': round(result.fps(), 3), 'bad_base': c.bad_base, 'refine_fallback': c.refine_fallback,
            **broken_entry(result.broken)}
    atomic_write_text(output + '_run_info.json', json.dumps(info, indent=1, sort_keys=True) + '\n')
    broken = f", broken frames (last box kept): {c.broken_frames}" if c.broken_frames else ''
    print(f"{len(result.boxes)} frames, {result.fps():.1f} fps; base boxes replaced: {c.bad_base}, "
          f"refinements fallen back: {c.refine_fallback}{broken}")
    return output + '.mp4', output + '.txt'


def _make_tracker(name: str, param: str):
    """A fresh base tracker; UserInputError listing the known trackers/parameter sets when absent."""
    from pytracking.parameter import load_parameters
    from pytracking.tracker import load_tracker_class
    try:
        return load_tracker_class(name)(load_parameters(name, param))
    except ValueError as e:
        raise UserInputError(str(e)) from None


def default_output(source: str) -> str:
    """``<results_path>/run_video/<source name>`` (camera: ``camera<k>``)."""
    from pytracking.utils.environment import env_settings
    stem = f'camera{source}' if source.isdigit() else os.path.splitext(os.path.basename(os.path.normpath(source)))[0]
    return os.path.join(env_settings().results_path or '.', 'run_video', stem)


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description='Track a target in a video file, image folder or camera.')
    p.add_argument('source', help='video file, image folder, or camera index (e.g. 0)')
    p.add_argument('--box', default=None, help='initial box x,y,w,h (default: select it on the first frame)')
    p.add_argument('--tracker', default='kcf', help='base tracker (default kcf)')
    p.add_argument('--param', default='default', help='parameter set (default default)')
    p.add_argument('--refine', nargs='?', const='', default=None, metavar='CHECKPOINT',
                   help='wrap the tracker with Alpha-Refine (optionally naming the checkpoint)')
    p.add_argument('--mode', default='all', choices=('all', 'corner', 'mask', 'bbox'), help="refiner mode")
    p.add_argument('--device', default=None, help='refiner device (default: CUDA if available, else CPU)')
    p.add_argument('--no-mask', '--no_mask', dest='masks', action='store_false', help='no mask overlay')
    p.add_argument('--max-frames', '--max_frames', dest='max_frames', type=int, default=None)
    p.add_argument('--strict', action='store_true',
                   help='an image that cannot be read is an error (default: the last box is kept and the frame listed '
                        'in <output>_run_info.json)')
    p.add_argument('--output', '-o', default=None,
                   help='output prefix: writes <output>.mp4 and <output>.txt (default <results_path>/run_video/<name>)')
    args = p.parse_args(argv)
    if args.max_frames is not None and args.max_frames < 1:
        raise UserInputError(f"--max-frames {args.max_frames}: must be at least 1")
    box = parse_box(args.box) if args.box is not None else None
    video, txt = run_video(args.source, box, args.output or default_output(args.source), args.tracker, args.param,
                           args.refine, args.mode, args.device, args.masks, args.max_frames, strict=args.strict)
    print(f"wrote {video}\nwrote {txt}")
    return 0


if __name__ == '__main__':
    run_cli(main)
