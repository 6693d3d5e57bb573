"""Product attributes from read text: net quantity, price, dates, lot codes, percentages and claims.

Plain Python (``re``), no model: :func:`extract_attributes` takes what a reader read (lines of
words), a catalog title or another OCR's output, and returns what it finds, each with the words
it came from. It tolerates the usual OCR confusions in numbers (``O``/``o`` for ``0``, ``l``/``I``
for ``1``, ``S`` for ``5``: ``5OO ml`` is 500 ml) and in units (``mI``, ``0Z``), and spaces
between a number and its unit. Text without an attribute gives empty lists, never a guess: a
bare number is no price and a bare code no lot number.

The tables (:data:`UNITS`, :data:`CURRENCIES`, :data:`DATE_KINDS`, :data:`LOT_KEYWORDS`,
:data:`CLAIMS`) are plain dicts and lists: add your own spellings before calling, or pass
edited copies (``units=``, ``currencies=``, ...).
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["ATTRIBUTE_KINDS", "CLAIMS", "CODE_KEYWORDS", "CURRENCIES", "DATE_KINDS", "LOT_KEYWORDS", "NOT_QUANTITIES",
           "UNITS", "attribute_key", "extract_attributes"]

#: the keys of :func:`extract_attributes`' result, in that order.
ATTRIBUTE_KINDS = ("quantity", "price", "date", "lot", "percentage", "claim")

#: canonical unit -> spellings (matched case-insensitively, after a number; OCR confusions included).
UNITS: dict[str, list[str]] = {
    "fl oz": ["fl oz", "fl. oz", "fl.oz", "floz", "fl 0z", "fluid ounces", "fluid ounce"],
    "ml": ["ml", "mI", "m1", "millilitres", "milliliters", "millilitre", "milliliter"],
    "cl": ["cl", "cI"],
    "dl": ["dl"],
    "l": ["l", "ltr", "ltrs", "litres", "liters", "litre", "liter", "lt"],
    "mg": ["mg"],
    "kg": ["kg", "kgs", "kilograms", "kilogram", "kilo"],
    "g": ["g", "gr", "grs", "gram", "grams", "gm", "gms"],
    "oz": ["oz", "0z", "ounces", "ounce"],
    "lb": ["lb", "lbs", "1b", "1bs", "Ib", "Ibs", "pounds", "pound"],
    "ct": ["ct", "count", "pcs", "pc", "pieces", "piece", "tablets", "capsules", "sheets", "rolls", "bags"],
    "m": ["m", "metres", "meters"],
    "cm": ["cm"],
    "mm": ["mm"],
}

#: currency sign or code -> ISO code.
CURRENCIES: dict[str, str] = {
    "US$": "USD", "$": "USD", "USD": "USD", "€": "EUR", "EUR": "EUR", "£": "GBP", "GBP": "GBP", "¥": "JPY",
    "JPY": "JPY", "CHF": "CHF", "C$": "CAD", "CAD": "CAD", "A$": "AUD", "AUD": "AUD", "₹": "INR", "INR": "INR",
    "Rs": "INR", "kr": "SEK", "SEK": "SEK", "zł": "PLN", "PLN": "PLN",
}

#: words that announce a date -> the date's kind.
DATE_KINDS: dict[str, str] = {
    "best before end": "best_before", "best before": "best_before", "best by": "best_before", "bbe": "best_before",
    "bb": "best_before", "use by": "use_by", "use before": "use_by", "expiry date": "expiry", "exp date": "expiry",
    "expiry": "expiry", "expires": "expiry", "exp": "expiry", "ex": "expiry", "mfg date": "manufactured",
    "mfg": "manufactured", "mfd": "manufactured", "manufactured": "manufactured", "prod": "manufactured",
    "packed on": "packed", "packed": "packed", "pkd": "packed", "sell by": "sell_by", "display until": "sell_by",
}

#: words that announce a lot or batch code.
LOT_KEYWORDS: list[str] = ["lot no", "lot nr", "lot", "batch no", "batch", "b/n", "l"]

#: words that announce a product code that is no lot number (its code is then nothing else either).
CODE_KEYWORDS: list[str] = ["ref", "sku", "item no", "item", "model no", "model", "art no", "art", "upc", "ean", "part no",
                            "p/n", "cat no"]

#: number + unit spellings that are no quantity (matched case-sensitively on the whole match): 5G networks.
NOT_QUANTITIES: list[str] = [r"[2-6]G"]

#: claims found as whole words (case-insensitive; a hyphen or a space between their words).
CLAIMS: list[str] = [
    "organic", "gluten free", "sugar free", "fat free", "dairy free", "lactose free", "nut free", "caffeine free",
    "no added sugar", "low fat", "low sugar", "reduced fat", "non gmo", "vegan", "vegetarian", "kosher", "halal",
    "fair trade", "all natural", "natural", "bpa free", "new", "sale", "limited edition", "made in usa",
    "whole grain", "high protein", "keto", "recyclable", "recycled", "2 for 1", "buy one get one free", "bogo",
]

_DIGITLIKE = "0-9OoIlS"
_FIX = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "S": "5"})
# a number: digit-like characters with at least one true digit, optional thousands groups and decimals
_NUMBER = rf"[{_DIGITLIKE}]*[0-9][{_DIGITLIKE}]*(?: ?[.,][{_DIGITLIKE}]+)*"  # "177 .70": a reader's split at the point
_NUM = rf"(?<![\w.,]){_NUMBER}"
_MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_MONTH_RE = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"


def _alternation(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"[\s-]*") for w in sorted(words, key=len, reverse=True))


def _number(text: str) -> float | None:
    """'1,299.00' -> 1299.0, '4,99' -> 4.99, '5OO' -> 500.0 (OCR confusions fixed); None if not a number."""
    t = text.translate(_FIX).replace(" ", "")
    if not re.fullmatch(r"[0-9]+(?:[.,][0-9]+)*", t):
        return None
    seps = [m.start() for m in re.finditer(r"[.,]", t)]
    if not seps:
        return float(t)
    last = seps[-1]
    decimals = len(t) - last - 1
    if len(seps) == 1 and decimals == 3 and t[last] == ",":
        return float(t.replace(",", ""))  # 1,500 (thousands)
    if len(seps) == 1 or t[last] != t[seps[-2]]:
        whole, frac = t[:last], t[last + 1 :]
        return float(re.sub(r"[.,]", "", whole) + "." + frac)
    return float(re.sub(r"[.,]", "", t))  # 1.000.000


class _Line:
    """One line of words, with the character span of each word in the joined text."""

    def __init__(self, words: list[str], first: int):
        self.words, self.first = words, first
        self.text = " ".join(words)
        self.starts, pos = [], 0
        for w in words:
            self.starts.append(pos)
            pos += len(w) + 1

    def word_ids(self, a: int, b: int) -> list[int]:
        return [self.first + i for i, s in enumerate(self.starts) if s < b and s + len(self.words[i]) > a]


def _as_lines(text) -> list[list[str]]:
    if isinstance(text, str):
        return [ln.split() for ln in text.splitlines() if ln.split()]
    lines = list(text)
    if all(isinstance(x, str) for x in lines):
        return [ln.split() for ln in lines if ln.split()]
    return [[str(w) for w in ln] for ln in lines if len(ln)]


def extract_attributes(text, *, units: dict | None = None, currencies: dict | None = None,
                       date_kinds: dict | None = None, lot_keywords: list | None = None,
                       claims: list | None = None) -> dict[str, list[dict]]:
    """Product attributes in ``text``.

    Args:
        text: a string (lines split at newlines, words at spaces), a list of line strings, or a
            list of lines given as lists of words (as :class:`~ocrmodels.Reader` gives them).
        units, currencies, date_kinds, lot_keywords, claims: tables to use instead of the module's.

    Returns:
        ``{kind: [match, ...]}`` for every kind of :data:`ATTRIBUTE_KINDS` (empty lists when
        nothing is found). Every match has ``text`` (as read) and ``words`` (indices of the words
        it came from, counted over all lines in order), plus:

        - quantity: ``value`` (float), ``unit`` (a :data:`UNITS` key), ``count`` (int, for
          multipacks such as ``2x100g`` or ``pack of 6``; else 1);
        - price: ``value``, ``currency`` (ISO code);
        - date: ``date`` (ISO ``YYYY-MM-DD`` or ``YYYY-MM``), ``kind`` (a :data:`DATE_KINDS` value,
          or ``None`` when no word announces it);
        - lot: ``code``;
        - percentage: ``value``, ``about`` (the words after it, e.g. ``"more"``; may be empty);
        - claim: ``claim`` (a :data:`CLAIMS` entry).
    """
    units = UNITS if units is None else units
    currencies = CURRENCIES if currencies is None else currencies
    date_kinds = DATE_KINDS if date_kinds is None else date_kinds
    lot_keywords = LOT_KEYWORDS if lot_keywords is None else lot_keywords
    claims = CLAIMS if claims is None else claims

    unit_of = {}
    for canon, spellings in units.items():
        for s in [canon] + list(spellings):
            unit_of.setdefault(re.sub(r"[\s.]", "", s).lower(), canon)
    unit_re = _alternation({s for canon, sp in units.items() for s in [canon] + list(sp)})
    cur_re = _alternation(currencies)
    cur_of = {k.lower(): v for k, v in currencies.items()}
    kind_re = _alternation(date_kinds)
    kind_of = {re.sub(r"[\s-]+", " ", k.lower()): v for k, v in date_kinds.items()}
    lot_re = _alternation(lot_keywords)
    claim_re = _alternation(claims)
    claim_of = {re.sub(r"[\s-]+", " ", c.lower()): c for c in claims}

    multipack = re.compile(rf"(?<!\w)(\d{{1,3}})\s*[xX×]\s*({_NUMBER})\s*({unit_re})(?![a-zA-Z])", re.I)
    pack_of = re.compile(r"(?<![\w.,])(?:pack\s+of\s+(\d{1,4})|(\d{1,4})\s*-?\s*(?:pack|pk)\b)", re.I)
    quantity = re.compile(rf"({_NUM})\s*({unit_re})(?![a-zA-Z0-9])", re.I)
    price_before = re.compile(rf"(?<![A-Za-z])({cur_re})\s*({_NUM})(?![0-9])", re.I)
    price_after = re.compile(rf"({_NUM})\s*({cur_re})(?![A-Za-z])", re.I)
    cents = re.compile(rf"({_NUM})\s*¢")
    kind_word = re.compile(rf"(?<![A-Za-z])({kind_re})(?![A-Za-z])\.?\s*[:.]?\s*$", re.I)
    d = rf"[{_DIGITLIKE}]"
    date_patterns = [
        ("ymd", re.compile(rf"(?<![\w.])({d}{{4}})[-/.]({d}{{1,2}})[-/.]({d}{{1,2}})(?![\w])")),
        ("dmy", re.compile(rf"(?<![\w.])({d}{{1,2}})[-/.]({d}{{1,2}})[-/.]({d}{{4}}|{d}{{2}})(?![\w])")),
        ("my", re.compile(rf"(?<![\w./])({d}{{1,2}})[-/.]({d}{{4}})(?![\w])")),
        ("dMy", re.compile(rf"(?<![\w])({d}{{1,2}})\s*[-/ ]?\s*({_MONTH_RE})\s*[-/ ,]?\s*({d}{{4}}|{d}{{2}})(?![\w])", re.I)),
        ("Mdy", re.compile(rf"(?<![\w])({_MONTH_RE})\s*({d}{{1,2}}),?\s+({d}{{4}})(?![\w])", re.I)),
        ("My", re.compile(rf"(?<![\w])({_MONTH_RE})\s*[-/ ,]?\s*({d}{{4}}|'?{d}{{2}})(?![\w])", re.I)),
        ("my2", re.compile(rf"(?<![\w./])({d}{{2}})/({d}{{2}})(?![\w/])")),
    ]
    lot_pat = re.compile(rf"(?<![A-Za-z0-9])({lot_re})\s*(?:#|no\.?|nr\.?)?\s*[:#.]?\s*([A-Z0-9][A-Z0-9\-/]{{2,}})(?![\w])", re.I)
    percent = re.compile(rf"({_NUM})\s*%((?:\s+[A-Za-z][A-Za-z-]*){{0,2}})")
    claim_pat = re.compile(rf"(?<![\w])({claim_re})(?![\w])", re.I)
    code_pat = re.compile(rf"(?<![A-Za-z0-9])(?:{_alternation(CODE_KEYWORDS)})\.?\s*[:#.]?\s*[A-Za-z0-9][\w\-/.]*", re.I)

    out: dict[str, list[dict]] = {k: [] for k in ATTRIBUTE_KINDS}
    first = 0
    for words in _as_lines(text):
        ln = _Line(words, first)
        first += len(words)
        t = ln.text
        taken: list[tuple[int, int]] = []

        def free(a, b):
            return all(b <= x or a >= y for x, y in taken)

        taken += [m.span() for m in code_pat.finditer(t) if re.search(r"\d", m.group(0))]  # "SKU 7253573M" is a code

        def add(what, m_span, **fields):
            a, b = m_span
            out[what].append({"text": t[a:b], "words": ln.word_ids(a, b), **fields})

        # quantities: multipacks first, then number + unit
        for m in multipack.finditer(t):
            v = _number(m.group(2))
            if v is not None:
                taken.append(m.span())
                add("quantity", m.span(), value=v, unit=unit_of[re.sub(r"[\s.]", "", m.group(3)).lower()],
                    count=int(m.group(1)))
        for m in pack_of.finditer(t):
            if free(*m.span()):
                taken.append(m.span())
                add("quantity", m.span(), value=float(m.group(1) or m.group(2)), unit="ct", count=1)
        # prices before quantities: "$4.99" must not become a quantity
        for pat, num_group, cur_group in ((price_before, 2, 1), (price_after, 1, 2)):
            for m in pat.finditer(t):
                if not free(*m.span()):
                    continue
                v = _number(m.group(num_group))
                if v is None:
                    continue
                taken.append(m.span())
                add("price", m.span(), value=v, currency=cur_of[m.group(cur_group).lower()])
        for m in cents.finditer(t):
            v = _number(m.group(1))
            if v is not None and free(*m.span()):
                taken.append(m.span())
                add("price", m.span(), value=round(v / 100, 2), currency="USD")
        # dates (before quantities: "12.2027" is no 12.2027 of anything)
        for style, pat in date_patterns:
            for m in pat.finditer(t):
                if not free(*m.span()):
                    continue
                iso = _date(style, m.groups())
                if iso is None:
                    continue
                kind = None
                k = kind_word.search(t[: m.start()])
                if k:
                    kind = kind_of.get(re.sub(r"[\s-]+", " ", k.group(1).lower()))
                elif style == "my2":
                    continue  # "12/27" alone could be anything
                start = k.start() if k else m.start()
                taken.append((start, m.end()))
                add("date", (start, m.end()), date=iso, kind=kind)
        for m in quantity.finditer(t):
            if not free(*m.span()):
                continue
            v = _number(m.group(1))
            unit = unit_of.get(re.sub(r"[\s.]", "", m.group(2)).lower())
            if v is None or unit is None or any(re.fullmatch(p, m.group(0)) for p in NOT_QUANTITIES):
                continue
            if unit == "ct" and v != int(v):
                continue  # "3.4 pcs" is no count
            taken.append(m.span())
            add("quantity", m.span(), value=v, unit=unit, count=1)
        for m in lot_pat.finditer(t):
            code = m.group(2)
            kw = m.group(1).lower()
            if not free(*m.span()) or not re.search(r"\d", code):
                continue
            if kw == "l" and (t[m.end(1): m.end(1) + 1].isalnum() or not re.search(r"\d", code[:2])):
                continue  # a lone "L" counts only as "L 1234", "L.1234" or "L:1234"
            taken.append(m.span())
            add("lot", m.span(), code=code.upper().translate(str.maketrans({"O": "0"})) if code.isdigit() else code.upper())
        for m in percent.finditer(t):
            v = _number(m.group(1))
            if v is None:
                continue
            about = m.group(2).strip()
            add("percentage", m.span() if about else (m.start(), m.start(2)), value=v, about=about)
        for m in claim_pat.finditer(t):
            add("claim", m.span(), claim=claim_of.get(re.sub(r"[\s-]+", " ", m.group(1).lower()), m.group(1).lower()))
    return out


def attribute_key(kind: str, match: dict) -> tuple:
    """What identifies an attribute for comparing two sets of them (evaluation): its kind and parsed
    values (quantity: value, unit, count; price: value, currency; date: date, kind of date; lot:
    code; percentage: value; claim: claim). Takes :func:`extract_attributes`' matches and the scene
    generator's records (``date_kind`` there, ``kind`` here)."""
    if kind == "quantity":
        return kind, round(float(match["value"]), 4), match["unit"], int(match.get("count", 1))
    if kind == "price":
        return kind, round(float(match["value"]), 2), match["currency"]
    if kind == "date":
        return kind, match["date"], match.get("date_kind", match.get("kind"))
    if kind == "lot":
        return kind, str(match["code"]).upper()
    if kind == "percentage":
        return kind, round(float(match["value"]), 4)
    if kind == "claim":
        return kind, match["claim"]
    raise ValueError(f"kind must be one of {ATTRIBUTE_KINDS}. Received: kind={kind!r}")


