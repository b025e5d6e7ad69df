"""ONNX export of the refiner's search branch and an ONNX Runtime runner for it (optional ``[onnx]`` extra).

The exported graph is the test branch of an SEcm-style network with the reference kernel as an
input: ``image`` (B, 3, S, S) float32 normalised crops and ``kernel`` (B, C, k, k) -> ``corner``
(B, 4) crop-pixel corners ``(x1, y1, x2, y2)`` and, when exported with the mask, ``mask`` (B, 1, S, S)
probabilities. The batch axis is dynamic. The reference branch (once per sequence) stays in PyTorch.
ONNX Runtime evaluates every node of a graph whatever outputs are fetched, so a corner-only graph
is exported next to the full one for the per-frame corner step.
"""
from __future__ import annotations

import io
import os
import warnings
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn

from ltr.admin.fileio import atomic_write_bytes

__all__ = ['OnnxUnavailableError', 'SearchBranch', 'export_search_branch', 'kernel_shape', 'OnnxSearchRunner', 'onnxruntime_available']

OPSET = 17
INPUT_NAMES = ('image', 'kernel')


class OnnxUnavailableError(ImportError):
    """onnx / onnxruntime is not installed (``pip install -e .[onnx]``)."""


def onnxruntime_available() -> bool:
    """True when ``onnxruntime`` can be imported."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def _import_onnxruntime():
    try:
        import onnxruntime
    except ImportError:
        raise OnnxUnavailableError("backend 'onnxruntime' needs the onnxruntime package: "
                                   "pip install -e .[onnx] (or pip install onnx onnxruntime)") from None
    return onnxruntime


class SearchBranch(nn.Module):
    """The search (test) branch of `net` as a module of ``(image, kernel)``; outputs corner (and mask)."""

    def __init__(self, net: nn.Module, with_mask: bool):
        super().__init__()
        self.net = net
        self.with_mask = with_mask

    def forward(self, image: torch.Tensor, kernel: torch.Tensor) -> Union[torch.Tensor, Tuple[torch.Tensor, torch.Tensor]]:
        """Corner (B, 4) and, with the mask, the mask (B, 1, S, S) of a batch of crops."""
        self.net.neck.ref_kernel = kernel  # traced as an input of the graph
        out = self.net.forward_test(image, mode='test', branches=['corner', 'mask'] if self.with_mask else ['corner'])
        return (out['corner'], out['mask']) if self.with_mask else out['corner']


def output_names(with_mask: bool) -> Tuple[str, ...]:
    """Names of the graph outputs."""
    return ('corner', 'mask') if with_mask else ('corner',)


def export_search_branch(net: nn.Module, out: Union[None, str, os.PathLike] = None, with_mask: bool = True,
                         input_sz: Optional[int] = None, opset: int = OPSET) -> bytes:
    """Export the search branch of `net` (eval mode, CPU float32) to ONNX; returns the model bytes.

    `out` (optional) receives the file, written atomically. The kernel input takes the shape of the
    network's stored reference kernel layout ``(B, C, k, k)`` with ``k = net.neck.pool_size``.
    """
    if not hasattr(net, 'neck') or not hasattr(net, 'forward_test'):
        raise ValueError(f"export_search_branch: {type(net).__name__} is not an SEcm-style refiner network "
                         f"(needs .neck and .forward_test)")
    size = int(input_sz or getattr(net, 'input_sz', 256))
    image = torch.zeros(2, 3, size, size)
    kernel = torch.zeros((2,) + kernel_shape(net))
    saved_kernel = net.neck.ref_kernel
    names = output_names(with_mask)
    buffer = io.BytesIO()
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter('ignore')  # tracer warnings about the shape checks (constant for a crop size)
            torch.onnx.export(SearchBranch(net, with_mask).eval(), (image, kernel), buffer,
                              input_names=list(INPUT_NAMES), output_names=list(names), opset_version=opset,
                              dynamo=False, dynamic_axes={n: {0: 'batch'} for n in INPUT_NAMES + names})
    finally:
        net.neck.ref_kernel = saved_kernel
    model = buffer.getvalue()
    if out is not None:
        atomic_write_bytes(os.fspath(out), model)
    return model


def kernel_shape(net: nn.Module) -> Tuple[int, int, int]:
    """(C, k, k) of one reference kernel of `net`: channels of its correlation tap and the neck's pool size."""
    layer = getattr(net, 'corr_layer', 'layer3')
    with torch.no_grad():
        probe = net.extract_backbone_features(torch.zeros(1, 3, 32, 32), layers=[layer])[layer]
    k = int(net.neck.pool_size)
    return int(probe.shape[1]), k, k


