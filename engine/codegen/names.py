"""Names and text for generated code: identifiers given out once, escaped comments.

Labels never become code. A name is taken from a label only when the label (with
dots as underscores) is a plain ASCII identifier that is no keyword, builtin or
helper and that nothing else in the function uses; anything shown from a label is
a quoted, escaped string literal inside a comment.
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
from collections.abc import Iterable
from itertools import count

__all__ = [
    "HELPERS",
    "NEVER",
    "Names",
    "OutsideDomain",
    "check_name",
    "label_text",
    "literal",
    "plain",
    "quoted",
]

HELPERS = ("math", "NAN", "OutsideDomain", "on_graph")
"""Globals every generated function may use (besides the builtins)."""
NEVER = (
    frozenset(keyword.kwlist)
    | frozenset(keyword.softkwlist)
    | frozenset(dir(builtins))
    | frozenset(HELPERS)
)
"""Names no generated variable ever gets, so none shadows a global the code uses."""
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def plain(text: object) -> str | None:
    """`text` as an exact `str` (its characters, whatever its class), or None.

    Everything that reaches generated code goes through here first: a subclass of
    `str` may redefine `__repr__`, `__format__`, `replace` or `__eq__` to return
    code, and only the characters themselves are ever used. Objects that are not
    strings (bytes included) give None: the caller generates a name instead.

    >>> class Sly(str):
    ...     def __repr__(self) -> str:
    ...         return "__import__('os')"
    >>> type(plain(Sly("x"))), plain(Sly("x")), plain(b"x")
    (<class 'str'>, 'x', None)
    """
    return str.__str__(text) if isinstance(text, str) else None


def label_text(label: object, data: float) -> str:
    """A node's label as a plain `str`; a TypeError (as `Value(1.0, 123)` gives) if it
    is not a string, set by hand (`y.label = 123`).

    >>> label_text("h", 1.0)
    'h'
    """
    text = plain(label)
    if text is None:
        raise TypeError(
            f"the label of the node with data {data!r} must be a str, got {quoted(label)}"
        )
    return text


class OutsideDomain(ValueError):
    """Raised by a generated guard where the graph would raise: the caller rebuilds it."""


class Names:
    """The identifiers of one generated function, each given out once.

    Never a keyword, a builtin or a helper (`math`, `NAN`, ...), so no variable
    shadows a global the code uses, and never the same name twice.

    >>> names = Names()
    >>> names.from_label("L1.n0.w0"), names.from_label("h + i"), names.fresh("t")
    ('L1_n0_w0', None, 't1')
    >>> names.from_label("L1.n0.w0"), names.grad("L1_n0_w0")
    ('L1_n0_w0_2', 'd_L1_n0_w0')
    """

    def __init__(self, globals_: Iterable[str] = (), fixed: Iterable[str] = ()) -> None:
        # fixed: the code's own variables; globals: module-level names (the function's)
        self.taken: set[str] = set(NEVER) | set(map(_checked_plain, fixed))
        self.globals = set(map(_checked_plain, globals_))
        self._grads: dict[str, str] = {}
        self._next: dict[str, int] = {}  # per prefix, where fresh() goes on counting

    def variables(self) -> list[str]:
        """Every name given out, except globals and the names no variable may have."""
        return [n for n in self.taken if n not in NEVER and n not in self.globals]

    def take(self, wish: str, *, is_global: bool = False) -> str | None:
        """Hold `wish` and return it if it is a plain ASCII identifier still free."""
        wish = plain(wish)  # type: ignore[assignment]
        if wish is None or not _IDENTIFIER.match(wish) or wish in self.taken:
            return None
        if is_global and wish in self.globals:
            return None
        self.taken.add(wish)
        if is_global:
            self.globals.add(wish)
        return wish

    def from_label(self, label: str) -> str | None:
        """A name made from a label (dots as underscores, `_2` added if needed), or None."""
        text = plain(label)
        if text is None:
            return None
        base = text.replace(".", "_")
        if len(base) > 40 or not _IDENTIFIER.match(base) or base in NEVER:
            return None
        for candidate in (base, *(f"{base}_{k}" for k in range(2, 100))):
            if self.take(candidate):
                return candidate
        return None

    def fresh(self, prefix: str, *, is_global: bool = False) -> str:
        """The first free name `prefix1`, `prefix2`, ... after those given out before."""
        prefix = _checked_plain(prefix)
        for k in count(self._next.get(prefix, 1)):
            if name := self.take(f"{prefix}{k}", is_global=is_global):
                self._next[prefix] = k + 1
                return name
        raise AssertionError("count() never ends")

    def grad(self, var: str) -> str:
        """The name of the gradient of variable `var`: `d_var`, the same every time."""
        if var not in self._grads:
            self._grads[var] = self.take(f"d_{var}") or self.fresh(f"d_{var}_")
        return self._grads[var]


def quoted(text: object, limit: int = 40) -> str:
    """`text` as an escaped string literal on one line, safe to put in a comment.

    >>> print(quoted("\\nimport os"))
    '\\nimport os'
    >>> quoted(b"x"), quoted(123)
    ("<a 'bytes'>", "<a 'int'>")
    """
    shown_text = plain(text)
    if shown_text is None:  # not a string: only its class's name, itself quoted
        return f"<a {quoted(str.__str__(type(text).__name__), limit)}>"
    text = shown_text
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    shown = repr(text)  # escapes every line break and unprintable character
    return shown if shown.isprintable() else ascii(text)


def literal(x: float) -> str:
    """A float as Python source that evaluates to exactly it (negatives in brackets).

    >>> literal(0.1), literal(-2.0), literal(1e300)
    ('0.1', '(-2.0)', '1e+300')
    """
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"cannot write the non-finite number {x!r} as code")
    text = repr(x)
    return f"({text})" if text.startswith("-") else text


def check_name(name: object) -> str:
    """`name` as a plain `str` if it can name a generated function, else a ValueError."""
    text = plain(name)
    if text is None or not _IDENTIFIER.match(text) or text in NEVER:
        shown = quoted(name, 60)
        raise ValueError(
            f"name must be a plain identifier that is not a keyword, builtin or helper, got {shown}"
        )
    return text


def _checked_plain(text: object) -> str:
    """`text` as a plain `str`; a TypeError for anything else (our own names only)."""
    converted = plain(text)
    if converted is None:
        raise TypeError(f"expected a str, got {quoted(text)}")
    return converted
