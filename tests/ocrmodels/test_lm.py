"""Character language model and CTC prefix beam search with it."""

import itertools
import math

import numpy as np
import pytest

import ocrmodels
from ocrmodels.lm import CharLM, ctc_text_probability, lm_beam_search_decode


def _collapse(path):
    return tuple(s for k, s in enumerate(path) if s != 0 and (k == 0 or s != path[k - 1]))


def _label_probs(probs):
    """Every label's probability summed over its alignments, by enumerating all paths."""
    T, S = probs.shape
    out: dict = {}
    for path in itertools.product(range(S), repeat=T):
        lab = _collapse(path)
        out[lab] = out.get(lab, 0.0) + float(np.prod([probs[t, s] for t, s in enumerate(path)]))
    return out


@pytest.mark.parametrize("steps,symbols,seed", [(3, 3, 0), (4, 3, 1), (5, 4, 2), (4, 4, 3)])
def test_text_probability_and_search_without_lm_match_brute_force(steps, symbols, seed):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.full(symbols, 0.7), size=(3, steps))
    vocab = "abc"[: symbols - 1]
    lm = CharLM(["abc"], alphabet=vocab)
    got = lm_beam_search_decode(probs, vocab, lm, beam_width=100, lm_weight=0.0, insertion_bonus=0.0, prune=1e-12)
    for p, (text, conf) in zip(probs, got):
        labels = _label_probs(p)
        for lab, want in labels.items():
            assert ctc_text_probability(p, lab) == pytest.approx(want, rel=1e-9)
        best = max(labels, key=labels.get)
        assert text == "".join(vocab[i - 1] for i in best)
        assert conf == pytest.approx(labels[best], rel=1e-9)
    assert ctc_text_probability(probs[0], [1] * (steps + 1)) == 0.0  # longer than any alignment allows


def test_lm_distributions_are_normalised_case_folded_and_floored():
    lm = CharLM(["shop", "shopping", "Sale", "500 ml"], order=4, floor=0.05)
    size = len(lm.alphabet) + 1
    for ctx in ["", "sh", "SHO", "zz", "500 ", "qqqqqq"]:
        p = np.exp(lm.log_probs(ctx))
        assert p.shape == (size,) and p.sum() == pytest.approx(1.0)
        assert p.min() >= 0.05 / size - 1e-12  # nothing is ever ruled out
    assert lm.score("SHOP") == pytest.approx(lm.score("shop"))
    assert lm.score("shop") > lm.score("sh0p") + 3
    assert lm.score("500 ml") > lm.score("5oo ml")
    # the end of the text is scored: a seen word beats its prefix
    assert lm.score("shop") > lm.score("sho")
    assert lm.symbol_map("Sx").tolist() == [lm.alphabet.index("s"), -1]


def _reference_log_probs(texts, lm, context):
    """Interpolated Witten-Bell by its textbook recursion, one context at a time, counted from the texts."""
    from collections import Counter

    n = lm.order - 1
    symbols = lm.alphabet + "\x03"
    padded = ["\x02" * n + t.lower() + "\x03" for t in texts]
    ctx = ("\x02" * n + context.lower())[len(context):] if n else ""
    p = np.full(len(symbols), 1.0 / len(symbols))
    for k in range(lm.order):
        c = ctx[n - k:] if k else ""
        follow = Counter(s[i] for s in padded for i in range(n, len(s)) if s[i - k:i] == c)
        if follow:
            total, distinct = sum(follow.values()), len(follow)
            p = p * distinct
            for ch, v in follow.items():
                p[symbols.index(ch)] += v
            p /= total + distinct
    return np.log((1 - lm.floor) * p + lm.floor / p.size)


def test_lm_distributions_follow_the_witten_bell_recursion():
    texts = ["shop", "shopping", "Sale", "500 ml", "shoe"]
    lm = CharLM(texts, order=4, floor=0.05)
    for ctx in ["", "s", "sh", "SHO", "shopp", "zz", "500 ", "qqqqqq"]:
        np.testing.assert_allclose(lm.log_probs(ctx), _reference_log_probs(texts, lm, ctx), rtol=1e-12)