class OnnxSearchRunner:
    """ONNX Runtime sessions of the search branch: ``run(image, kernel, with_mask)`` -> dict of numpy arrays.

    args:
        full_model: bytes or path of a graph with corner and mask outputs (or corner only).
        corner_model: optional corner-only graph used when the mask is not needed.
        threads: intra-op threads (default: torch's thread count).
        device: 'cpu' or 'cuda' (CUDA provider when onnxruntime has it, else a clear error).
    """

    def __init__(self, full_model: Union[bytes, str], corner_model: Union[None, bytes, str] = None,
                 threads: Optional[int] = None, device: Union[str, torch.device] = 'cpu'):
        ort = _import_onnxruntime()
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(threads or torch.get_num_threads())
        options.inter_op_num_threads = 1
        # no busy-waiting between calls: the refiner shares the CPU with the base tracker (spinning ORT
        # threads slowed the next torch computation by ~40% in benchmarks/refiner_latency.py)
        options.add_session_config_entry('session.intra_op.allow_spinning', '0')
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        providers = ['CPUExecutionProvider']
        if torch.device(device).type == 'cuda':
            if 'CUDAExecutionProvider' not in ort.get_available_providers():
                raise OnnxUnavailableError("backend 'onnxruntime' on CUDA needs onnxruntime-gpu "
                                           "(CUDAExecutionProvider is not available)")
            providers = ['CUDAExecutionProvider']
        self.full = ort.InferenceSession(full_model, options, providers=providers)
        self.corner = ort.InferenceSession(corner_model, options, providers=providers) if corner_model else None
        self.has_mask = 'mask' in [o.name for o in self.full.get_outputs()]

    def run(self, image: np.ndarray, kernel: np.ndarray, with_mask: bool) -> Dict[str, np.ndarray]:
        """Outputs for float32 NCHW `image` (B, 3, S, S) and `kernel` (B or 1, C, k, k)."""
        if with_mask and not self.has_mask:
            raise ValueError("this ONNX graph has no mask output")
        if kernel.shape[0] != image.shape[0]:
            kernel = np.ascontiguousarray(np.broadcast_to(kernel, (image.shape[0],) + kernel.shape[1:]))
        session = self.full if (with_mask or self.corner is None) else self.corner
        names = [o.name for o in session.get_outputs()]
        values = session.run(None, {'image': np.ascontiguousarray(image, dtype=np.float32),
                                    'kernel': np.ascontiguousarray(kernel, dtype=np.float32)})
        return dict(zip(names, values))


def runner_for(net: nn.Module, threads: Optional[int] = None, device: Union[str, torch.device] = 'cpu',
               with_mask: Optional[bool] = None, heads: Sequence[str] = ('corner', 'mask')) -> OnnxSearchRunner:
    """Export `net` in memory (full and corner-only graphs) and open ONNX Runtime sessions on them."""
    _import_onnxruntime()
    mask = ('mask' in heads) if with_mask is None else with_mask
    full = export_search_branch(net, with_mask=mask)
    corner = export_search_branch(net, with_mask=False) if mask else None
    return OnnxSearchRunner(full, corner, threads=threads, device=device)
