"""What poflow accepts as a mail recipient: one email address, under one SMTPUTF8 policy, and a
name fit for a header or a subject (X-1, X-2: a message that cannot be composed never gets in).

Every entry uses these two checks: the staff and hires import, the candidates (file, options,
koffiemoment), the terms talk's work address and `poflow mail retry --to/--name`. Pure apart
from email_validator: the policy (the setting POFLOW_SMTPUTF8) is the caller's argument.
"""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email

from poflow._exceptions import InputRefused

__all__ = ["check_address", "check_name", "printable", "shown", "unsafe_character"]

# Characters a name must not hold: they hide or reorder what a reader sees in a subject or a
# header (bidi overrides and isolates, the bidi marks, zero-width characters).
_BIDI = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C])
_ZERO_WIDTH = frozenset([0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF])
# Scripts whose letters look alike: a domain label mixing two of them is a look-alike.
_CONFUSABLE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK"})


def shown(value: str) -> str:
    """A value for an error message: quoted with escapes, cut off after 60 characters."""
    return repr(value if len(value) <= 60 else value[:57] + "...")


def unsafe_character(value: str) -> str | None:
    """What is wrong with the first character of `value` that a name must not hold, or None."""
    for ch in value:
        code = ord(ch)
        if code < 0x20 or code == 0x7F:
            return f"contains a control character (U+{code:04X})"
        if 0x80 <= code <= 0x9F:
            return f"contains a C1 control character (U+{code:04X})"
        if code in _BIDI:
            return f"contains a bidi override, isolate or mark (U+{code:04X})"
        if code in _ZERO_WIDTH:
            return f"contains a zero-width character (U+{code:04X})"
        if 0xD800 <= code <= 0xDFFF:
            return f"contains a lone surrogate (U+{code:04X})"
    return None


def printable(value: str) -> str:
    """`value` with every character a name must not hold replaced by U+FFFD (for showing a
    stored value that predates the checks, e.g. in a notice to P&O)."""
    return "".join("\ufffd" if unsafe_character(ch) else ch for ch in value)


def check_name(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    """`value` as a name (given or family name, team, function); InputRefused naming `field`."""
    if not value:
        if required:
            raise InputRefused(field, "is empty, a value is required")
        return value
    if len(value) > max_length:
        raise InputRefused(field, f"is {len(value)} characters long (at most {max_length})")
    problem = unsafe_character(value)
    if problem:
        raise InputRefused(field, problem)
    return value


def check_address(value: str, *, smtputf8: bool, field: str) -> str:
    """`value` as one email address, normalised; InputRefused naming `field` otherwise.

    Without SMTPUTF8 (the default policy) the part before the @ must be ASCII and the domain is
    returned in its ASCII (IDNA) form, so the message needs nothing of the mail server; with it,
    the Unicode form is kept. A domain label that mixes Latin, Cyrillic or Greek letters (a
    look-alike of another name) is refused either way.
    """
    value = value.strip()
    if not value:
        raise InputRefused(field, "is empty, an email address is required")
    local = value.rpartition("@")[0]
    if not smtputf8 and not local.isascii():
        odd = next(ch for ch in local if not ch.isascii())
        raise InputRefused(
            field,
            f"{shown(value)} has a non-ASCII character before the @ ({odd!r}); the mail server "
            "is not assumed to support SMTPUTF8 (setting POFLOW_SMTPUTF8), ask for another "
            "address",
        )
    try:
        valid = validate_email(value, check_deliverability=False, allow_smtputf8=smtputf8)
    except EmailNotValidError as exc:
        raise InputRefused(field, f"{shown(value)} is not a valid email address ({exc})") from None
    for label in valid.domain.split("."):
        scripts = {
            unicodedata.name(ch, "?").split(" ")[0] for ch in label if ch.isalpha()
        } & _CONFUSABLE_SCRIPTS
        if len(scripts) > 1:
            raise InputRefused(
                field,
                f"{shown(value)}: its domain mixes {' and '.join(sorted(scripts)).lower()} "
                "letters (a look-alike of another domain?)",
            )
    if smtputf8 or valid.ascii_email is None:
        return valid.normalized
    return valid.ascii_email
