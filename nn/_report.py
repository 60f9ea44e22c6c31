"""Error reports of bounded size, for loaders that read whatever a file holds.

A file can hold a million problems, a key a megabyte long or an integer of thousands
of digits; the message about it stays a few kilobytes: each value is shown by a
shortened repr, and a list of problems by its first few lines and a count of the rest.
"""

from __future__ import annotations

import reprlib
from collections.abc import Sequence
from typing import Any

MAX_SHOWN = 20  # problems listed in one message; the rest are counted


class _Short(reprlib.Repr):
    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxstring = 60
        self.maxother = 60
        self.maxlong = 40
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = 6

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 256:  # repr() itself refuses ints of over 4300 digits
            return f"<an integer of {x.bit_length()} bits>"
        return super().repr_int(x, level)


_short = _Short()


def short_repr(x: Any) -> str:
    """`repr(x)`, shortened to at most about 80 characters, for any value.

    >>> short_repr("a" * 1000)
    "'aaaaaaaaaaaaaaaaaaaaaaaaaa...aaaaaaaaaaaaaaaaaaaaaaaaaaaa'"
    >>> short_repr(10**5000), short_repr([1.5, None, "x"])
    ('<an integer of 16610 bits>', "[1.5, None, 'x']")
    """
    try:
        text = _short.repr(x)
    except Exception:  # a user object whose __repr__ fails still gets reported
        text = f"<{type(x).__name__} object>"
    return text if len(text) <= 80 else text[:77] + "..."


def problem_list(problems: Sequence[str]) -> str:
    """The first `MAX_SHOWN` problems, one per indented line, then how many are left.

    >>> print(problem_list([f"p{i}" for i in range(22)]).splitlines()[-2:])
    ['  p19', '  ... and 2 more']
    """
    shown = list(problems[:MAX_SHOWN])
    if len(problems) > MAX_SHOWN:
        shown.append(f"... and {len(problems) - MAX_SHOWN} more")
    return "".join(f"\n  {line}" for line in shown)
