"""The check every inline `{python}` value passes before it reaches the text.

Both engines evaluate inline expressions through IPython's `user_expressions` (Quarto sends them
with an execute request; the embedded engine calls the same method), so the check sits there,
inside the kernel, and runs identically under either engine. It becomes active in a chapter once
the chapter reads the data package (`load`, `facts`, `stat`): from then on every number the text
prints must carry its provenance:

* a `Stated` string from `report.fmt` (which refused reconstructed and unknown numbers);
* a claim marker (prints nothing);
* a `Value` that is derived or stated by the publication;
* text without digits.

Anything else that shows a digit (a plain float, a numpy integer, an f-string) is an error naming
the expression and the value; a reconstructed Value is an error naming its dataset and line. The
engine adds the chapter and line.
"""
from __future__ import annotations

import re
import sys

from .provenance import ProvenanceError, Value, describe, require_printable

_DIGIT = re.compile(r"\d")
_state = {"active": False, "installed": False}


def activate() -> None:
    """Turn the check on for the rest of this chapter (called when the chapter reads data)."""
    if _install():
        _state["active"] = True


def deactivate() -> None:
    """A new chapter starts unchecked (the embedded engine reuses one kernel for several)."""
    _state["active"] = False


def check(value, expr: str) -> None:
    """Raise ProvenanceError if `value` may not be printed inline."""
    from .claims import Claim
    from .fmt import Stated

    what = f"inline expression `{expr}`"
    if isinstance(value, (Stated, Claim)) or value is None or isinstance(value, bool):
        return
    if isinstance(value, Value):
        require_printable(value, what)
        return
    if isinstance(value, (int, float)) or type(value).__module__ == "numpy":
        raise ProvenanceError(
            f"{what} printed {describe(value)}, a number with no provenance: format a value from "
            "facts() or stat() with report.fmt (num, pct, gbp, year, ...)")
    shown = value.data if hasattr(value, "data") and isinstance(getattr(value, "data"), str) else str(value)
    if _DIGIT.search(shown):
        raise ProvenanceError(
            f"{what} printed text with a number in it ({shown[:80]!r}) that did not come through "
            "report.fmt, so its provenance is unknown")


def _install() -> bool:
    if _state["installed"]:
        return True
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "user_expressions"):
        return False
    original = shell.user_expressions

    def user_expressions(expressions):
        if not _state["active"]:
            return original(expressions)
        out = {}
        for key, expr in expressions.items():
            try:
                value = eval(expr, shell.user_global_ns, shell.user_ns)  # noqa: S307 - what IPython does
                check(value, expr)
                out[key] = shell._format_user_obj(value)  # noqa: SLF001 - IPython's own formatting
            except BaseException:  # noqa: BLE001 - reported per expression, as IPython does
                out[key] = shell._user_obj_error()  # noqa: SLF001
        return out

    shell.user_expressions = user_expressions
    _state["installed"] = True
    return True
