"""Write the bundled sample catalog: product titles in the style of retail listings.

Usage: python tools/make_catalog.py [--count 2500] [--out synthgen/data/catalog.txt]

Brands are invented for the project; the mix of quantities, prices, dates and codes follows
what product images and listings show.
"""

import argparse

import numpy as np

BRANDS = [
    "Nordhaven", "Sunvale", "GreenLeaf", "Pure&Co", "Bramblewood", "Kestrel", "Alpina", "Maison Roux",
    "Crisp'n'Go", "Blue Harbor", "Oakridge", "Velora", "TerraNova", "Halcyon", "Frostline", "Rivermill",
    "Goldcrest", "Lumiere", "Copperpot", "Wildroot", "Aurora", "NutriMax", "DailyFresh", "Casa Verde",
    "Pinecone", "Silverbirch", "UrbanChef", "BrightSmile", "AquaPure", "Zestful", "Honeybrook", "Redfield",
    "Tidewater", "Evergreen", "Moonbeam", "Stonegate", "Cloverdale", "Fjord", "Solace", "Mistral",
    "PrimeCut", "Sweetbay", "Brookline", "Arcadia", "Northwind", "Marigold", "Hearthstone", "Quill",
    "BOLT", "ZENITH", "VOLTA", "KORA", "NEXA", "ORBIT", "FLUX", "AXIS", "Dr. Leaf", "Mr. Crumb", "O'Malley's",
    "St. Clair", "J&B Farms", "A1 Select", "X-Treme", "Hi-Vit", "3Peaks", "7Seas", "Ma-Ma's", "Le Petit",
]
GROCERY = [
    ("Greek Yogurt", ["Plain", "Honey", "Vanilla", "Strawberry", "0% Fat"], ["g", "oz"]),
    ("Orange Juice", ["Not From Concentrate", "No Pulp", "With Pulp", "Calcium+"], ["ml", "L", "fl oz"]),
    ("Olive Oil", ["Extra Virgin", "Cold Pressed", "Light", "Organic"], ["ml", "L"]),
    ("Pasta", ["Spaghetti", "Penne Rigate", "Fusilli", "Whole Wheat Linguine"], ["g", "lb"]),
    ("Coffee Beans", ["Dark Roast", "Medium Roast", "Espresso", "Decaf"], ["g", "oz", "kg"]),
    ("Green Tea", ["Jasmine", "Matcha", "Sencha", "Mint"], ["bags", "g"]),
    ("Peanut Butter", ["Crunchy", "Smooth", "No Added Sugar"], ["g", "oz"]),
    ("Granola", ["Almond & Honey", "Berry Crunch", "Gluten-Free", "Cocoa"], ["g", "oz"]),
    ("Sparkling Water", ["Lemon", "Lime", "Grapefruit", "Unflavored"], ["ml", "L", "fl oz"]),
    ("Dark Chocolate", ["70% Cocoa", "85% Cocoa", "Sea Salt", "Orange"], ["g", "oz"]),
    ("Potato Chips", ["Sea Salt", "Salt & Vinegar", "BBQ", "Sour Cream & Onion"], ["g", "oz"]),
    ("Tomato Sauce", ["Basil", "Garlic", "Arrabbiata", "Marinara"], ["g", "oz", "ml"]),
    ("Rice", ["Basmati", "Jasmine", "Brown", "Arborio"], ["kg", "g", "lb"]),
    ("Oat Milk", ["Barista", "Original", "Unsweetened", "Chocolate"], ["ml", "L"]),
    ("Cereal", ["Corn Flakes", "Multigrain", "Choco Rings", "Bran"], ["g", "oz"]),
    ("Honey", ["Raw", "Manuka MGO 250+", "Wildflower", "Acacia"], ["g", "oz"]),
    ("Canned Tuna", ["in Olive Oil", "in Water", "Chunk Light", "Albacore"], ["g", "oz"]),
    ("Energy Drink", ["Original", "Sugar Free", "Tropical", "Zero"], ["ml", "fl oz"]),
    ("Protein Bar", ["Peanut", "Cookie Dough", "Chocolate Brownie", "Lemon"], ["g"]),
    ("Cat Food", ["Salmon", "Chicken", "Indoor Formula", "Kitten"], ["g", "kg", "lb"]),
]
HOUSEHOLD = [
    ("Dish Soap", ["Lemon Fresh", "Ultra Concentrated", "Sensitive"], ["ml", "fl oz", "L"]),
    ("Laundry Detergent", ["Pods", "Liquid", "Color Care", "Free & Clear"], ["L", "ml", "fl oz", "ct"]),
    ("Paper Towels", ["2-Ply", "Select-A-Size", "Double Roll"], ["rolls", "ct"]),
    ("Trash Bags", ["Drawstring", "Heavy Duty", "Scented"], ["ct", "gal"]),
    ("All-Purpose Cleaner", ["Citrus", "Lavender", "Antibacterial"], ["ml", "fl oz"]),
    ("AA Batteries", ["Alkaline", "Rechargeable NiMH", "Long Lasting"], ["pack", "ct"]),
    ("LED Bulb", ["Warm White 2700K", "Daylight 5000K", "Dimmable"], ["W", "pack"]),
]
BEAUTY = [
    ("Shampoo", ["Moisture Repair", "Anti-Dandruff", "Volume", "Argan Oil"], ["ml", "fl oz"]),
    ("Body Lotion", ["Shea Butter", "Aloe Vera", "Unscented", "SPF 15"], ["ml", "fl oz"]),
    ("Toothpaste", ["Whitening", "Sensitive", "Fresh Mint", "Charcoal"], ["g", "ml", "oz"]),
    ("Sunscreen", ["SPF 30", "SPF 50+", "Sport", "Kids"], ["ml", "fl oz"]),
    ("Face Serum", ["Vitamin C", "Hyaluronic Acid 2%", "Retinol 0.5%", "Niacinamide 10%"], ["ml", "fl oz"]),
    ("Deodorant", ["Fresh", "Sport", "Aluminum-Free", "48h"], ["ml", "g"]),
    ("Hand Soap", ["Coconut", "Eucalyptus", "Antibacterial"], ["ml", "fl oz"]),
]
ELECTRONICS = [
    ("USB-C Cable", ["Braided", "Fast Charge 60W", "3A"], ["m", "ft"]),
    ("Wireless Earbuds", ["Noise Cancelling", "Bluetooth 5.3", "Waterproof IPX5"], [""]),
    ("Power Bank", ["10000mAh", "20000mAh", "PD 20W"], [""]),
    ("HDMI Cable", ["4K@60Hz", "8K", "High Speed"], ["m", "ft"]),
    ("microSD Card", ["64GB", "128GB", "256GB", "Class 10 U3"], [""]),
]
CATEGORIES = GROCERY * 3 + HOUSEHOLD + BEAUTY + ELECTRONICS
QTY = {
    "g": [50, 100, 125, 150, 200, 250, 300, 400, 454, 500, 750],
    "kg": [1, 2, 2.5, 5, 10],
    "oz": [1.5, 3.5, 4, 6, 8, 12, 16, 24, 32],
    "lb": [1, 2, 5, 10],
    "ml": [50, 100, 200, 250, 330, 355, 400, 473, 500, 750],
    "L": [1, 1.5, 2, 3, 5],
    "fl oz": [8, 12, 16, 20, 32, 64],
    "bags": [20, 25, 40, 50, 100],
    "ct": [12, 24, 30, 36, 48, 60, 120],
    "rolls": [2, 6, 8, 12],
    "pack": [2, 4, 8, 12, 24],
    "gal": [4, 13, 30],
    "W": [5, 9, 10, 13],
    "m": [0.5, 1, 1.8, 2, 3],
    "ft": [3, 6, 10],
    "": [""],
}
CLAIMS = [
    "NEW!", "Organic", "Non-GMO", "Gluten-Free", "Vegan", "Keto Friendly", "High Protein", "Family Size",
    "Value Pack", "Limited Edition", "BPA-Free", "Recyclable", "Made in USA", "Product of Italy",
    "Fair Trade", "No Artificial Colors", "Low Sodium", "Sugar-Free", "Best Seller", "Eco-Refill",
    "20% OFF", "Buy 1 Get 1", "2 for $5", "Save $1.50", "Kosher", "Halal", "Dermatologist Tested",
    "Cruelty-Free", "Travel Size", "Refill", "Since 1987", "Est. 1952", "Award-Winning", "#1 Brand",
]


