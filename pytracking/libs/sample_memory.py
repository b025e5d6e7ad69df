"""The sample-weight update of the DCF trackers' sample memories (upstream ATOM, DiMP and ECO each carry a
copy): exponential forgetting, the slot a new sample replaces, and a floor for the first-frame samples.

The three trackers differ only in what :func:`update_sample_weights` takes as arguments: ATOM and DiMP keep
the first-frame samples at ``init_samples_minimum_weight`` in total and never replace them; DiMP fills free
slots before replacing one (``fill_free_slots_first``); ECO has a learning rate per feature block and no
floor (``init_samples_minimum_weight=None``).
"""
from __future__ import annotations

from typing import List, Optional, Sequence

import torch

__all__ = ['update_sample_weights']


def update_sample_weights(sample_weights: Sequence[torch.Tensor], previous_replace_ind: Sequence[Optional[int]],
                          num_stored_samples: Sequence[int], num_init_samples: Sequence[int],
                          learning_rates: Sequence[float], init_samples_minimum_weight: Optional[float] = None,
                          fill_free_slots_first: bool = False) -> List[int]:
    """Update each block's weights `sample_weights[i]` in place for one new sample; returns the slots it goes to.

    Per block: an empty memory (or a learning rate of 1) restarts at slot 0 with weight 1. Otherwise the new
    sample takes the free slot ``num_stored_samples[i]`` when `fill_free_slots_first` and the memory is not
    full, else the lowest-weight slot (after the ``num_init_samples[i]`` first-frame ones when there is a
    floor); it gets weight ``lr`` after the others were scaled by ``1 / (1 - lr)`` (the first update), or the
    previous new sample's weight times ``1 / (1 - lr)``. Weights are normalised to sum 1; with
    `init_samples_minimum_weight` (0 or None: no floor) the first-frame samples get at least that in total.
    """
    init_min = init_samples_minimum_weight or None
    replace_ind = []
    for sw, prev, num_stored, num_init, lr in zip(sample_weights, previous_replace_ind, num_stored_samples,
                                                  num_init_samples, learning_rates):
        s_ind = 0 if init_min is None else num_init
        if num_stored == 0 or lr == 1:
            sw[:] = 0
            sw[0] = 1
            r_ind = 0
        else:
            if fill_free_slots_first and num_stored < sw.shape[0]:
                r_ind = num_stored
            else:
                r_ind = int(torch.argmin(sw[s_ind:])) + s_ind
            if prev is None:
                sw /= 1 - lr
                sw[r_ind] = lr
            else:
                sw[r_ind] = sw[prev] / (1 - lr)
        sw /= sw.sum()
        if init_min is not None and sw[:num_init].sum() < init_min:
            sw /= init_min + sw[num_init:].sum()
            sw[:num_init] = init_min / num_init
        replace_ind.append(r_ind)
    return replace_ind
