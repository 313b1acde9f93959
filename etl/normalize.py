"""Folding of headers and coded values as the data contract defines it."""

from __future__ import annotations

import re
import unicodedata

_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a", "Ä": "a", "Ö": "o", "Å": "a"})
_SEP = re.compile(r"[\s\-]+")


def fold(value: str) -> str:
    """Fold a header or coded value: trim, lower case, ä/ö/å→a/o/a, spaces and hyphens→_."""
    text = unicodedata.normalize("NFC", value).replace("\ufeff", "").strip().lower().translate(_FOLD)
    return _SEP.sub("_", text)
