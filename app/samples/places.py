"""Chicago and suburban addresses.

Streets are kept as (direction, name, type) so each agency can spell them its
own way ('S HALSTED ST', 'SOUTH HALSTED STREET'): address comparison must cope
with that, and with the same house number appearing on different streets.
"""

from __future__ import annotations

CHICAGO_STREETS: tuple[tuple[str, str, str], ...] = (
    ("S", "HALSTED", "ST"), ("W", "MADISON", "ST"), ("N", "ASHLAND", "AVE"),
    ("W", "63RD", "ST"), ("S", "COTTAGE GROVE", "AVE"), ("N", "MILWAUKEE", "AVE"),
    ("W", "CERMAK", "RD"), ("S", "PULASKI", "RD"), ("W", "NORTH", "AVE"),
    ("W", "DIVISION", "ST"), ("W", "CHICAGO", "AVE"), ("W", "79TH", "ST"),
    ("S", "STATE", "ST"), ("N", "CLARK", "ST"), ("N", "BROADWAY", ""),
    ("W", "BELMONT", "AVE"), ("W", "FULLERTON", "AVE"), ("W", "ROOSEVELT", "RD"),
    ("S", "KEDZIE", "AVE"), ("N", "CICERO", "AVE"), ("S", "WESTERN", "AVE"),
    ("W", "IRVING PARK", "RD"), ("W", "LAWRENCE", "AVE"), ("W", "47TH", "ST"),
    ("W", "55TH", "ST"), ("S", "ASHLAND", "AVE"), ("S", "RACINE", "AVE"),
    ("S", "DAMEN", "AVE"), ("W", "26TH", "ST"), ("W", "18TH", "ST"),
    ("S", "MICHIGAN", "AVE"), ("S", "KING", "DR"), ("E", "75TH", "ST"),
    ("E", "87TH", "ST"), ("S", "STONY ISLAND", "AVE"), ("S", "PRAIRIE", "AVE"),
    ("W", "GARFIELD", "BLVD"), ("W", "JACKSON", "BLVD"), ("W", "OGDEN", "AVE"),
    ("N", "KOSTNER", "AVE"), ("N", "LARAMIE", "AVE"), ("N", "CENTRAL PARK", "AVE"),
    ("W", "AUGUSTA", "BLVD"), ("W", "ARMITAGE", "AVE"), ("N", "HALSTED", "ST"),
    ("S", "CALIFORNIA", "AVE"), ("W", "103RD", "ST"), ("S", "VINCENNES", "AVE"),
    ("W", "HARRISON", "ST"), ("N", "SHERIDAN", "RD"), ("W", "HOWARD", "ST"),
    ("W", "DEVON", "AVE"), ("N", "KEDZIE", "AVE"), ("S", "HOMAN", "AVE"),
    ("W", "71ST", "ST"), ("S", "WENTWORTH", "AVE"), ("S", "COMMERCIAL", "AVE"),
    ("E", "79TH", "ST"), ("S", "EXCHANGE", "AVE"), ("W", "59TH", "ST"),
)  # fmt: skip
SUBURB_STREETS: tuple[tuple[str, str, str], ...] = (
    ("", "MAIN", "ST"), ("", "LINCOLN", "AVE"), ("", "WASHINGTON", "ST"),
    ("", "OAK", "ST"), ("", "MAPLE", "AVE"), ("W", "SIBLEY", "BLVD"),
    ("", "HALSTED", "ST"), ("S", "CICERO", "AVE"), ("W", "159TH", "ST"),
    ("W", "147TH", "ST"), ("S", "KEDZIE", "AVE"), ("", "PULASKI", "RD"),
    ("", "WESTERN", "AVE"), ("", "DIXIE", "HWY"), ("", "TORRENCE", "AVE"),
    ("", "STATE", "ST"), ("", "CENTER", "ST"), ("", "PARK", "AVE"),
    ("", "ELM", "ST"), ("", "JACKSON", "ST"), ("", "CHICAGO", "RD"),
    ("", "LINCOLN", "HWY"), ("", "BROADWAY", ""), ("", "HARLEM", "AVE"),
    ("", "RIDGELAND", "AVE"), ("", "CERMAK", "RD"), ("", "OGDEN", "AVE"),
    ("", "RIDGE", "RD"), ("", "VINCENNES", "RD"), ("", "CHERRY", "LN"),
)  # fmt: skip

# (city, ZIPs, weight). Chicago dominates a county caseload.
CITIES: tuple[tuple[str, tuple[str, ...], float], ...] = (
    (
        "CHICAGO",
        tuple(f"606{n:02d}" for n in range(1, 62) if n not in (35, 48, 50, 58)),
        70.0,
    ),
    ("HARVEY", ("60426",), 2.0),
    ("DOLTON", ("60419",), 1.6),
    ("CALUMET CITY", ("60409",), 1.6),
    ("CHICAGO HEIGHTS", ("60411",), 1.5),
    ("BLUE ISLAND", ("60406",), 1.2),
    ("BERWYN", ("60402",), 1.5),
    ("MARKHAM", ("60428",), 1.0),
    ("JOLIET", ("60432", "60435", "60436"), 2.5),
    ("OAK LAWN", ("60453",), 1.3),
    ("LANSING", ("60438",), 0.9),
    ("SOUTH HOLLAND", ("60473",), 0.9),
    ("PARK FOREST", ("60466",), 0.8),
    ("HAZEL CREST", ("60429",), 0.7),
    ("COUNTRY CLUB HILLS", ("60478",), 0.7),
    ("TINLEY PARK", ("60477",), 0.8),
    ("ORLAND PARK", ("60462",), 0.7),
    ("BOLINGBROOK", ("60440",), 0.9),
    ("ROMEOVILLE", ("60446",), 0.6),
    ("OAK FOREST", ("60452",), 0.5),
    ("BURBANK", ("60459",), 0.6),
    ("LOCKPORT", ("60441",), 0.4),
    ("MATTESON", ("60443",), 0.5),
)

STREET_TYPE_LONG: dict[str, str] = {
    "ST": "STREET",
    "AVE": "AVENUE",
    "RD": "ROAD",
    "BLVD": "BOULEVARD",
    "DR": "DRIVE",
    "HWY": "HIGHWAY",
    "LN": "LANE",
}
DIRECTION_LONG: dict[str, str] = {"N": "NORTH", "S": "SOUTH", "E": "EAST", "W": "WEST"}
