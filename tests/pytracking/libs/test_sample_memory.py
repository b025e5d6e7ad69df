"""One sample-weight update for ATOM, DiMP and ECO: the trackers' former copies (written out below as they
were) give the same weights and slots, bit for bit, on random update sequences; and hand-computed cases."""
import numpy as np
import pytest
import torch

from pytracking.libs.sample_memory import update_sample_weights


def atom_before(sample_weights, previous_replace_ind, num_stored_samples, num_init_samples, lr, init_weight):
    """pytracking/tracker/atom/atom.py update_sample_weights before the merge (one lr for every block)."""
    replace_ind = []
    for i, sw in enumerate(sample_weights):
        num_init = num_init_samples[i]
        init_weight_ = init_weight or None
        s_ind = 0 if init_weight_ is None else num_init
        prev = previous_replace_ind[i]
        if num_stored_samples[i] == 0 or lr == 1:
            sw[:] = 0
            sw[0] = 1
            r_ind = 0
        else:
            r_ind = int(torch.argmin(sw[s_ind:])) + s_ind
            if prev is None:
                sw /= 1 - lr
                sw[r_ind] = lr
            else:
                sw[r_ind] = sw[prev] / (1 - lr)
        sw /= sw.sum()
        if init_weight_ is not None and sw[:num_init].sum() < init_weight_:
            sw /= init_weight_ + sw[num_init:].sum()
            sw[:num_init] = init_weight_ / num_init
        replace_ind.append(r_ind)
    return replace_ind


def dimp_before(sample_weights, previous_replace_ind, num_stored_samples, num_init_samples, lr, init_weight):
    """pytracking/tracker/dimp/dimp.py update_sample_weights before the merge (free slots first)."""
    replace_ind = []
    init_min = init_weight or None
    for sw, prev_ind, num_samp, num_init in zip(sample_weights, previous_replace_ind, num_stored_samples,
                                                num_init_samples):
        s_ind = 0 if init_min is None else num_init
        if num_samp == 0 or lr == 1:
            sw[:] = 0
            sw[0] = 1
            r_ind = 0
        else:
            if num_samp < sw.shape[0]:
                r_ind = num_samp
            else:
                r_ind = int(torch.argmin(sw[s_ind:]).item()) + s_ind
            if prev_ind is None:
                sw /= 1 - lr
                sw[r_ind] = lr
            else:
                sw[r_ind] = sw[prev_ind] / (1 - lr)
        sw /= sw.sum()
        if init_min is not None and sw[:num_init].sum() < init_min:
            sw /= init_min + sw[num_init:].sum()
            sw[:num_init] = init_min / num_init
        replace_ind.append(r_ind)
    return replace_ind


def eco_before(sample_weights, previous_replace_ind, num_stored_samples, rates):
    """pytracking/tracker/eco/eco.py _update_sample_weights before the merge (a rate per block, no floor)."""
    replace = []
    for i, (sw, prev, lr) in enumerate(zip(sample_weights, previous_replace_ind, rates)):
        if num_stored_samples[i] == 0 or lr == 1:
            sw.zero_()
            sw[0] = 1
            r = 0
        else:
            r = int(torch.argmin(sw))
            if prev is None:
                sw /= 1 - lr
                sw[r] = lr
            else:
                sw[r] = sw[prev] / (1 - lr)
        sw /= sw.sum()
        replace.append(r)
    return replace


def run_both(kind, seed, steps=60, capacity=12, blocks=2):
    """Replay `steps` random updates through the old copy of `kind` and the shared function; compare each step."""
    rng = np.random.default_rng(seed)
    num_init = [int(v) for v in rng.integers(1, 5, blocks)]
    init_weight = float(rng.choice([0.0, 0.25, 0.5]))
    old = [torch.zeros(capacity, dtype=torch.float32) for _ in range(blocks)]
    for sw, n in zip(old, num_init):
        sw[:n] = 1 / n
    new = [sw.clone() for sw in old]
    prev, stored = [None] * blocks, list(num_init)
    for _ in range(steps):
        lr = float(rng.choice([0.01, 0.0075, 0.025, 0.1, 1.0] if kind != 'eco' else [0.01, 0.0075, 0.025]))
        rates = [lr] * blocks if kind != 'eco' else [float(v) for v in rng.choice([0.01, 0.0075, 0.025], blocks)]
        if kind == 'atom':
            a = atom_before(old, prev, stored, num_init, lr, init_weight)
            b = update_sample_weights(new, prev, stored, num_init, rates, init_weight)
        elif kind == 'dimp':
            a = dimp_before(old, prev, stored, num_init, lr, init_weight)
            b = update_sample_weights(new, prev, stored, num_init, rates, init_weight, fill_free_slots_first=True)
        else:
            a = eco_before(old, prev, stored, rates)
            b = update_sample_weights(new, prev, stored, [0] * blocks, rates)
        assert a == b
        for x, y in zip(old, new):
            assert torch.equal(x, y)
        prev, stored = a, [n + 1 for n in stored]


@pytest.mark.parametrize('kind', ['atom', 'dimp', 'eco'])
@pytest.mark.parametrize('seed', range(4))
def test_same_weights_and_slots_as_each_trackers_former_copy(kind, seed):
    run_both(kind, seed)


def test_hand_computed_first_updates():
    sw = [torch.tensor([1.0, 0.0, 0.0, 0.0])]
    # first update: old weights / (1 - lr), new weight lr, normalised: [1/0.9, 0.1] / (1/0.9 + 0.1)
    assert update_sample_weights(sw, [None], [1], [1], [0.1]) == [1]
    np.testing.assert_allclose(sw[0], [1 / 0.9 / (1 / 0.9 + 0.1), 0.1 / (1 / 0.9 + 0.1), 0, 0], rtol=1e-6)
    # DiMP fills the next free slot; ATOM/ECO take the lowest weight (a zero slot: the first one)
    fill = [torch.tensor([0.5, 0.5, 0.0, 0.0])]
    assert update_sample_weights(fill, [1], [2], [1], [0.1], 0.25, fill_free_slots_first=True) == [2]
    # the first-frame samples keep at least init_samples_minimum_weight: upstream divides the others by
    # (floor + their sum) and sets the first-frame ones to the floor (the total is then not exactly 1)
    floor = [torch.tensor([0.1, 0.9, 0.0, 0.0])]
    assert update_sample_weights(floor, [1], [2], [1], [0.5], 0.25) == [2]
    rest = np.array([0.9, 1.8]) / 2.8                      # slot 2 gets 0.9 / (1 - 0.5), then normalised
    np.testing.assert_allclose(floor[0], [0.25, *(rest / (0.25 + rest.sum())), 0], rtol=1e-6)
