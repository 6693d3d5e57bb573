"""A character n-gram language model and CTC prefix beam search that uses it.

A recognizer without a language model reads each character on its own: in a bold web font
"o" and "0", "l", "I" and "1" look alike, and "Sh0p" costs it no more than "Shop".
:class:`CharLM` learns which characters follow which from plain text (the bundled English
word list and sample catalog, or your own product titles), and :func:`lm_beam_search_decode`
adds its log-probabilities to the CTC prefix beam search (Hannun et al., 2014). The model is
case-folded (``"SHOP"``, ``"Shop"`` and ``"shop"`` get the same score), so it never picks a
case; it only weighs one spelling against another.

Smoothing is interpolated Witten-Bell down to a uniform distribution, so unseen strings (SKU
codes, prices) keep a probability: the model prefers likely spellings, it does not forbid
others. Plain Python and NumPy: the bundled model is built once (a few seconds) and then read from the
cache folder (``$SYNTHGEN_CACHE``, else ``~/.cache/synthgen``) in a fraction of a second.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

__all__ = ["CharLM", "ctc_text_probability", "lm_beam_search_decode"]

BOS = "\x02"  # start of a text (context padding)
EOS = "\x03"  # end of a text (the last symbol of the alphabet)
_EPS = 1e-8
_STATE_LIMIT = 100_000  # search contexts kept between calls (~110 MB at most)


def _fold_word(token: str) -> str:
    """A word as :meth:`CharLM.knows` compares it: letters and digits only, case-folded."""
    return "".join(c for c in token.lower() if c.isalnum())


class CharLM:
    """Case-folded character n-gram model with interpolated Witten-Bell smoothing.

    Args:
        texts: training texts (words or titles; spaces are characters like any other).
        order: n-gram order (context of ``order - 1`` characters).
        alphabet: the characters it scores (folded to lower case); characters of ``texts``
            outside it are dropped. Default: the characters seen in ``texts``.
        weights: one count multiplier per text (default 1 each).
        floor: share of a uniform distribution mixed into every prediction, so no character
            costs more than ``log(floor / (len(alphabet) + 1))``.

    ``log_probs(context)`` gives natural-log probabilities over ``alphabet`` plus the end of
    the text (index ``len(alphabet)``), given the text so far. ``words`` holds the words of ``texts``
    (split at spaces, letters and digits only, case-folded); :meth:`knows` says whether a text is made of
    them, for the decoder's ``lexicon_bonus``.
    """

    def __init__(self, texts, *, order: int = 6, alphabet: str | None = None, weights=None, floor: float = 0.05):
        if int(order) < 1:
            raise ValueError(f"order must be at least 1. Received: order={order!r}")
        if not 0.0 <= float(floor) < 1.0:
            raise ValueError(f"floor must be in [0, 1). Received: floor={floor!r}")
        self.order = int(order)
        self.floor = float(floor)
        folded = [str(t).lower() for t in texts]
        weights = [1.0] * len(folded) if weights is None else [float(w) for w in weights]
        if len(weights) != len(folded) or any(w < 0 for w in weights):
            raise ValueError(f"weights needs one non-negative number per text. Received: {len(weights)} for {len(folded)} texts")
        if alphabet is None:
            alphabet = "".join(sorted({c for t in folded for c in t}))
        self.alphabet = "".join(dict.fromkeys(alphabet.lower()))
        if not self.alphabet or BOS in self.alphabet or EOS in self.alphabet:
            raise ValueError(f"alphabet must be non-empty printable text. Received: alphabet={alphabet!r}")
        self._index = {c: i for i, c in enumerate(self.alphabet)}
        self._index[EOS] = len(self.alphabet)
        n = self.order - 1
        counts: list = [defaultdict(Counter) for _ in range(self.order)]  # per context length
        used = 0
        for t, w in zip(folded, weights):
            t = "".join(c for c in t if c in self._index and c != EOS).strip()
            if not t or w == 0:
                continue
            used += 1
            s = BOS * n + t + EOS
            for i in range(n, len(s)):
                for k in range(self.order):
                    counts[k][s[i - k : i]][s[i]] += w
        if not used:
            raise ValueError("CharLM needs at least one text with a character of the alphabet. Received: no usable text.")
        self.num_texts = used
        self.words = frozenset(w for t, wt in zip(folded, weights) if wt for w in map(_fold_word, t.split()) if w)
        # per context length k: contexts -> row; row r owns ids/counts[off[r]:off[r + 1]], its total and
        # distinct-symbol count (flat arrays: compact, and saved as they are by :meth:`save`)
        self._tables = []
        for table in counts:
            ctxs = sorted(table)
            ctrs = [table[c] for c in ctxs]
            lens = np.fromiter((len(c) for c in ctrs), np.int64, len(ctrs))
            ids = np.fromiter((self._index[ch] for c in ctrs for ch in c), np.int16, int(lens.sum()))
            cnt = np.fromiter((v for c in ctrs for v in c.values()), np.float64, int(lens.sum()))
            off = np.concatenate([[0], np.cumsum(lens)])
            tot = np.add.reduceat(cnt, off[:-1]) if len(cnt) else np.zeros(0)
            self._tables.append(self._table(ctxs, ids, cnt, off, tot, lens.astype(np.float64)))
        size = len(self.alphabet) + 1
        self._uniform = np.full(size, 1.0 / size)
        self._reset_states()

    @staticmethod
    def _table(ctxs, ids, cnt, off, tot, dist) -> tuple:
        return ({c: r for r, c in enumerate(ctxs)}, ids, cnt, off, tot, dist)

    # ------------------------------------------------------------------ files
    def save(self, path) -> None:
        """Write the model to ``path`` (a NumPy ``.npz`` file, no pickles); :meth:`load` reads it back.
        The file is written under a temporary name and renamed."""
        path = Path(os.fspath(path))
        arrays = {"meta": np.array([self.order, self.num_texts], np.int64), "floor": np.array(self.floor),
                  "alphabet": np.array(self.alphabet), "words": np.array(sorted(self.words) or [""])}
        for k, (index, ids, cnt, off, tot, dist) in enumerate(self._tables):
            arrays[f"ctx{k}"] = np.array(list(index), dtype=f"<U{max(1, k)}")
            arrays.update({f"ids{k}": ids, f"cnt{k}": cnt, f"off{k}": off, f"tot{k}": tot, f"dist{k}": dist})
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path) -> CharLM:
        """A model written by :meth:`save`; ``ValueError`` naming the file if it is not one."""
        path = Path(os.fspath(path))
        try:
            with np.load(path, allow_pickle=False) as z:
                order, num_texts = (int(v) for v in z["meta"])
                lm = cls.__new__(cls)
                lm.order, lm.num_texts, lm.floor = order, num_texts, float(z["floor"])
                lm.alphabet = str(z["alphabet"])
                lm._tables = [cls._table(z[f"ctx{k}"].tolist(), z[f"ids{k}"], z[f"cnt{k}"], z[f"off{k}"],
                                         z[f"tot{k}"], z[f"dist{k}"]) for k in range(order)]
                # files of earlier versions have no words: no text is known, the lexicon bonus does nothing
                lm.words = frozenset(w for w in z["words"].tolist() if w) if "words" in z else frozenset()
        except (OSError, KeyError, ValueError, TypeError) as e:
            raise ValueError(f"{path} is not a language model file written by CharLM.save ({e}). "
                             "Build the model again from its text (CharLM.from_files).") from None
        lm._index = {c: i for i, c in enumerate(lm.alphabet)}
        lm._index[EOS] = len(lm.alphabet)
        lm._uniform = np.full(len(lm.alphabet) + 1, 1.0 / (len(lm.alphabet) + 1))
        lm._reset_states()
        return lm

    # ------------------------------------------------------------------ building
    @classmethod
    def from_files(cls, paths, *, weights=None, column: str | None = None, **kwargs) -> CharLM:
        """Train on catalog files (``.txt`` one text per line, ``.csv``/``.jsonl`` with ``column``), as
        ``synthgen generate --catalog`` reads them; text is Unicode-normalised the same way.
        ``weights``: one count multiplier per file (default 1 each); other arguments as :class:`CharLM`."""
        from synthgen.text import load_catalog, normalize_text

        paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
        weights = [1.0] * len(paths) if weights is None else list(weights)
        if len(weights) != len(paths):
            raise ValueError(f"weights needs one number per file. Received: {len(weights)} for {len(paths)} files")
        texts, per_text = [], []
        for p, w in zip(paths, weights):
            got = [normalize_text(t) for t in load_catalog(p, column=column)]
            texts.extend(got)
            per_text.extend([w] * len(got))
        return cls(texts, weights=per_text, **kwargs)

    @classmethod
    def bundled(cls, alphabet: str | None = None) -> CharLM:
        """The model of synthgen's bundled English word list and sample catalog (built once, then read from the cache).

        The 10,700 most common English words (SCOWL sizes 10 and 20) count ten times: a frequency
        prior (chosen on synthetic crops of natural English text, words with their frequencies in
        running text: +1.6 points alphanumeric accuracy, and no loss on uniformly drawn words)."""
        from synthgen.charset import DEFAULT_CHARSET

        return _bundled(alphabet if alphabet is not None else DEFAULT_CHARSET)

    # ------------------------------------------------------------------ scoring
    def log_probs(self, context: str) -> np.ndarray:
        """float64 ``[len(alphabet) + 1]``: log P(next symbol | context); the last entry is the end of the text."""
        ctx = (BOS * (self.order - 1) + context.lower())[len(context) :] if self.order > 1 else ""
        self._trim_states()
        state = self._state_ids_of([ctx])[0]  # first: a new context may grow the table
        return self._state_lp[state].copy()

    def score(self, text: str, *, end: bool = True) -> float:
        """Natural-log probability of ``text`` (characters outside the alphabet are skipped)."""
        total = 0.0
        seen = ""
        for c in text.lower():
            i = self._index.get(c)
            if i is None or c == EOS:
                continue
            total += float(self.log_probs(seen)[i])
            seen += c
        if end:
            total += float(self.log_probs(seen)[-1])
        return total

    def knows(self, text: str) -> bool:
        """Whether every word of ``text`` (split at spaces, letters and digits only, case-folded) is one of
        :attr:`words` or a number (digits only); ``False`` for a text with no letter or digit."""
        folded = [w for w in map(_fold_word, text.split()) if w]
        return bool(folded) and all(w.isdigit() or w in self.words for w in folded)

    # ------------------------------------------------------------------ search states
    # The beam search follows contexts by id: row ``i`` of ``_state_lp`` is ``log_probs`` of context
    # ``_state_ctx[i]`` (its last ``order - 1`` characters, BOS-padded), ``_state_next[i, s]`` the id after
    # symbol ``s`` (-1 until first needed).
    def _reset_states(self) -> None:
        self._state_ids: dict = {}
        self._state_ctx: list = []
        self._state_lp = np.empty((256, len(self.alphabet) + 1))
        self._state_next = np.full((256, len(self.alphabet)), -1, np.int32)

    def _trim_states(self) -> None:
        if len(self._state_ctx) > _STATE_LIMIT:
            self._reset_states()

    def _state_ids_of(self, contexts: list) -> list:
        """Ids of full-length contexts, new ones added (their distributions computed together)."""
        new = [c for c in dict.fromkeys(contexts) if c not in self._state_ids]
        if new:
            first = len(self._state_ctx)
            need = first + len(new)
            while need > len(self._state_lp):
                self._state_lp = np.concatenate([self._state_lp, np.empty_like(self._state_lp)])
                self._state_next = np.concatenate([self._state_next, np.full_like(self._state_next, -1)])
            self._state_lp[first:need] = self._batch_log_probs(new)
            for i, c in enumerate(new, first):
                self._state_ids[c] = i
            self._state_ctx.extend(new)
        return [self._state_ids[c] for c in contexts]

    def _batch_log_probs(self, contexts: list) -> np.ndarray:
        """Log-probabilities after each full-length (``order - 1``) context: interpolated Witten-Bell, from
        the empty context up to the full one, mixed with ``floor`` of a uniform distribution."""
        p = np.repeat(self._uniform[None], len(contexts), axis=0)
        n = self.order - 1
        for k in range(self.order):  # context length k: the last k characters
            index, t_ids, t_cnt, t_off, t_tot, t_dist = self._tables[k]
            found = [(i, row) for i, row in enumerate(index.get(c[n - k :] if k else "") for c in contexts)
                     if row is not None]
            if not found:
                continue
            r, rows = (np.array(v, np.int64) for v in zip(*found))
            starts, lens = t_off[rows], t_off[rows + 1] - t_off[rows]
            ends = np.cumsum(lens)
            at = np.arange(ends[-1]) + np.repeat(starts - (ends - lens), lens)  # each row's slice of the table, joined
            d = t_dist[rows]
            p[r] *= d[:, None]
            p[np.repeat(r, lens), t_ids[at]] += t_cnt[at]
            p[r] /= (t_tot[rows] + d)[:, None]
        return np.log((1 - self.floor) * p + self.floor / p.shape[1] if self.floor else p)

    def _start_state(self) -> int:
        return self._state_ids_of([BOS * (self.order - 1)])[0]

    def _advance(self, states: np.ndarray, symbols: np.ndarray) -> np.ndarray:
        """Context ids after appending alphabet symbols ``symbols`` to contexts ``states``."""
        nxt = self._state_next[states, symbols]
        miss = nxt < 0
        if miss.any():
            pairs = list(set(zip(states[miss].tolist(), symbols[miss].tolist())))
            if self.order > 1:
                ctxs = [(self._state_ctx[s] + self.alphabet[c])[1:] for s, c in pairs]
            else:
                ctxs = [""] * len(pairs)
            ids = self._state_ids_of(ctxs)
            s, c = np.array(pairs).T
            self._state_next[s, c] = ids
            nxt = self._state_next[states, symbols]
        return nxt

    def symbol_map(self, vocabulary: str) -> np.ndarray:
        """int ``[V]``: the alphabet index of each vocabulary character (folded), -1 where it has none."""
        return np.array([self._index.get(c.lower(), -1) if c.lower() != EOS else -1 for c in vocabulary], np.int64)


@functools.lru_cache(maxsize=4)
def _bundled(alphabet: str) -> CharLM:
    """Built from the bundled text once, then read from the cache folder (keyed by the texts' bytes)."""
    from synthgen.fonts import cache_dir
    from synthgen.text import default_catalog_path

    data = Path(default_catalog_path()).parent
    files, weights = [data / "english-words.txt", data / "english-common.txt", data / "catalog.txt"], [1, 10, 1]
    h = hashlib.sha1(f"charlm-v2|{weights}|{alphabet}".encode())
    for f in files:
        h.update(f.read_bytes())
    cached = cache_dir() / f"charlm-{h.hexdigest()[:16]}.npz"
    if cached.is_file():
        try:
            return CharLM.load(cached)
        except ValueError:
            pass  # a damaged cache file is rebuilt below
    lm = CharLM.from_files(files, weights=weights, alphabet=alphabet)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        lm.save(cached)
    except OSError:
        pass  # a read-only cache only costs the build next time
    return lm


def lm_beam_search_decode(probs, vocabulary: str, lm: CharLM, *, beam_width: int = 10, lm_weight: float = 0.5,
                          insertion_bonus: float = 1.0, prune: float = 1e-3, lexicon_bonus: float = 0.0,
                          batch_size: int = 1024) -> list[tuple[str, float]]:
    """CTC prefix beam search with a character language model (shallow fusion).

    A prefix ``y`` scores ``log P_ctc(y | x) + lm_weight * log P_lm(y) + insertion_bonus * len(y)``,
    the end of the text included in ``P_lm`` when the search finishes; when it finishes, a prefix made of
    words the language model was built from (:meth:`CharLM.knows`) also gets ``lexicon_bonus``. All crops of a batch are
    searched together in NumPy (prefixes are tracked by 64-bit hashes, language-model contexts by
    ids of a table that grows as new contexts are met).

    Args:
        probs: float ``[B, T, V + 1]`` per-step probabilities, blank at 0.
        vocabulary: characters of ids 1..V.
        lm: a :class:`CharLM`; vocabulary characters it has no symbol for get no LM term.
        beam_width: prefixes kept per step.
        lm_weight, insertion_bonus: the fusion weights (``lm_weight=0`` is plain prefix beam search).
        prune: a step's characters below this probability are not tried (the best one always is,
            unless the step is almost surely blank).
        lexicon_bonus: added to the final score of each of the ``beam_width`` prefixes left whose words are all
            :attr:`CharLM.words` or numbers: ``log`` of how many times likelier a known word is taken to be than
            an unknown one (0: no lexicon).
        batch_size: crops searched together (memory grows with it).

    Returns:
        ``(text, confidence)`` per crop; confidence is P(text | crop) over all its CTC alignments,
        without the language model, in 0..1.
    """
    from .ctc import _check_probs

    probs = _check_probs(probs, vocabulary)
    if int(beam_width) < 1:
        raise ValueError(f"beam_width must be at least 1. Received: beam_width={beam_width!r}")
    if lm_weight < 0:
        raise ValueError(f"lm_weight must be >= 0. Received: lm_weight={lm_weight!r}")
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be at least 1. Received: batch_size={batch_size!r}")
    if not lexicon_bonus >= 0:
        raise ValueError(f"lexicon_bonus must be >= 0. Received: lexicon_bonus={lexicon_bonus!r}")
    sym = np.concatenate([[-1], lm.symbol_map(vocabulary)])
    lm._trim_states()
    chars = np.array([""] + list(vocabulary), dtype=object)
    out = []
    for a in range(0, len(probs), int(batch_size)):
        p = probs[a : a + int(batch_size)]
        logp = np.log(np.maximum(p, _EPS)).astype(np.float64)
        known = None
        if lexicon_bonus and lm.words:
            def known(labs):
                return [lm.knows("".join(chars[lab])) for lab in labs]
        labels = _search(logp, sym, lm, int(beam_width), float(lm_weight), float(insertion_bonus), math.log(prune),
                         known, float(lexicon_bonus))
        conf = _text_probabilities(p, labels)
        out.extend(("".join(chars[lab]), float(c)) for lab, c in zip(labels, conf))
    return out


def ctc_text_probability(probs: np.ndarray, ids) -> float:
    """P(label | one crop's outputs) summed over every CTC alignment: ``probs`` ``[T, V + 1]``, ``ids`` 1..V."""
    return float(_text_probabilities(np.asarray(probs)[None], [np.asarray(list(ids), np.int64)])[0])


def _text_probabilities(probs: np.ndarray, labels) -> np.ndarray:
    """The CTC forward algorithm for a batch: ``probs`` ``[B, T, V + 1]``, one id array per crop -> ``[B]``."""
    B, T = probs.shape[:2]
    lengths = np.array([len(lab) for lab in labels], np.int64)
    S = 2 * int(lengths.max(initial=0)) + 1
    ext = np.zeros((B, S), np.int64)  # blank, l1, blank, l2, ..., blank
    for b, lab in enumerate(labels):
        ext[b, 1 : 2 * len(lab) : 2] = lab
    lp = np.log(np.maximum(np.take_along_axis(probs, np.broadcast_to(ext[:, None, :], (B, T, S)), 2), _EPS))
    lp = lp.astype(np.float64)
    skip = np.zeros((B, S), bool)
    skip[:, 2:] = (ext[:, 2:] != 0) & (ext[:, 2:] != ext[:, :-2])
    alpha = np.full((B, S), -np.inf)
    alpha[:, 0] = lp[:, 0, 0]
    if S > 1:
        alpha[:, 1] = lp[:, 0, 1]
    for t in range(1, T):
        a = alpha.copy()
        a[:, 1:] = np.logaddexp(a[:, 1:], alpha[:, :-1])
        a[:, 2:] = np.where(skip[:, 2:], np.logaddexp(a[:, 2:], alpha[:, :-2]), a[:, 2:])
        alpha = a + lp[:, t]
    end = 2 * lengths
    rows = np.arange(B)
    tail = np.where(lengths > 0, np.logaddexp(alpha[rows, end], alpha[rows, np.maximum(end - 1, 0)]), alpha[rows, 0])
    return np.where(2 * lengths + 1 > 2 * T + 1, 0.0, np.exp(tail))


_HASH_ROOT = np.uint64(0xCBF29CE484222325)
_HASH_MUL = np.uint64(0x100000001B3)
_HASH_CROP = np.uint64(0x9E3779B97F4A7C15)
_NO_KEY = np.uint64(0xFFFFFFFFFFFFFFFF)


def _search(logp, sym, lm, K, alpha, beta, log_prune, known=None, bonus=0.0):
    """Prefix beam search of a batch: ``logp`` float64 ``[B, T, V + 1]`` -> one label id array per crop.

    Each step, every live prefix proposes itself (ended by a blank, or by a repeat of its last
    character) and one extension per candidate character of its crop. Proposals are flat arrays;
    a prefix is known by a 64-bit hash of its crop and characters, so the proposals of one prefix
    (at most two: itself and its parent's extension) meet when sorted by hash and are merged; then
    the ``K`` best of each crop are kept, in ``[B, K]`` slots. ``known`` (label id arrays -> bools) and
    ``bonus``: the final prefixes it knows score ``bonus`` more."""
    neg = -np.inf
    B, T, _ = logp.shape
    use_lm = alpha > 0
    pb = np.full((B, K), neg)
    pb[:, 0] = 0.0
    pnb = np.full((B, K), neg)
    ls = np.zeros((B, K))
    key = np.full((B, K), _NO_KEY)
    key[:, 0] = _HASH_ROOT + np.arange(B, dtype=np.uint64) * _HASH_CROP
    last = np.zeros((B, K), np.int64)
    state = np.full((B, K), lm._start_state() if use_lm else 0, np.int64)
    parents, appended = [], []
    chars_lp = logp[:, :, 1:]
    likely = chars_lp >= log_prune
    fallback = ~likely.any(-1) & (logp[:, :, 0] < -0.01)  # nothing likely besides blank: still follow the best
    if fallback.any():
        fb, ft = np.nonzero(fallback)
        likely[fb, ft, chars_lp[fb, ft].argmax(-1)] = True
    crop_of = np.repeat(np.arange(B), K)
    slot_of = np.tile(np.arange(K), B)
    for t in range(T):
        lp_t = logp[:, t]
        cb, cc = np.nonzero(likely[:, t])
        cc += 1
        clp = lp_t[cb, cc]
        tot = np.logaddexp(pb, pnb)
        # extensions: every (live prefix, candidate) of a crop
        eb = np.repeat(cb, K)
        ek = np.tile(np.arange(K), len(cb))
        ec = np.repeat(cc, K)
        elp = np.repeat(clp, K)
        live = tot[eb, ek] > neg
        eb, ek, ec, elp = eb[live], ek[live], ec[live], elp[live]
        is_rep = ec == last[eb, ek]
        base = np.where(is_rep, pb[eb, ek], tot[eb, ek]) + elp  # after a repeat, only blank-ending paths extend
        # a prefix proposes itself: ended by a blank, or its last character repeated
        rep_lp = np.full((B, K), neg)
        rep_lp[eb[is_rep], ek[is_rep]] = elp[is_rep]
        stay_pb = (tot + lp_t[:, :1]).ravel()
        stay_pnb = (pnb + rep_lp).ravel()
        ext = base > neg
        eb, ek, ec, base = eb[ext], ek[ext], ec[ext], base[ext]
        els = ls[eb, ek] + beta
        if use_lm:  # the language model's word on the new character
            es = sym[ec]
            h = es >= 0
            els[h] = ls[eb[h], ek[h]] + alpha * lm._state_lp[state[eb[h], ek[h]], es[h]] + beta
        stay = tot.ravel() > neg
        p_key = np.concatenate([key.ravel()[stay], key[eb, ek] * _HASH_MUL + ec.astype(np.uint64)])
        p_pb = np.concatenate([stay_pb[stay], np.full(len(eb), neg)])
        p_pnb = np.concatenate([stay_pnb[stay], base])
        p_ls = np.concatenate([ls.ravel()[stay], els])
        p_crop = np.concatenate([crop_of[stay], eb])
        p_parent = np.concatenate([slot_of[stay], ek])
        p_char = np.concatenate([np.zeros(int(stay.sum()), np.int64), ec])  # 0: the prefix itself
        p_last = np.concatenate([last.ravel()[stay], ec])
        p_state = np.concatenate([state.ravel()[stay], state[eb, ek]])
        # merge the proposals of one prefix
        order = np.argsort(p_key, kind="stable")
        sk = p_key[order]
        dup = np.flatnonzero(sk[1:] == sk[:-1])
        if len(dup):
            a, b = order[dup], order[dup + 1]
            p_pb[a] = np.logaddexp(p_pb[a], p_pb[b])
            p_pnb[a] = np.logaddexp(p_pnb[a], p_pnb[b])
            p_pb[b] = neg
            p_pnb[b] = neg
        score = np.logaddexp(p_pb, p_pnb) + p_ls
        # the K best of each crop into its slots: one sort by crop, then score (a log-probability,
        # far inside +-1e4: one float key orders both to ~1e-8); merged-away proposals sort last
        gone = score == neg
        order = np.argsort(p_crop * 32768.0 + np.where(gone, 32767.0, 1e4 - np.clip(score, -1e4, 1e4)))
        crop = p_crop[order]
        rank = np.arange(len(order)) - np.searchsorted(crop, np.arange(B))[crop]
        sel = (rank < K) & ~gone[order]
        src, crop, slot = order[sel], crop[sel], rank[sel]
        c_new = p_char[src]
        st = p_state[src]
        if use_lm:
            grow = (c_new > 0) & (sym[c_new] >= 0)
            if grow.any():
                st[grow] = lm._advance(st[grow], sym[c_new[grow]])
        pb, pnb, ls, key = np.full((B, K), neg), np.full((B, K), neg), np.zeros((B, K)), np.full((B, K), _NO_KEY)
        last, state = np.zeros((B, K), np.int64), np.zeros((B, K), np.int64)
        parent, app = np.zeros((B, K), np.int64), np.zeros((B, K), np.int64)
        for arr, val in ((pb, p_pb[src]), (pnb, p_pnb[src]), (ls, p_ls[src]), (key, p_key[src]), (last, p_last[src]),
                         (state, st), (parent, p_parent[src]), (app, c_new)):
            arr[crop, slot] = val
        parents.append(parent)
        appended.append(app)
    final = np.logaddexp(pb, pnb) + ls
    if use_lm:
        final = final + alpha * lm._state_lp[state, -1]
    if known is None or not bonus:
        return _backtrack(parents, appended, final.argmax(1)[:, None])[:, 0].tolist()
    alive = final > neg
    every = _backtrack(parents, appended, np.broadcast_to(np.arange(K), (B, K)))
    flags = np.zeros((B, K), bool)
    flags[alive] = known(every[alive].tolist())
    final = final + bonus * flags
    return every[np.arange(B), final.argmax(1)].tolist()


def _backtrack(parents, appended, k) -> np.ndarray:
    """Label id arrays of the prefixes in slots ``k`` (``[B, N]``) after the last step: object ``[B, N]``."""
    B, N = k.shape
    rows = np.arange(B)[:, None]
    labels = [[] for _ in range(B * N)]
    for t in range(len(parents) - 1, -1, -1):
        c = appended[t][rows, k].ravel()
        for j in np.flatnonzero(c):
            labels[j].append(int(c[j]))
        k = parents[t][rows, k]
    out = np.empty(B * N, dtype=object)
    out[:] = [np.array(lab[::-1], np.int64) for lab in labels]
    return out.reshape(B, N)
