"""Text sources: product catalogs (TXT, CSV, JSONL) -> words and short phrases, sampled by length."""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from importlib import resources
from pathlib import Path

import numpy as np

from .charset import Charset, OOVStats, normalize_text

__all__ = ["TextSource", "load_catalog", "default_catalog_path", "LENGTH_DISTRIBUTIONS"]

LENGTH_DISTRIBUTIONS = ("natural", "uniform")


def default_catalog_path() -> Path:
    """The bundled sample catalog of product titles (one per line)."""
    return Path(str(resources.files("synthgen") / "data" / "catalog.txt"))


def load_catalog(path: str | os.PathLike, *, column: str | None = None) -> list[str]:
    """Read product titles from a catalog file.

    Args:
        path: a ``.txt`` file (one title per line), a ``.csv`` file (a header row; ``column``
            names the text column, default ``title``) or a ``.jsonl`` file (one object per line;
            ``column`` names the field, default ``title``).
        column: the CSV column or JSONL field holding the text.

    Returns:
        The non-empty titles, in file order, not yet normalised.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Catalog file not found: {str(path)!r}. Pass a .txt, .csv or .jsonl file.")
    suffix = path.suffix.lower()
    try:
        if suffix in (".txt", ".text", ""):
            with open(path, encoding="utf-8") as f:
                titles = [line.strip() for line in f]
        elif suffix in (".csv", ".tsv"):
            titles = _read_csv(path, column or "title", "\t" if suffix == ".tsv" else ",")
        elif suffix in (".jsonl", ".ndjson"):
            titles = _read_jsonl(path, column or "title")
        else:
            raise ValueError(
                f"Unknown catalog format {suffix!r} for {str(path)!r}: use .txt (one title per line), "
                ".csv (with --catalog-column) or .jsonl."
            )
    except UnicodeDecodeError as e:
        raise ValueError(f"Catalog {str(path)!r} is not UTF-8 text ({e}). Re-encode it as UTF-8.") from None
    titles = [t for t in titles if t and t.strip()]
    if not titles:
        raise ValueError(f"Catalog {str(path)!r} holds no text. Give a file with one product title per row.")
    return titles


def _read_csv(path: Path, column: str, delimiter: str) -> list[str]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter=delimiter)
        if reader.fieldnames is None:
            raise ValueError(f"Catalog {str(path)!r} is empty.")
        if column not in reader.fieldnames:
            raise ValueError(
                f"Catalog {str(path)!r} has no column {column!r}; its columns are {reader.fieldnames!r}. "
                "Name the text column with catalog_column (CLI: --catalog-column)."
            )
        return [(row.get(column) or "") for row in reader]


def _read_jsonl(path: Path, field: str) -> list[str]:
    out = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"Catalog {str(path)!r} line {lineno} is not JSON: {e}.") from None
            if not isinstance(obj, dict):
                raise ValueError(f"Catalog {str(path)!r} line {lineno} is not a JSON object.")
            value = obj.get(field)
            if isinstance(value, str):
                out.append(value)
    if not out:
        raise ValueError(
            f"Catalog {str(path)!r} has no string field {field!r} in any line. "
            "Name the text field with catalog_column (CLI: --catalog-column)."
        )
    return out


#: Elided prefixes :class:`TextSource` (``apostrophe_prob``) puts before a word, as brand names write them (L'OREAL).
APOSTROPHE_PREFIXES = ("L'", "D'", "O'")
#: Marks :class:`TextSource` (``punctuation_prob``) attaches after a word, before it, and around it.
PUNCTUATION_TRAILING = (".", ",", "!", "?", ":", ";", "'", '"', ")", "%", "-", "/", "*", "!!", "?!", "...")
PUNCTUATION_LEADING = ('"', "'", "(", "#", "$", "*", "-", "+", "@", "&", "[", "~")
PUNCTUATION_AROUND = (('"', '"'), ("'", "'"), ("(", ")"), ("[", "]"), ("*", "*"), ("-", "-"), ('"', '!"'), ("<", ">"))


class TextSource:
    """Words and short phrases from catalog titles, sampled by length.

    Args:
        titles: raw product titles.
        charset: the vocabulary; text outside it follows ``oov_policy``.
        oov_policy: ``"drop_char"``, ``"drop_word"`` or ``"fail"``.
        min_length, max_length: kept texts have this many characters (spaces included).
        length_distribution: ``"natural"`` (as often as in the catalog), ``"uniform"`` (every
            available length equally often), or a list of ``max_length`` weights, one per length.
        word_weighting: ``"frequency"`` (common words more often) or ``"uniform"`` (each
            distinct word equally often) within a length.
        phrase_prob: probability of a short phrase of 2..``max_phrase_words`` consecutive words
            of a title instead of one word; needs a space in the charset.
        case_weights: weights of (as in the catalog, UPPER, lower, Capitalised) applied to the
            sampled text; a re-cased character outside the charset keeps its catalog case.
        random_text_prob: probability of a string of random charset characters (no spaces),
            as long as a sampled catalog word, instead of catalog text: teaches characters
            without the catalog's lexicon.
        punctuation_prob: probability of attaching punctuation to a catalog word or phrase as signs and
            packaging write it: a trailing mark (``PUNCTUATION_TRAILING``, e.g. ``SALE!``, ``day;``), a
            leading one (``PUNCTUATION_LEADING``, e.g. ``#1``, ``"Fresh``) or a pair around it
            (``PUNCTUATION_AROUND``, e.g. ``(new)``), each kind as often, a mark drawn uniformly within it;
            marks outside the charset, or that would make the text longer than ``max_length``, are not attached.
        apostrophe_prob: probability of giving a catalog word an apostrophe as brand names and signs write
            them: three times in four a possessive (``Levi's``, ``LEVI'S``; ``Girls'`` after an s), else an
            elided prefix (``APOSTROPHE_PREFIXES``: ``L'OREAL``, ``O'Malley``), cased as the word; not when the
            charset lacks ``'``, the word has one already or is no word (digits, signs), or the text would grow
            longer than ``max_length``. Applied before ``punctuation_prob``.
    """

    def __init__(
        self,
        titles: list[str],
        charset: Charset,
        *,
        oov_policy: str = "drop_char",
        min_length: int = 1,
        max_length: int = 25,
        length_distribution="natural",
        word_weighting: str = "frequency",
        phrase_prob: float = 0.0,
        max_phrase_words: int = 3,
        case_weights=None,
        random_text_prob: float = 0.0,
        punctuation_prob: float = 0.0,
        apostrophe_prob: float = 0.0,
    ):
        if phrase_prob > 0 and not charset.has_space:
            raise ValueError(
                "phrase_prob > 0 needs a space in the charset (phrases hold spaces). "
                f"Add ' ' to the charset or set phrase_prob to 0. Received: phrase_prob={phrase_prob}"
            )
        if word_weighting not in ("frequency", "uniform"):
            raise ValueError(f"word_weighting must be 'frequency' or 'uniform'. Received: word_weighting={word_weighting!r}")
        cw = np.asarray([1, 0, 0, 0] if case_weights is None else case_weights, dtype=np.float64)
        if cw.shape != (4,) or (cw < 0).any() or cw.sum() <= 0:
            raise ValueError(
                "case_weights needs 4 non-negative weights (catalog, UPPER, lower, Capitalised) with a positive sum. "
                f"Received: case_weights={case_weights!r}"
            )
        if not 0.0 <= float(random_text_prob) <= 1.0:
            raise ValueError(f"random_text_prob must be in [0, 1]. Received: random_text_prob={random_text_prob!r}")
        if not 0.0 <= float(punctuation_prob) <= 1.0:
            raise ValueError(f"punctuation_prob must be in [0, 1]. Received: punctuation_prob={punctuation_prob!r}")
        if not 0.0 <= float(apostrophe_prob) <= 1.0:
            raise ValueError(f"apostrophe_prob must be in [0, 1]. Received: apostrophe_prob={apostrophe_prob!r}")
        self.apostrophe_prob = float(apostrophe_prob) if "'" in charset else 0.0
        # Only draw from the rng for a feature in use, so default settings give the same samples as before.
        self.punctuation_prob = float(punctuation_prob)
        self._punctuation = [[(a, b) for a, b in marks if all(c in charset for c in a + b)]
                             for marks in (tuple(("", m) for m in PUNCTUATION_TRAILING),
                                           tuple((m, "") for m in PUNCTUATION_LEADING), PUNCTUATION_AROUND)]
        self._case_cum = None if cw[1:].sum() == 0 else np.cumsum(cw)
        self.random_text_prob = float(random_text_prob)
        self._random_chars = [c for c in charset.chars if c != " "]
        self.charset = charset
        self.min_length = min_length
        self.max_length = max_length
        self.phrase_prob = float(phrase_prob)
        self.oov = OOVStats()
        self.too_long = 0
        words: Counter = Counter()
        phrases: Counter = Counter()
        for title in titles:
            kept = []
            for tok in normalize_text(title).split(" "):
                if not tok:
                    continue
                w = charset.apply_policy(tok, oov_policy, self.oov)
                if w is None:
                    kept.append(None)
                    continue
                if len(w) > max_length:
                    self.too_long += 1
                    kept.append(None)
                    continue
                kept.append(w)
                if len(w) >= min_length:
                    words[w] += 1
            if self.phrase_prob > 0:
                for i in range(len(kept)):
                    for n in range(2, max_phrase_words + 1):
                        seg = kept[i : i + n]
                        if len(seg) < n or any(s is None for s in seg):
                            break
                        p = " ".join(seg)
                        if len(p) > max_length:
                            break
                        phrases[p] += 1
        if not words:
            raise ValueError(
                f"No usable word in the catalog: every word is outside the vocabulary under "
                f"oov_policy={oov_policy!r} or outside lengths {min_length}..{max_length}. {self.oov.summary()}"
            )
        self._words = _LengthSampler(words, length_distribution, word_weighting, max_length)
        self._phrases = _LengthSampler(phrases, length_distribution, word_weighting, max_length) if phrases else None

    @property
    def num_words(self) -> int:
        return len(self._words.items)

    def sample(self, rng: np.random.Generator) -> str:
        """One word or phrase (or random string), re-cased by ``case_weights``."""
        if self._phrases is not None and rng.random() < self.phrase_prob:
            text = self._phrases.sample(rng)
        else:
            text = self._words.sample(rng)
        if self.random_text_prob > 0 and rng.random() < self.random_text_prob:
            ids = rng.integers(0, len(self._random_chars), size=len(text))
            return "".join(self._random_chars[i] for i in ids)
        if self._case_cum is not None:
            k = int(np.searchsorted(self._case_cum, rng.random() * self._case_cum[-1], side="right"))
            if k > 0:
                recased = (text.upper, text.lower, text.capitalize)[min(k, 3) - 1]()
                if all(c in self.charset for c in recased):
                    text = recased
        if self.apostrophe_prob > 0 and rng.random() < self.apostrophe_prob:
            text = self._apostrophe(text, rng)
        if self.punctuation_prob > 0 and rng.random() < self.punctuation_prob:
            marks = self._punctuation[int(rng.integers(0, 3))]
            if marks:
                before, after = marks[int(rng.integers(0, len(marks)))]
                if len(before) + len(text) + len(after) <= self.max_length:
                    text = before + text + after
        return text

    def _apostrophe(self, text: str, rng: np.random.Generator) -> str:
        """``text`` with a possessive or an elided prefix (see ``apostrophe_prob``), or as it is."""
        letters = [c for c in text if c.isalpha()]
        if "'" in text or len(letters) < 2 or not text[0].isalpha() or not text[-1].isalpha():
            return text
        upper = all(c.isupper() for c in letters)
        if rng.random() < 0.75:
            add = "'" if text[-1] in "sS" else ("'S" if upper else "'s")
            out = text + add
        else:
            prefix = APOSTROPHE_PREFIXES[int(rng.integers(0, len(APOSTROPHE_PREFIXES)))]
            out = (prefix if text[0].isupper() else prefix.lower()) + text  # L'OREAL, O'Malley, l'eau
        return out if len(out) <= self.max_length and all(c in self.charset for c in out) else text

    def report(self) -> str:
        return f"{self.oov.summary()}; {self.too_long} words longer than {self.max_length} characters skipped"


class _LengthSampler:
    """Draws items by a length distribution, then by weight within the length."""

    def __init__(self, counts: Counter, length_distribution, weighting: str, max_length: int):
        items = sorted(counts)  # sorted: the same catalog gives the same order, hence the same samples
        self.items = items
        lengths = np.array([len(s) for s in items])
        weights = np.array([counts[s] for s in items], dtype=np.float64)
        if weighting == "uniform":
            weights = np.ones_like(weights)
        self.groups = []  # per length: (item indices, cumulative weights)
        avail = np.unique(lengths)
        mass = []
        for L in avail:
            idx = np.flatnonzero(lengths == L)
            w = weights[idx]
            self.groups.append((idx, np.cumsum(w)))
            mass.append(w.sum())
        mass = np.array(mass)
        if isinstance(length_distribution, str):
            if length_distribution == "natural":
                lw = mass
            elif length_distribution == "uniform":
                lw = np.ones(len(avail))
            else:
                raise ValueError(
                    f"length_distribution must be one of {LENGTH_DISTRIBUTIONS} or a list of {max_length} "
                    f"weights. Received: length_distribution={length_distribution!r}"
                )
        else:
            table = np.asarray(length_distribution, dtype=np.float64)
            if table.ndim != 1 or len(table) != max_length or (table < 0).any() or table.sum() <= 0:
                raise ValueError(
                    f"length_distribution as a list needs {max_length} non-negative weights (lengths "
                    f"1..{max_length}) with a positive sum. Received: length_distribution={length_distribution!r}"
                )
            lw = table[avail - 1]
            if lw.sum() <= 0:
                raise ValueError(
                    f"length_distribution gives weight only to lengths the catalog lacks; it has lengths {avail.tolist()}."
                )
        self.length_cum = np.cumsum(lw)

    def sample(self, rng: np.random.Generator) -> str:
        g = int(np.searchsorted(self.length_cum, rng.random() * self.length_cum[-1], side="right"))
        g = min(g, len(self.groups) - 1)
        idx, cum = self.groups[g]
        k = int(np.searchsorted(cum, rng.random() * cum[-1], side="right"))
        return self.items[idx[min(k, len(idx) - 1)]]
