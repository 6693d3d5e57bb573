import string

import pytest

from synthgen.charset import DEFAULT_CHARSET, Charset, OOVStats, OutOfVocabularyError, normalize_text


def test_default_charset_is_the_92_documented_characters():
    assert len(DEFAULT_CHARSET) == 92
    assert set(DEFAULT_CHARSET) == set(string.digits + string.ascii_letters + string.punctuation) - {"\\", "`"}
    assert Charset().chars == DEFAULT_CHARSET


def test_normalize_folds_typography_and_whitespace():
    assert normalize_text("  Caf\u00e9\u00a0 \u201cBio\u201d \u2013 500\u2009ml ") == 'Café "Bio" - 500 ml'
    assert normalize_text("\uff21\uff22") == "AB"  # NFKC full-width


@pytest.mark.parametrize(
    "policy,expected",
    [("drop_char", "4,99"), ("drop_word", None)],
)
def test_oov_policies(policy, expected):
    stats = OOVStats()
    assert Charset().apply_policy("\u20ac4,99", policy, stats) == expected
    assert stats.chars_dropped == 1 and stats.dropped_chars == {"\u20ac": 1}
    assert stats.words_dropped == (1 if policy == "drop_word" else 0)
    assert "dropped" in stats.summary()


def test_oov_fail_names_the_characters():
    with pytest.raises(OutOfVocabularyError, match="'£'"):
        Charset().apply_policy("£5", "fail")


def test_custom_charset_and_bad_charsets():
    cs = Charset("ab ")
    assert cs.has_space and cs.indices("a b").tolist() == [0, 1]
    with pytest.raises(ValueError, match="repeat"):
        Charset("aa")
    with pytest.raises(ValueError, match="non-empty"):
        Charset("")
    with pytest.raises(ValueError, match="printable"):
        Charset("a\tb")
    with pytest.raises(ValueError, match="oov_policy"):
        Charset().apply_policy("x", "ignore")
