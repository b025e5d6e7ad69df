"""Distributed training set-up for ``torchrun`` and ``python -m torch.distributed.launch``."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

import torch
import torch.distributed as dist


@dataclass
class DistInfo:
    """Where this process sits: global rank, local rank (-1 without a launcher), world size, device."""

    rank: int
    local_rank: int
    world_size: int
    device: torch.device


def is_multi_gpu(net) -> bool:
    """True for DataParallel/DistributedDataParallel wrappers (upstream name)."""
    return isinstance(net, (torch.nn.DataParallel, torch.nn.parallel.DistributedDataParallel))


def init_distributed(local_rank_arg: Optional[int] = None, use_gpu: bool = True) -> DistInfo:
    """Join the process group when launched with several processes.

    The local rank comes from ``LOCAL_RANK`` (torchrun, and torch.distributed.launch) or the
    ``--local_rank``/``--local-rank`` argument. Backend: NCCL on CUDA, Gloo on CPU.
    """
    env_rank = os.environ.get('LOCAL_RANK')
    local_rank = int(env_rank) if env_rank is not None else (local_rank_arg if local_rank_arg is not None else -1)
    world_size = int(os.environ.get('WORLD_SIZE', '1'))
    rank = int(os.environ.get('RANK', str(max(local_rank, 0))))
    cuda = use_gpu and torch.cuda.is_available()
    if cuda:
        device = torch.device('cuda', max(local_rank, 0))
        torch.cuda.set_device(device)
    else:
        device = torch.device('cpu')
    if world_size > 1 and not dist.is_initialized():
        dist.init_process_group('nccl' if cuda else 'gloo')
    return DistInfo(rank=rank, local_rank=local_rank, world_size=world_size, device=device)


def wrap_ddp(net: torch.nn.Module, settings) -> torch.nn.Module:
    """Wrap `net` in DistributedDataParallel when the run has several processes (no SyncBN, as upstream)."""
    if getattr(settings, 'world_size', 1) <= 1:
        return net
    device_ids = [settings.device.index] if settings.device.type == 'cuda' else None
    return torch.nn.parallel.DistributedDataParallel(net, device_ids=device_ids, find_unused_parameters=True)