def _date(style: str, g) -> str | None:
    """ISO date from a matched pattern's groups; ``None`` if it is no valid date (month 13, year 1850)."""
    def num(s):
        v = _number(s.lstrip("'"))
        return None if v is None else int(v)

    def year(s):
        y = num(s)
        if y is None:
            return None
        y = y + 2000 if y < 100 else y
        return y if 1990 <= y <= 2099 else None

    try:
        if style == "ymd":
            y, m, dd = year(g[0]), num(g[1]), num(g[2])
        elif style == "dmy":
            a, b, y = num(g[0]), num(g[1]), year(g[2])
            if a is None or b is None:
                return None
            dd, m = (a, b) if b <= 12 else (b, a)  # day first unless the second cannot be a month
        elif style in ("my", "my2"):
            m, y, dd = num(g[0]), year(g[1]), None
        elif style == "dMy":
            dd, m, y = num(g[0]), _MONTHS.get(g[1][:3].lower()), year(g[2])
        elif style == "Mdy":
            m, dd, y = _MONTHS.get(g[0][:3].lower()), num(g[1]), year(g[2])
        else:  # My
            m, y, dd = _MONTHS.get(g[0][:3].lower()), year(g[1]), None
        if y is None or m is None or not 1 <= m <= 12:
            return None
        if dd is None:
            return f"{y:04d}-{m:02d}"
        return date(y, m, dd).isoformat()
    except (ValueError, TypeError):
        return None
