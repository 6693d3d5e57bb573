"""The character vocabulary: one definition, normalisation, and the out-of-vocabulary policy."""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "DEFAULT_CHARSET",
    "OOV_POLICIES",
    "Charset",
    "OOVStats",
    "OutOfVocabularyError",
    "normalize_text",
]

#: The default 92-character vocabulary: digits, ASCII letters and the 30 ASCII punctuation
#: marks other than backslash and backtick.
DEFAULT_CHARSET = (
    string.digits
    + string.ascii_uppercase
    + string.ascii_lowercase
    + "".join(c for c in string.punctuation if c not in "\\`")
)
assert len(DEFAULT_CHARSET) == 92

#: What to do with text holding characters outside the vocabulary.
OOV_POLICIES = ("drop_char", "drop_word", "fail")

# Typographic characters common in catalog exports, mapped to their plain ASCII forms.
_ASCII_FOLD = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00d7": "x", "\u2026": "...", "\u00a0": " ", "\u2009": " ", "\u202f": " ",
}
_FOLD_TABLE = str.maketrans(_ASCII_FOLD)


class OutOfVocabularyError(ValueError):
    """Text holds characters outside the vocabulary and the policy is ``"fail"``."""


def normalize_text(text: str) -> str:
    """Unicode NFKC, typographic punctuation folded to ASCII, whitespace collapsed.

    >>> normalize_text("Caf\u00e9\u00a0 \u201cBio\u201d  \u2013 500\u2009ml")
    'Café "Bio" - 500 ml'
    """
    text = unicodedata.normalize("NFKC", text).translate(_FOLD_TABLE)
    return " ".join(text.split())


@dataclass
class OOVStats:
    """Counts of what the out-of-vocabulary policy removed."""

    words_seen: int = 0
    words_dropped: int = 0
    chars_seen: int = 0
    chars_dropped: int = 0
    dropped_chars: dict = field(default_factory=dict)

    def merge(self, other: "OOVStats") -> None:
        self.words_seen += other.words_seen
        self.words_dropped += other.words_dropped
        self.chars_seen += other.chars_seen
        self.chars_dropped += other.chars_dropped
        for c, n in other.dropped_chars.items():
            self.dropped_chars[c] = self.dropped_chars.get(c, 0) + n

    def summary(self) -> str:
        top = sorted(self.dropped_chars.items(), key=lambda kv: -kv[1])[:10]
        tops = ", ".join(f"{c!r}x{n}" for c, n in top) or "none"
        wp = 100.0 * self.words_dropped / max(self.words_seen, 1)
        cp = 100.0 * self.chars_dropped / max(self.chars_seen, 1)
        return (
            f"out-of-vocabulary: dropped {self.words_dropped}/{self.words_seen} words ({wp:.2f}%), "
            f"{self.chars_dropped}/{self.chars_seen} characters ({cp:.2f}%); most frequent: {tops}"
        )

    def to_dict(self) -> dict:
        return {
            "words_seen": self.words_seen,
            "words_dropped": self.words_dropped,
            "chars_seen": self.chars_seen,
            "chars_dropped": self.chars_dropped,
            "dropped_chars": dict(sorted(self.dropped_chars.items())),
        }


class Charset:
    """An ordered vocabulary of single characters.

    Args:
        chars: the characters, in id order; duplicates and control characters are refused.
            ``None`` means :data:`DEFAULT_CHARSET`.
    """

    def __init__(self, chars: str | None = None):
        chars = DEFAULT_CHARSET if chars is None else chars
        if not isinstance(chars, str) or not chars:
            raise ValueError(f"A charset is a non-empty string of characters. Received: chars={chars!r}")
        dup = sorted({c for c in chars if chars.count(c) > 1})
        if dup:
            raise ValueError(f"A charset must not repeat characters; repeated: {dup!r}. Received: chars={chars!r}")
        bad = [c for c in chars if unicodedata.category(c).startswith("C") or (c.isspace() and c != " ")]
        if bad:
            raise ValueError(
                f"A charset may hold printable characters and the plain space only; found {bad!r}."
            )
        self.chars = chars
        self._index = {c: i for i, c in enumerate(chars)}
        self._set = frozenset(chars)

    def __len__(self) -> int:
        return len(self.chars)

    def __contains__(self, c: str) -> bool:
        return c in self._set

    def __eq__(self, other) -> bool:
        return isinstance(other, Charset) and other.chars == self.chars

    def __hash__(self) -> int:
        return hash(self.chars)

    def __repr__(self) -> str:
        return f"Charset({len(self)} chars)"

    @property
    def has_space(self) -> bool:
        return " " in self._set

    def index(self, c: str) -> int:
        return self._index[c]

    def indices(self, text: str) -> np.ndarray:
        """Ids (0-based, in charset order) of the non-space characters of ``text``."""
        return np.fromiter((self._index[c] for c in text if c != " "), dtype=np.int32)

    def missing(self, text: str) -> list[str]:
        """Characters of ``text`` outside the vocabulary (spaces count only if the charset lacks them)."""
        return [c for c in text if c not in self._set and not (c == " ")]

    def apply_policy(self, word: str, policy: str, stats: OOVStats | None = None) -> str | None:
        """Apply the out-of-vocabulary ``policy`` to one normalised word or phrase.

        Returns the kept text, or ``None`` when the word is dropped.
        Raises :class:`OutOfVocabularyError` under ``"fail"``.
        """
        if policy not in OOV_POLICIES:
            raise ValueError(f"oov_policy must be one of {OOV_POLICIES}. Received: oov_policy={policy!r}")
        bad = [c for c in word if c not in self._set and c != " "]
        if stats is not None:
            stats.words_seen += 1
            stats.chars_seen += sum(1 for c in word if c != " ")
        if not bad:
            return word
        if stats is not None:
            for c in bad:
                stats.dropped_chars[c] = stats.dropped_chars.get(c, 0) + 1
        if policy == "fail":
            raise OutOfVocabularyError(
                f"Text {word!r} holds characters outside the vocabulary: {sorted(set(bad))!r}. "
                "Add them to the charset, or set oov_policy to 'drop_char' or 'drop_word'."
            )
        if policy == "drop_word":
            if stats is not None:
                stats.words_dropped += 1
                stats.chars_dropped += len(bad)
            return None
        kept = " ".join("".join(c for c in word if c in self._set or c == " ").split())
        if stats is not None:
            stats.chars_dropped += len(bad)
            if not kept:
                stats.words_dropped += 1
        return kept or None