def _fmt_num(x, rng):
    if isinstance(x, float) and not x.is_integer():
        s = f"{x:g}"
        return s.replace(".", ",") if rng.random() < 0.15 else s
    return str(int(x)) if isinstance(x, (int, float)) else str(x)


def quantity(unit, rng):
    v = QTY[unit][rng.integers(len(QTY[unit]))]
    if unit == "":
        return ""
    num = _fmt_num(v, rng)
    r = rng.random()
    if r < 0.12:
        return f"{rng.integers(2, 13)}x{num}{unit.replace(' ', '')}"
    if r < 0.5 or " " in unit:
        return f"{num} {unit}"
    return f"{num}{unit}"


def price(rng):
    v = rng.choice([0.99, 1.49, 1.99, 2.49, 2.99, 3.49, 3.99, 4.49, 4.99, 5.99, 7.49, 9.99, 12.99, 19.99, 24.95, 49.0])
    style = rng.random()
    if style < 0.55:
        return f"${v:.2f}"
    if style < 0.75:
        return f"{v:.2f}".replace(".", ",")
    if style < 0.85:
        return f"{v:.2f} EUR".replace(".", ",")
    if style < 0.92:
        return f"\u20ac{v:.2f}".replace(".", ",")  # out-of-vocabulary euro sign, as real exports have
    return f"\u00a3{v:.2f}"


