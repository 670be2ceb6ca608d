"""The list of countries, from pycountry: current ISO 3166-1 and historic ones."""

from __future__ import annotations

import pycountry

# The names analysts use where pycountry's is formal or inverted ("Russian
# Federation", "USSR, Union of Soviet Socialist Republics").
EVERYDAY_NAMES = {
    "RUS": "Russia",
    "COD": "DR Congo",
    "COG": "Congo",
    "FSM": "Micronesia",
    "PSE": "Palestine",
    "VAT": "Vatican City",
    "VGB": "British Virgin Islands",
    "VIR": "US Virgin Islands",
    "FLK": "Falkland Islands",
    "MAF": "Saint Martin",
    "SXM": "Sint Maarten",
    "CCK": "Cocos Islands",
    "SHN": "Saint Helena",
    "BES": "Caribbean Netherlands",
    "SUN": "Soviet Union",
    "DDR": "East Germany",
    "YUG": "Yugoslavia",
    "CSK": "Czechoslovakia",
    "VDR": "North Vietnam",
    "YMD": "South Yemen",
    "BYS": "Byelorussian SSR",
    "BUR": "Burma",
    "ZAR": "Zaire",
    "SCG": "Serbia and Montenegro",
}


def _name(country) -> str:
    if country.alpha_3 in EVERYDAY_NAMES:
        return EVERYDAY_NAMES[country.alpha_3]
    return getattr(country, "common_name", None) or country.name.split(",")[0].strip()


def country_rows() -> list[dict]:
    """One dict of Country fields per country; historic states (USSR...) flagged."""
    rows = [
        {
            "code": c.alpha_3,
            "alpha2": c.alpha_2,
            "name": _name(c),
            "official_name": getattr(c, "official_name", ""),
            "historic": False,
        }
        for c in pycountry.countries
    ]
    current = {row["code"] for row in rows}
    rows += [
        {
            "code": c.alpha_3,
            "alpha2": "",
            "name": _name(c),
            "official_name": "",
            "historic": True,
        }
        for c in pycountry.historic_countries
        if c.alpha_3 not in current
    ]
    return rows
