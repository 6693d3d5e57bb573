"""CTC loss against brute-force enumeration of alignments; greedy and beam decoding."""

import itertools
import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import ocrmodels  # noqa: E402


def _collapse(path):
    out = []
    for k, s in enumerate(path):
        if s != 0 and (k == 0 or s != path[k - 1]):
            out.append(s)
    return out


def _brute_force_nll(probs, target):
    """-log of the summed probability of every alignment that collapses to ``target``."""
    T, S = probs.shape
    total = 0.0
    for path in itertools.product(range(S), repeat=T):
        if _collapse(path) == list(target):
            total += np.prod([probs[t, s] for t, s in enumerate(path)])
    return -np.log(total)


@pytest.mark.parametrize("target,steps,symbols", [([1, 2], 3, 3), ([1, 1], 4, 3), ([2], 3, 3), ([1, 2, 1], 5, 4)])
def test_loss_equals_brute_force_enumeration(target, steps, symbols):
    rng = np.random.default_rng(len(target) * 10 + steps)
    probs = rng.dirichlet(np.ones(symbols), size=(2, steps)).astype(np.float32)  # [B, T, S]
    labels = np.full((2, 5), -1, np.int32)
    labels[:, : len(target)] = target
    got = keras.ops.convert_to_numpy(ocrmodels.ctc_loss(labels, probs))
    want = [_brute_force_nll(p.astype(np.float64), target) for p in probs]
    np.testing.assert_allclose(got, want, rtol=1e-4)
    # the Keras loss class averages the same values
    np.testing.assert_allclose(float(ocrmodels.CTCLoss()(labels, probs)), np.mean(want), rtol=1e-4)


def test_an_impossible_alignment_costs_more_than_a_likely_one():
    probs = np.full((1, 4, 3), 0.01, np.float32)
    probs[0, [0, 1], 1] = 0.98
    probs[0, [2, 3], 2] = 0.98  # "AB" is almost certain
    ab = float(ocrmodels.ctc_loss(np.array([[1, 2, -1]]), probs)[0])
    ba = float(ocrmodels.ctc_loss(np.array([[2, 1, -1]]), probs)[0])
    assert ab < 0.2 < 5 < ba


def test_greedy_merges_repeats_and_drops_blanks():
    vocab = "AB"
    path = [1, 1, 0, 1, 2, 2, 0]  # A A - A B B -  ->  "AAB"
    probs = np.full((1, len(path), 3), 0.05, np.float32)
    for t, s in enumerate(path):
        probs[0, t, s] = 0.9
    (text, conf), = ocrmodels.greedy_decode(probs, vocab)
    assert text == "AAB"
    assert conf == pytest.approx(0.9 ** len(path), rel=1e-5)


def test_beam_search_finds_the_likelier_text_that_best_path_misses():
    # each step: blank 0.4, A 0.35, B 0.25. Best path "--" -> "" (0.16); but P("A") = .35*.35 + 2*.35*.4 = 0.4025
    probs = np.tile(np.array([0.4, 0.35, 0.25], np.float32), (1, 2, 1))
    assert ocrmodels.greedy_decode(probs, "AB")[0][0] == ""
    (text, conf), = ocrmodels.beam_search_decode(probs, "AB", beam_width=8)
    assert text == "A" and conf == pytest.approx(0.4025, rel=1e-3)


def test_decoders_check_shapes():
    with pytest.raises(ValueError, match="3-character|steps, 3"):
        ocrmodels.greedy_decode(np.zeros((1, 4, 5)), "AB")
    with pytest.raises(ValueError, match="beam_width"):
        ocrmodels.beam_search_decode(np.full((1, 2, 3), 1 / 3), "AB", beam_width=0)
    assert ocrmodels.beam_search_decode(np.zeros((0, 2, 3)), "AB") == []