def date(rng):
    m, y, d = rng.integers(1, 13), rng.integers(2025, 2030), rng.integers(1, 29)
    forms = [
        f"EXP {m:02d}/{y}", f"EXP {m:02d}/{y % 100:02d}", f"BEST BEFORE {d:02d}.{m:02d}.{y}",
        f"BB {d:02d}/{m:02d}/{y % 100:02d}", f"USE BY {y}-{m:02d}-{d:02d}", f"Exp. {m:02d}-{y}",
        f"LOT {chr(65 + rng.integers(26))}{rng.integers(1000, 99999)}",
    ]
    return forms[rng.integers(len(forms))]


def code(rng):
    forms = [
        f"SKU {rng.integers(100000, 999999)}", f"UPC {rng.integers(10**11, 10**12 - 1)}",
        f"Item #{rng.integers(1000, 99999)}", f"REF:{chr(65 + rng.integers(26))}{chr(65 + rng.integers(26))}-{rng.integers(100, 9999)}",
        f"Model {chr(65 + rng.integers(26))}{rng.integers(10, 999)}", f"(Pack of {rng.integers(2, 13)})",
    ]
    return forms[rng.integers(len(forms))]


def title(rng):
    brand = BRANDS[rng.integers(len(BRANDS))]
    product, variants, units = CATEGORIES[rng.integers(len(CATEGORIES))]
    variant = variants[rng.integers(len(variants))]
    unit = units[rng.integers(len(units))]
    parts = [brand]
    if rng.random() < 0.7:
        parts += [variant, product]
    else:
        parts += [product, "-", variant]
    q = quantity(unit, rng)
    if q:
        parts.append(q if rng.random() < 0.8 else f"({q})")
    if rng.random() < 0.35:
        parts.append(CLAIMS[rng.integers(len(CLAIMS))])
    if rng.random() < 0.3:
        parts.append(price(rng))
    if rng.random() < 0.2:
        parts.append(date(rng))
    if rng.random() < 0.15:
        parts.append(code(rng))
    t = " ".join(parts)
    if rng.random() < 0.1:
        t = t.upper()
    if rng.random() < 0.08:
        t = t.replace(" - ", ", ")
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--count", type=int, default=2500)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default="synthgen/data/catalog.txt")
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    seen, out = set(), []
    while len(out) < a.count:
        t = title(rng)
        if t not in seen:
            seen.add(t)
            out.append(t)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {len(out)} titles to {a.out}")


if __name__ == "__main__":
    main()
