import json

import numpy as np
import pytest

from synthgen.charset import Charset
from synthgen.text import TextSource, default_catalog_path, load_catalog


def test_bundled_catalog_is_realistic_and_large():
    titles = load_catalog(default_catalog_path())
    assert len(titles) >= 2000
    joined = "\n".join(titles)
    for needle in ("500ml", " oz", "$4.99", "EXP ", "SKU "):
        assert needle in joined


def test_formats(tmp_path):
    (tmp_path / "a.txt").write_text("Milk 1L\n\n  Bread 500g \n", encoding="utf-8")
    assert load_catalog(tmp_path / "a.txt") == ["Milk 1L", "Bread 500g"]
    (tmp_path / "a.csv").write_text('sku,name\n1,"Tea, green 20 bags"\n2,Cola 330ml\n', encoding="utf-8")
    assert load_catalog(tmp_path / "a.csv", column="name") == ["Tea, green 20 bags", "Cola 330ml"]
    (tmp_path / "a.jsonl").write_text(json.dumps({"title": "Soap 250ml"}) + "\n" + json.dumps({"x": 1}) + "\n", encoding="utf-8")
    assert load_catalog(tmp_path / "a.jsonl") == ["Soap 250ml"]


def test_bad_catalogs_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        load_catalog(tmp_path / "nope.txt")
    (tmp_path / "empty.txt").write_text("\n \n")
    with pytest.raises(ValueError, match="empty.txt.*no text"):
        load_catalog(tmp_path / "empty.txt")
    (tmp_path / "a.csv").write_text("sku,name\n1,x\n")
    with pytest.raises(ValueError, match="no column 'title'.*'sku', 'name'"):
        load_catalog(tmp_path / "a.csv")
    (tmp_path / "a.parquet").write_bytes(b"PAR1")
    with pytest.raises(ValueError, match="Unknown catalog format"):
        load_catalog(tmp_path / "a.parquet")
    (tmp_path / "bad.jsonl").write_text("{not json}\n")
    with pytest.raises(ValueError, match="line 1"):
        load_catalog(tmp_path / "bad.jsonl")


def test_words_capped_and_in_vocabulary():
    titles = ["Supercalifragilisticexpialidocious-Extra-Long 5\u20ac", "Tea 20 bags \u00a32.50"]
    src = TextSource(titles, Charset(), max_length=25)
    rng = np.random.default_rng(0)
    words = {src.sample(rng) for _ in range(200)}
    assert words == {"5", "Tea", "20", "bags", "2.50"}
    assert src.too_long == 1 and src.oov.chars_dropped == 2
    assert "2/" in src.report() and "1 words longer than 25" in src.report()


def test_length_distributions():
    titles = ["a bb ccc dddd " + " ".join(["x"] * 50)]
    rng = np.random.default_rng(1)
    nat = TextSource(titles, Charset())
    uni = TextSource(titles, Charset(), length_distribution="uniform")
    n_nat = [len(nat.sample(rng)) for _ in range(2000)]
    n_uni = [len(uni.sample(rng)) for _ in range(2000)]
    assert np.mean(np.array(n_nat) == 1) > 0.85  # 'x' dominates naturally
    assert 0.2 < np.mean(np.array(n_uni) == 1) < 0.3  # four lengths, equally often
    w = [0, 0, 0, 1] + [0] * 21
    only4 = TextSource(titles, Charset(), length_distribution=w)
    assert {only4.sample(rng) for _ in range(20)} == {"dddd"}
    with pytest.raises(ValueError, match="25 non-negative weights"):
        TextSource(titles, Charset(), length_distribution=[1, 2])


def test_sampling_is_deterministic():
    src = TextSource(load_catalog(default_catalog_path()), Charset())
    a = [src.sample(np.random.default_rng(5)) for _ in range(3)]
    b = [src.sample(np.random.default_rng(5)) for _ in range(3)]
    assert a == b


def test_phrases_need_a_space_in_the_charset():
    with pytest.raises(ValueError, match="space"):
        TextSource(["Milk 1 L"], Charset(), phrase_prob=0.5)
    src = TextSource(["Whole Milk 1L"], Charset(Charset().chars + " "), phrase_prob=1.0)
    rng = np.random.default_rng(0)
    assert {src.sample(rng) for _ in range(50)} <= {"Whole Milk", "Milk 1L", "Whole Milk 1L"}


def test_unusable_catalog_is_an_error():
    with pytest.raises(ValueError, match="No usable word"):
        TextSource(["\u20ac\u20ac \u00a3"], Charset(), oov_policy="drop_word")


def test_case_weights_recase_and_default_draws_are_unchanged():
    cs = Charset()
    titles = ["Fresh Milk 500ml", "Dark Chocolate Bar"]
    plain = TextSource(titles, cs)
    same = TextSource(titles, cs, case_weights=[1, 0, 0, 0], random_text_prob=0.0)
    r1, r2 = np.random.default_rng(3), np.random.default_rng(3)
    assert [plain.sample(r1) for _ in range(50)] == [same.sample(r2) for _ in range(50)]
    upper = TextSource(titles, cs, case_weights=[0, 1, 0, 0])
    rng = np.random.default_rng(0)
    out = [upper.sample(rng) for _ in range(50)]
    assert all(t == t.upper() for t in out) and any(t != t.lower() for t in out)
    mixed = TextSource(titles, cs, case_weights=[1, 1, 1, 1])
    rng = np.random.default_rng(0)
    out = {mixed.sample(rng) for _ in range(400)}
    assert {"MILK", "milk", "Milk", "500ML", "500ml"} <= out
    with pytest.raises(ValueError, match="case_weights"):
        TextSource(titles, cs, case_weights=[1, 0])


