"""Small built-in lists for surrogate values (common given names, surnames and cities)."""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = (
    "Aaron", "Abigail", "Adrian", "Alice", "Amara", "Andre", "Anna", "Ben", "Bianca", "Carlos",
    "Chloe", "Daniel", "Diana", "Elena", "Emil", "Farah", "Felix", "Grace", "Hannah", "Hugo",
    "Ines", "Ivan", "Jade", "James", "Jonas", "Julia", "Kai", "Karin", "Leo", "Lina", "Lucas",
    "Maya", "Marco", "Mei", "Mila", "Nadia", "Noah", "Nora", "Omar", "Olivia", "Pablo", "Priya",
    "Quinn", "Rafael", "Rosa", "Samir", "Sara", "Sofia", "Tomas", "Uma", "Victor", "Vera",
    "Wei", "Yara", "Yusuf", "Zoe",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Abbott", "Alvarez", "Bauer", "Becker", "Brennan", "Carter", "Castillo", "Chen", "Costa",
    "Dalton", "Diaz", "Dubois", "Eriksen", "Fischer", "Fontaine", "Garcia", "Hansen", "Hughes",
    "Ibrahim", "Ito", "Jensen", "Kaur", "Keller", "Kowalski", "Larsen", "Lopez", "Martin",
    "Meyer", "Moreau", "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Park", "Patel",
    "Quinlan", "Reyes", "Rossi", "Sato", "Schmidt", "Silva", "Singh", "Suzuki", "Tanaka",
    "Torres", "Vargas", "Walsh", "Weber", "Wright", "Yilmaz", "Young", "Zimmermann",
)  # fmt: skip

CITIES: tuple[str, ...] = (
    "Aarhus", "Albany", "Antwerp", "Austin", "Bergen", "Bologna", "Bristol", "Calgary", "Cork",
    "Dresden", "Dundee", "Eindhoven", "Fresno", "Geneva", "Ghent", "Graz", "Halifax", "Kyoto",
    "Leeds", "Lille", "Lyon", "Malmo", "Memphis", "Nantes", "Oslo", "Porto", "Quebec",
    "Reno", "Salzburg", "Seville", "Tampere", "Toledo", "Tucson", "Utrecht", "Valencia",
    "Verona", "Winnipeg", "York", "Zaragoza", "Zurich",
)  # fmt: skip
