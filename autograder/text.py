"""Student-supplied text made safe for the places an instructor reads it."""

from __future__ import annotations

import unicodedata

# Categories a terminal or a spreadsheet may act on instead of showing: control
# characters (escape sequences, carriage returns), format characters
# (bidirectional overrides), line and paragraph separators.
HIDDEN = {"Cc", "Cf", "Zl", "Zp"}
FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet starts a formula with


def printable(text: object, limit: int = 300) -> str:
    """``text`` for a terminal: every control or format character shown as its
    escape (``\\x1b``, ``\\u202e``), and at most ``limit`` characters."""
    shown = "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in HIDDEN else ch
        for ch in str(text)
    )
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def spreadsheet_cell(text: str) -> str:
    """``text`` for a CSV cell a spreadsheet will not run as a formula (OWASP's
    advice: a leading quote before a formula character)."""
    return "'" + text if text.startswith(FORMULA) else text