def test_random_text_uses_the_charset_and_catalog_lengths():
    cs = Charset()
    titles = ["abc defgh"]
    src = TextSource(titles, cs, random_text_prob=1.0)
    rng = np.random.default_rng(0)
    out = [src.sample(rng) for _ in range(300)]
    assert {len(t) for t in out} == {3, 5}
    assert all(c in cs and c != " " for t in out for c in t)
    assert len(set("".join(out))) > 60  # characters drawn across the whole vocabulary
    with pytest.raises(ValueError, match="random_text_prob"):
        TextSource(titles, cs, random_text_prob=1.5)


def test_punctuation_is_attached_as_signs_write_it():
    from synthgen.text import PUNCTUATION_AROUND, PUNCTUATION_LEADING, PUNCTUATION_TRAILING

    cs = Charset()
    titles = ["Fresh Milk", "Dark Chocolate"]
    words = {"Fresh", "Milk", "Dark", "Chocolate"}
    plain, off = TextSource(titles, cs), TextSource(titles, cs, punctuation_prob=0.0)
    r1, r2 = np.random.default_rng(5), np.random.default_rng(5)
    assert [plain.sample(r1) for _ in range(50)] == [off.sample(r2) for _ in range(50)]  # off: same draws
    src = TextSource(titles, cs, punctuation_prob=1.0)
    rng = np.random.default_rng(0)
    out = [src.sample(rng) for _ in range(600)]
    kinds = {"after": 0, "before": 0, "around": 0}
    for t in out:
        w = next(w for w in words if w in t)
        before, after = t[: t.index(w)], t[t.index(w) + len(w):]
        if before and after:
            assert (before, after) in PUNCTUATION_AROUND
            kinds["around"] += 1
        elif after:
            assert after in PUNCTUATION_TRAILING
            kinds["after"] += 1
        else:
            assert before in PUNCTUATION_LEADING
            kinds["before"] += 1
    assert all(120 < n < 280 for n in kinds.values()), kinds  # each kind about a third
    assert {"Milk!", "(Dark)"} <= set(out)
    half = TextSource(titles, cs, punctuation_prob=0.5)
    rng = np.random.default_rng(1)
    share = np.mean([half.sample(rng) not in words for _ in range(1000)])
    assert 0.42 < share < 0.58
    # marks outside the charset are not drawn; nothing grows past max_length
    letters = TextSource(titles, Charset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!"), punctuation_prob=1.0,
                         max_length=9)
    rng = np.random.default_rng(2)
    out = [letters.sample(rng) for _ in range(300)]
    assert "Milk!" in out and all(set(t) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!") for t in out)
    assert "Chocolate" in out and "Chocolate!" not in out and all(len(t) <= 9 for t in out)
    with pytest.raises(ValueError, match="punctuation_prob"):
        TextSource(titles, cs, punctuation_prob=1.5)


def test_apostrophes_are_given_as_brand_names_write_them():
    from synthgen.text import APOSTROPHE_PREFIXES

    cs = Charset()
    titles = ["Levi jeans", "GLASS dress", "12 $4.99 Crisp'n'Go"]
    plain, off = TextSource(titles, cs), TextSource(titles, cs, apostrophe_prob=0.0)
    r1, r2 = np.random.default_rng(5), np.random.default_rng(5)
    assert [plain.sample(r1) for _ in range(50)] == [off.sample(r2) for _ in range(50)]  # off: same draws
    src = TextSource(titles, cs, apostrophe_prob=1.0)
    rng = np.random.default_rng(0)
    out = [src.sample(rng) for _ in range(800)]
    possessive = prefixed = 0
    for t in out:
        if t in ("12", "$4.99", "Crisp'n'Go"):  # no word, or one with an apostrophe already: as it is
            continue
        head, _, tail = t.partition("'")
        if head.upper() in [p[:-1] for p in APOSTROPHE_PREFIXES] and tail in ("Levi", "jeans", "GLASS", "dress"):
            prefixed += 1
            assert head.isupper() == tail[0].isupper(), t  # L'GLASS, O'Levi, l'jeans
        else:
            possessive += 1
            assert head in ("Levi", "jeans", "GLASS", "dress"), t
            want = "" if head.endswith("s") or head.endswith("S") else ("S" if head.isupper() else "s")
            assert tail == want, t  # Levi's, GLASS', jeans', dress'
    assert 0.65 < possessive / (possessive + prefixed) < 0.85
    assert {"Levi's", "jeans'", "GLASS'"} <= set(out) and {"12", "Crisp'n'Go"} <= set(out)
    # not past max_length, not without ' in the charset
    short = TextSource(["Levi", "Chocolate"], cs, apostrophe_prob=1.0, max_length=9)
    rng = np.random.default_rng(3)
    assert "Chocolate" in {short.sample(rng) for _ in range(100)}
    bare = TextSource(titles, Charset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"), apostrophe_prob=1.0)
    rng = np.random.default_rng(4)
    assert not any("'" in bare.sample(rng) for _ in range(100))
    with pytest.raises(ValueError, match="apostrophe_prob"):
        TextSource(titles, cs, apostrophe_prob=-0.1)
