"""One sample-weight update for ATOM, DiMP and ECO: on random update sequences it gives, bit for bit, the
weights and slots of each tracker's former copy; and hand-computed cases."""
import hashlib

import numpy as np
import pytest
import torch

from pytracking.libs.sample_memory import update_sample_weights

# sha256 (first 16 hex digits) of the slots and weights of every step of `replay(kind, seed)`, computed by the
# trackers' former methods at commit 0444715 (ATOM.update_sample_weights, DiMP.update_sample_weights,
# ECO._update_sample_weights, called on the same scenarios)
FORMER = {
    'atom': ['d7ea4b700201cad7', '858ec41adc86a7cb', '60ec41082d096132', 'ae39679225095304'],
    'dimp': ['cdf8766dc7eb358e', 'c239ab2842d8ef56', 'af3e28c48357262e', '5f0f0df788cfeab2'],
    'eco': ['5485ab9b52cf5123', '5ca53acfa7ff254b', '080a77af5c118744', 'e2cebeef4c1438fc'],
}


def replay(kind, seed, steps=60, capacity=12, blocks=2):
    """`steps` random updates of a `blocks`-block memory as tracker `kind` calls the shared function; the hash
    of every step's slots and weights."""
    rng = np.random.default_rng(seed)
    num_init = [int(v) for v in rng.integers(1, 5, blocks)]
    init_weight = float(rng.choice([0.0, 0.25, 0.5]))
    sw = [torch.zeros(capacity, dtype=torch.float32) for _ in range(blocks)]
    for w, n in zip(sw, num_init):
        w[:n] = 1 / n
    prev, stored = [None] * blocks, list(num_init)
    digest = hashlib.sha256()
    for _ in range(steps):
        lr = float(rng.choice([0.01, 0.0075, 0.025, 0.1, 1.0] if kind != 'eco' else [0.01, 0.0075, 0.025]))
        rates = [lr] * blocks if kind != 'eco' else [float(v) for v in rng.choice([0.01, 0.0075, 0.025], blocks)]
        if kind == 'eco':  # a rate per feature block, no first-frame floor
            ind = update_sample_weights(sw, prev, stored, [0] * blocks, rates)
        else:  # DiMP fills free slots first
            ind = update_sample_weights(sw, prev, stored, num_init, rates, init_weight,
                                        fill_free_slots_first=kind == 'dimp')
        digest.update(np.asarray(ind, np.int64).tobytes())
        for w in sw:
            digest.update(w.numpy().tobytes())
        prev, stored = list(ind), [n + 1 for n in stored]
    return digest.hexdigest()[:16]


@pytest.mark.parametrize('kind', ['atom', 'dimp', 'eco'])
def test_same_weights_and_slots_as_each_trackers_former_copy(kind):
    assert [replay(kind, seed) for seed in range(4)] == FORMER[kind]


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
