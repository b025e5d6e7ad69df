"""Running statistics of training (upstream names: checkpoints pickle these classes in their `stats`)."""
from __future__ import annotations


class StatValue:
    """The latest value of a statistic, with its history."""

    def __init__(self):
        self.clear()

    def reset(self) -> None:
        self.val = 0

    def clear(self) -> None:
        self.reset()
        self.history = []

    def update(self, val) -> None:
        self.val = val
        self.history.append(self.val)


class AverageMeter:
    """Running average of a statistic over an epoch, with the per-epoch history."""

    def __init__(self):
        self.clear()
        self.has_new_data = False

    def reset(self) -> None:
        self.avg = 0
        self.val = 0
        self.sum = 0
        self.count = 0

    def clear(self) -> None:
        self.reset()
        self.history = []

    def update(self, val, n: int = 1) -> None:
        self.val = val
        self.sum += val * n
        self.count += n
        self.avg = self.sum / self.count

    def new_epoch(self) -> None:
        if self.count > 0:
            self.history.append(self.avg)
            self.reset()
            self.has_new_data = True
        else:
            self.has_new_data = False
