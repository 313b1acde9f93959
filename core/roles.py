"""Role codes of the contract, their groups, and their names in Finnish and Swedish."""

from __future__ import annotations

ROLE_GROUP: dict[str, str] = {
    "toimistosihteeri": "sihteerit",
    "terveyskeskusavustaja": "sihteerit",
    "sairaanhoitaja": "kliiniset",
    "terveydenhoitaja": "kliiniset",
    "lahihoitaja": "kliiniset",
    "laakari": "kliiniset",
    "esihenkilo": "muut",
    "muu": "muut",
}
ROLE_GROUPS: tuple[str, ...] = ("sihteerit", "kliiniset", "muut")

# (Finnish, Swedish) display name of each role code.
ROLE_NAMES: dict[str, tuple[str, str]] = {
    "toimistosihteeri": ("toimistosihteeri", "byråsekreterare"),
    "terveyskeskusavustaja": ("terveyskeskusavustaja", "hälsocentralsassistent"),
    "sairaanhoitaja": ("sairaanhoitaja", "sjukskötare"),
    "terveydenhoitaja": ("terveydenhoitaja", "hälsovårdare"),
    "lahihoitaja": ("lähihoitaja", "närvårdare"),
    "laakari": ("lääkäri", "läkare"),
    "esihenkilo": ("esihenkilö", "förman"),
    "muu": ("muu", "annan"),
}