def test_scoring_many_texts_outgrows_the_state_table_safely():
    # each new context is a row of a table that starts at 256 rows and doubles: scoring must not
    # index the table it is growing
    texts = ["shop", "shopping", "Sale", "500 ml", "shoe"]
    lm = CharLM(texts, order=4, floor=0.05)
    words = ["".join(p) for p in itertools.product("aehlmops", repeat=3)]  # 512 words, > 256 contexts
    scores = [lm.score(w) for w in words]
    for w, got in list(zip(words, scores))[::37]:
        fresh = CharLM(texts, order=4, floor=0.05)
        assert got == pytest.approx(fresh.score(w), rel=1e-12)
    np.testing.assert_allclose(lm.log_probs("xyz"), _reference_log_probs(texts, lm, "xyz"), rtol=1e-12)


def test_save_and_load_give_the_same_model(tmp_path):
    lm = CharLM(["shop", "shopping", "Sale", "500 ml", "shoe", "$4.99"], order=5, floor=0.05)
    lm.save(tmp_path / "lm.npz")
    back = CharLM.load(tmp_path / "lm.npz")
    assert (back.order, back.alphabet, back.floor, back.num_texts) == (lm.order, lm.alphabet, lm.floor, lm.num_texts)
    for ctx in ["", "s", "SHO", "500 ", "$4.", "qqqq"]:
        np.testing.assert_array_equal(back.log_probs(ctx), lm.log_probs(ctx))
    (tmp_path / "bad.npz").write_bytes(b"not a model")
    with pytest.raises(ValueError, match="bad.npz is not a language model file"):
        CharLM.load(tmp_path / "bad.npz")


def test_bundled_model_is_cached_on_disk(tmp_path, monkeypatch):
    import ocrmodels.lm as lm_module

    monkeypatch.setenv("SYNTHGEN_CACHE", str(tmp_path))
    lm_module._bundled.cache_clear()
    try:
        built = CharLM.bundled()
        files = list(tmp_path.glob("charlm-*.npz"))
        assert len(files) == 1
        lm_module._bundled.cache_clear()
        cached = CharLM.bundled()
        assert cached is not built
        np.testing.assert_array_equal(cached.log_probs("sho"), built.log_probs("sho"))
        files[0].write_bytes(b"damaged")  # a damaged cache file is rebuilt, not an error
        lm_module._bundled.cache_clear()
        np.testing.assert_array_equal(CharLM.bundled().log_probs("sho"), built.log_probs("sho"))
    finally:
        lm_module._bundled.cache_clear()


def test_weights_and_bad_arguments():
    plain = CharLM(["ab", "ba"], order=2)
    weighted = CharLM(["ab", "ba"], order=2, weights=[5, 1])
    assert weighted.score("ab") > plain.score("ab") and weighted.score("ba") < plain.score("ba")
    for kwargs, msg in [({"order": 0}, "order"), ({"floor": 1.0}, "floor"), ({"weights": [1]}, "weights")]:
        with pytest.raises(ValueError, match=msg):
            CharLM(["ab", "cd"], **kwargs)
    with pytest.raises(ValueError, match="at least one text"):
        CharLM(["???"], alphabet="ab")


