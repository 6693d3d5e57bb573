"""Product attributes from read text: a table of real-looking strings, OCR confusions, and text without any."""

import pytest

from ocrmodels.attributes import ATTRIBUTE_KINDS, UNITS, attribute_key, extract_attributes

# text -> {kind: [fields of each match]} (only the kinds listed must be found; the others must be empty)
CASES = [
    ("Sparkling Water 500 ml", {"quantity": [{"value": 500.0, "unit": "ml"}]}),
    ("500ml", {"quantity": [{"value": 500.0, "unit": "ml"}]}),
    ("1.5 L", {"quantity": [{"value": 1.5, "unit": "l"}]}),
    ("NET WT 16 OZ (454g)", {"quantity": [{"value": 16.0, "unit": "oz"}, {"value": 454.0, "unit": "g"}]}),
    ("12 fl oz", {"quantity": [{"value": 12.0, "unit": "fl oz"}]}),
    ("2 kg", {"quantity": [{"value": 2.0, "unit": "kg"}]}),
    ("3 lbs", {"quantity": [{"value": 3.0, "unit": "lb"}]}),
    ("24 ct", {"quantity": [{"value": 24.0, "unit": "ct"}]}),
    ("60 count", {"quantity": [{"value": 60.0, "unit": "ct"}]}),
    ("Pack of 6", {"quantity": [{"value": 6.0, "unit": "ct"}]}),
    ("2x100g", {"quantity": [{"value": 100.0, "unit": "g", "count": 2}]}),
    ("6 x 330 ml", {"quantity": [{"value": 330.0, "unit": "ml", "count": 6}]}),
    ("$4.99", {"price": [{"value": 4.99, "currency": "USD"}]}),
    ("4,99 €", {"price": [{"value": 4.99, "currency": "EUR"}]}),
    ("£3", {"price": [{"value": 3.0, "currency": "GBP"}]}),
    ("USD 12.50", {"price": [{"value": 12.5, "currency": "USD"}]}),
    ("EUR 1.299,00", {"price": [{"value": 1299.0, "currency": "EUR"}]}),
    ("99¢", {"price": [{"value": 0.99, "currency": "USD"}]}),
    ("EXP 12/2027", {"date": [{"date": "2027-12", "kind": "expiry"}]}),
    ("Exp. 12/27", {"date": [{"date": "2027-12", "kind": "expiry"}]}),
    ("BEST BEFORE: 2027-12-01", {"date": [{"date": "2027-12-01", "kind": "best_before"}]}),
    ("BB DEC 2027", {"date": [{"date": "2027-12", "kind": "best_before"}]}),
    ("Use by 01 DEC 2027", {"date": [{"date": "2027-12-01", "kind": "use_by"}]}),
    ("MFG 05.03.2026", {"date": [{"date": "2026-03-05", "kind": "manufactured"}]}),
    ("LOT A1234", {"lot": [{"code": "A1234"}]}),
    ("BATCH 27154422", {"lot": [{"code": "27154422"}]}),
    ("Lot No. 7K32X", {"lot": [{"code": "7K32X"}]}),
    ("20% more", {"percentage": [{"value": 20.0, "about": "more"}]}),
    ("20% OFF", {"percentage": [{"value": 20.0, "about": "OFF"}]}),
    ("Organic", {"claim": [{"claim": "organic"}]}),
    ("GLUTEN-FREE", {"claim": [{"claim": "gluten free"}]}),
    # OCR confusions
    ("5OO ml", {"quantity": [{"value": 500.0, "unit": "ml"}]}),
    ("500 mI", {"quantity": [{"value": 500.0, "unit": "ml"}]}),
    ("16 0Z", {"quantity": [{"value": 16.0, "unit": "oz"}]}),
    ("S00 g", {"quantity": [{"value": 500.0, "unit": "g"}]}),
    ("$4.S9", {"price": [{"value": 4.59, "currency": "USD"}]}),
    ("EXP l2/2O27", {"date": [{"date": "2027-12", "kind": "expiry"}]}),
    ("EUR 177 .70", {"price": [{"value": 177.7, "currency": "EUR"}]}),  # a detector split at the point
]

NOTHING = ["12, 13 and 14", "Sparkling Water", "Model 2000 Series", "Windows 7", "Galaxy S10 5G", "Shop now", "4.99", "A1234",
           "Call 555-0134", "", "Room 12", "Oil Soap", "SOS", "Hello World 2"]


@pytest.mark.parametrize("text,expected", CASES)
def test_each_attribute_kind_from_real_looking_strings(text, expected):
    got = extract_attributes(text)
    assert set(got) == set(ATTRIBUTE_KINDS)
    for kind in ATTRIBUTE_KINDS:
        want = expected.get(kind, [])
        if kind == "claim" and kind not in expected:
            continue  # "20% OFF" may also be a claim; claims are checked where listed
        assert len(got[kind]) == len(want), (kind, got[kind])
        for g, w in zip(got[kind], want):
            for k, v in w.items():
                assert g[k] == v, (kind, k, g)
            assert g["text"] and g["text"] in text and g["words"]


@pytest.mark.parametrize("text", NOTHING)
def test_text_without_attributes_gives_empty_fields(text):
    got = extract_attributes(text)
    assert all(got[k] == [] for k in ("quantity", "price", "date", "lot", "percentage")), got


def test_words_are_counted_over_the_lines():
    lines = [["Oat", "Milk"], ["Organic", "1", "L"], ["EXP", "12/2027", "$2.49"]]
    got = extract_attributes(lines)
    assert got["quantity"][0]["words"] == [3, 4] and got["quantity"][0]["value"] == 1.0
    assert got["date"][0]["words"] == [5, 6]
    assert got["price"][0]["words"] == [7]
    assert got["claim"][0]["words"] == [2]
    # the same text as one string (lines at newlines) and as line strings
    assert extract_attributes("Oat Milk\nOrganic 1 L\nEXP 12/2027 $2.49") == got
    assert extract_attributes(["Oat Milk", "Organic 1 L", "EXP 12/2027 $2.49"]) == got


def test_tables_can_be_extended():
    assert extract_attributes("iPhone 15 128 GB")["quantity"] == []
    units = {**UNITS, "GB": ["gb"]}
    q = extract_attributes("iPhone 15 128 GB", units=units)["quantity"]
    assert [(x["value"], x["unit"]) for x in q] == [(128.0, "GB")]


def test_every_attribute_the_scene_generator_draws_is_extracted_from_its_line():
    """The generator's info lines (what scene shards record as ground truth) read back exactly: nothing
    missed, nothing extra, over every kind of line it draws."""
    import numpy as np

    from synthgen.scenes import info_line

    rng = np.random.default_rng(0)
    kinds = set()
    for _ in range(3000):
        line, truth = info_line(rng)
        if len(line) <= 2:
            continue  # the generator's one- and two-character labels: "8G" does read as 8 g
        got = extract_attributes(line)
        found = {attribute_key(k, m) for k, ms in got.items() for m in ms}
        want = {attribute_key(a["kind"], a) for a in truth}
        assert found == want, (line, found, want)
        kinds |= {a["kind"] for a in truth}
    assert kinds == set(ATTRIBUTE_KINDS)
