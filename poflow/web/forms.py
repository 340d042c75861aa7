"""Validate the values posted with a link's form against its FormFields (pure, no I/O)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date

from poflow.links import FormField

__all__ = ["CrossCheck", "validate_form"]

# A LinkAction may add a check across fields in extra["validate"]: values -> {field: Dutch error}.
CrossCheck = Callable[[dict[str, str]], dict[str, str]]


def _bad_characters(value: str) -> bool:
    return any(
        unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co"} and ch not in "\n\t" for ch in value
    )


def _check(field: FormField, value: str) -> str | None:
    """The Dutch error for one value, or None when it is fine."""
    if len(value) > field.max_length:
        return (
            f"{field.label}: maximaal {field.max_length} tekens. Je hebt er {len(value)} ingevuld."
        )
    if not value.strip():
        return f"{field.label}: dit is verplicht." if field.required else None
    if _bad_characters(value):
        return f"{field.label}: bevat tekens die niet zijn toegestaan."
    if field.kind == "select" and value not in {choice for choice, _ in field.choices}:
        return f"{field.label}: kies een van de mogelijkheden."
    if field.kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return f"{field.label}: vul een datum in als JJJJ-MM-DD, bijvoorbeeld 2027-03-01."
    if field.kind in {"text", "select", "date", "password"} and "\n" in value:
        return f"{field.label}: gebruik één regel."
    return None


def validate_form(
    fields: Sequence[FormField],
    posted: Mapping[str, Sequence[str]],
    cross_check: CrossCheck | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """Return (values, errors): values by field name, and a Dutch error per invalid field.

    `posted` maps each name to every value sent for it; a field sent twice is refused, and
    names that are not fields are ignored. The cross-field check runs when each field is valid.
    """
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in fields:
        sent = list(posted.get(field.name, ()))
        if len(sent) > 1 or any(not isinstance(v, str) for v in sent):
            errors[field.name] = f"{field.label}: dit veld is meer dan eens of verkeerd verstuurd."
            continue
        value = sent[0].replace("\r\n", "\n") if sent else ""
        if field.kind not in {"textarea", "password"}:  # a password is taken as typed
            value = value.strip()
        values[field.name] = value
        problem = _check(field, value)
        if problem:
            errors[field.name] = problem
    if not errors and cross_check is not None:
        errors.update(cross_check(dict(values)))
    return values, errors