def test_from_files_reads_catalogs_like_the_generator(tmp_path):
    (tmp_path / "a.txt").write_text("Shop “500ml”\n\nFresh Milk\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("title,price\nshopping bag,1\n", encoding="utf-8")
    lm = CharLM.from_files([tmp_path / "a.txt", tmp_path / "b.csv"], weights=[1, 2], order=3)
    assert lm.num_texts == 3 and '"' in lm.alphabet  # typographic quotes folded to ASCII
    with pytest.raises(FileNotFoundError):
        CharLM.from_files([tmp_path / "missing.txt"])
    with pytest.raises(ValueError, match="one number per file"):
        CharLM.from_files([tmp_path / "a.txt"], weights=[1, 2])


def _probs_for(vocab, steps):
    """Per-step probabilities: each step a dict {char: prob}, the rest to blank."""
    out = np.zeros((1, len(steps), len(vocab) + 1))
    for t, d in enumerate(steps):
        for c, p in d.items():
            out[0, t, vocab.index(c) + 1] = p
        out[0, t, 0] = 1 - sum(d.values())
    return out


def test_the_lm_settles_a_close_call_but_not_a_clear_one():
    vocab = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    lm = CharLM.bundled(vocab)
    close = _probs_for(vocab, [{"s": 0.95}, {}, {"h": 0.95}, {}, {"0": 0.5, "o": 0.4}, {}, {"p": 0.95}, {}])
    (greedy, _), = ocrmodels.greedy_decode(close, vocab)
    assert greedy == "sh0p"
    (text, conf), = lm_beam_search_decode(close, vocab, lm)
    assert text == "shop" and conf == pytest.approx(ctc_text_probability(close[0], [vocab.index(c) + 1 for c in "shop"]))
    clear = _probs_for(vocab, [{"5": 0.95}, {}, {"0": 0.97, "o": 0.02}, {}, {"0": 0.97, "o": 0.02}, {}])
    assert lm_beam_search_decode(clear, vocab, lm)[0][0] == "500"
    with pytest.raises(ValueError, match="beam_width"):
        lm_beam_search_decode(close, vocab, lm, beam_width=0)
    with pytest.raises(ValueError, match="lm_weight"):
        lm_beam_search_decode(close, vocab, lm, lm_weight=-1)
    assert lm_beam_search_decode(np.zeros((0, 4, len(vocab) + 1)), vocab, lm) == []


def _lae(a, b):
    if a < b:
        a, b = b, a
    return a if b == -math.inf else a + math.log1p(math.exp(b - a))


def _reference_search(probs, vocab, lm, beam_width, alpha, beta, prune, bonus=0.0, every=False):
    """Textbook CTC prefix beam search with LM fusion, one crop at a time, prefixes as dict keys; ``bonus`` for
    final prefixes of known words; ``every``: every final text, best first."""
    neg = -math.inf
    sym = [-1] + lm.symbol_map(vocab).tolist()
    logp = np.log(np.maximum(probs, 1e-8)).astype(np.float64)
    beams = {(): (0.0, neg, 0.0, "")}  # prefix -> log P(blank-ending), log P(char-ending), LM + bonus, LM text
    for row in logp:
        cand = [c for c in range(1, len(row)) if row[c] >= math.log(prune)]
        if not cand and row[0] < -0.01:
            cand = [int(row[1:].argmax()) + 1]
        nxt = {}
        for prefix, (pb, pnb, ls, text) in beams.items():
            tot = _lae(pb, pnb)
            e = nxt.setdefault(prefix, [neg, neg, ls, text])
            e[0] = _lae(e[0], tot + row[0])
            for c in cand:
                if prefix and c == prefix[-1]:
                    e[1] = _lae(e[1], pnb + row[c])
                    base = pb + row[c]
                else:
                    base = tot + row[c]
                if base == neg:
                    continue
                if prefix + (c,) not in nxt:
                    s = sym[c]
                    if s >= 0 and alpha > 0:
                        nxt[prefix + (c,)] = [neg, neg, ls + alpha * lm.log_probs(text)[s] + beta, text + lm.alphabet[s]]
                    else:
                        nxt[prefix + (c,)] = [neg, neg, ls + beta, text]
                f = nxt[prefix + (c,)]
                f[1] = _lae(f[1], base)
        ranked = sorted(nxt.items(), key=lambda kv: _lae(kv[1][0], kv[1][1]) + kv[1][2], reverse=True)
        beams = dict(ranked[:beam_width])
    end = {p: _lae(pb, pnb) + ls + (alpha * lm.log_probs(text)[-1] if alpha > 0 else 0.0)
           + bonus * lm.knows("".join(vocab[i - 1] for i in p)) for p, (pb, pnb, ls, text) in beams.items()}
    if every:
        return ["".join(vocab[i - 1] for i in p) for p in sorted(end, key=end.get, reverse=True)]
    return "".join(vocab[i - 1] for i in max(end, key=end.get))


@pytest.mark.parametrize("beam_width,alpha,beta", [(10, 0.5, 1.5), (3, 1.0, 0.0), (1, 0.5, 1.0), (8, 0.0, 0.5)])
def test_batched_search_matches_a_per_crop_search(beam_width, alpha, beta):
    # peaky random outputs like a trained model's, over a vocabulary with characters the LM lacks
    vocab = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-$%~"
    lm = CharLM.bundled(vocab.replace("~", ""))
    rng = np.random.default_rng(beam_width)
    logits = rng.normal(size=(60, 16, len(vocab) + 1)) * rng.uniform(1, 6, size=(60, 16, 1))
    logits[:, :, 0] += rng.uniform(0, 5, size=(60, 16))
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    got = lm_beam_search_decode(probs.astype(np.float32), vocab, lm, beam_width=beam_width, lm_weight=alpha,
                                insertion_bonus=beta, batch_size=7)
    want = [_reference_search(p, vocab, lm, beam_width, alpha, beta, 1e-3) for p in probs.astype(np.float32)]
    assert [g for g, _ in got] == want
    assert len(set(want)) > 30  # different texts, not one answer
    for p, (text, conf) in zip(probs.astype(np.float32), got):
        assert conf == pytest.approx(ctc_text_probability(p, [vocab.index(c) + 1 for c in text]), rel=1e-6)


def test_words_are_folded_and_known_words_are_saved(tmp_path):
    lm = CharLM(["Gluten-Free Oats 500g", "L'OREAL shampoo", "ignored"], weights=[1, 1, 0], order=3)
    assert lm.words == {"glutenfree", "oats", "500g", "loreal", "shampoo"}
    assert lm.knows("OATS") and lm.knows("gluten-free oats!") and lm.knows("L'Oreal")
    assert lm.knows("1999") and lm.knows("oats 12")  # numbers are words of every catalog
    assert not lm.knows("oat") and not lm.knows("oats bran") and not lm.knows("ignored")
    assert not lm.knows("") and not lm.knows(" -- ")
    lm.save(tmp_path / "lm.npz")
    assert CharLM.load(tmp_path / "lm.npz").words == lm.words
    # a file of an earlier version has no words: it loads, and knows no word (the lexicon bonus does nothing)
    with np.load(tmp_path / "lm.npz") as z:
        arrays = {k: z[k] for k in z.files if k != "words"}
    np.savez(tmp_path / "old.npz", **arrays)
    old = CharLM.load(tmp_path / "old.npz")
    assert old.words == frozenset() and not old.knows("oats")
    np.testing.assert_array_equal(old.log_probs("oa"), lm.log_probs("oa"))


def test_lexicon_bonus_matches_a_per_crop_search_and_only_ever_picks_known_words():
    vocab = "abcdefghij"
    rng = np.random.default_rng(5)
    logits = rng.normal(size=(40, 8, len(vocab) + 1)) * rng.uniform(1, 4, size=(40, 8, 1))
    logits[:, :, 0] += rng.uniform(0, 3, size=(40, 8))
    probs = (np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)).astype(np.float32)
    plain_lm = CharLM(["abc", "hij"], alphabet=vocab)
    # a lexicon of texts the search without it ranks second or third
    words = [_reference_search(p, vocab, plain_lm, 10, 0.5, 1.0, 1e-3, every=True)[1 + k % 2]
             for k, p in enumerate(probs[:24])]
    lm = CharLM(["abc", "hij"] * 500 + words, alphabet=vocab, order=2)  # the words barely move the character model
    got = [t for t, _ in lm_beam_search_decode(probs, vocab, lm, beam_width=10, lm_weight=0.5, insertion_bonus=1.0,
                                               lexicon_bonus=2.0, batch_size=9)]
    assert got == [_reference_search(p, vocab, lm, 10, 0.5, 1.0, 1e-3, bonus=2.0) for p in probs]
    plain = [t for t, _ in lm_beam_search_decode(probs, vocab, lm, beam_width=10, lm_weight=0.5, insertion_bonus=1.0)]
    changed = [(a, b) for a, b in zip(plain, got) if a != b]
    assert len(changed) >= 5 and all(lm.knows(b) and not lm.knows(a) for a, b in changed)
    with pytest.raises(ValueError, match="lexicon_bonus"):
        lm_beam_search_decode(probs, vocab, lm, lexicon_bonus=-1.0)
