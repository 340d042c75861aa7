"""The one address check and the one name check every entry uses (poflow.addresses), and the
pure decisions of a failing message (poflow.mail.failures): X-2, X-5."""

from __future__ import annotations

import email.errors
import smtplib
from datetime import UTC, datetime, timedelta

import pytest

from poflow._exceptions import InputRefused
from poflow.addresses import check_address, check_name, printable, unsafe_character
from poflow.mail.failures import (
    Failure,
    classify_compose,
    classify_send,
    kind_of,
    retry_at,
)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("a@x.nl, evil@evil.example", "is not a valid email address"),
        ("not-an-email", "must have an @-sign"),
        ("<script>@x.nl", "is not a valid email address"),
        ("a\r\n@x.nl", "invalid characters"),
        ("a" * 5000 + "@x.nl", "too long"),
        ("Anne <a@x.nl>", "display name"),
        ("", "is empty"),
        ("éva@example.org", "non-ASCII character before the @ ('é')"),
        ("a@gemeente-hardenbеrg.nl", "mixes cyrillic and latin letters"),  # Cyrillic е
        ("a@x.nl\u200b", "unsafe characters"),
    ],
    ids=[
        "two-addresses",
        "no-at",
        "script",
        "crlf",
        "5000-characters",
        "display-name",
        "empty",
        "non-ascii-local-part",
        "look-alike-domain",
        "zero-width",
    ],
)
def test_x_2_an_address_that_could_stop_the_mail_is_refused_by_field(value: str, why: str):
    """Every address that cannot be one deliverable address is refused, naming the field."""
    with pytest.raises(InputRefused) as refused:
        check_address(value, smtputf8=False, field="--work-email")
    assert str(refused.value).startswith("--work-email: ")
    assert why in str(refused.value)
    assert "\n" not in str(refused.value)


def test_x_5_the_smtputf8_policy_decides_non_ascii_before_the_at():
    """Off (the default) refuses non-ASCII before the @ and keeps a Unicode domain in ASCII;
    on, both are kept as given (normalised)."""
    assert check_address("A@Exämple.NL", smtputf8=False, field="f") == "A@xn--exmple-cua.nl"
    assert check_address(" anne@example.org ", smtputf8=False, field="f") == "anne@example.org"
    assert check_address("éva@Example.org", smtputf8=True, field="f") == "éva@example.org"
    assert check_address("a@exämple.nl", smtputf8=True, field="f") == "a@exämple.nl"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Anne\x00", "U+0000"),
        ("Anne\x1b[31m", "U+001B"),
        ("Anne\x7f", "U+007F"),
        ("Anne\x85", "U+0085"),  # C1: next line
        ("Anne\u202egnp.exe", "U+202E"),  # right-to-left override
        ("Anne\u2067", "U+2067"),  # right-to-left isolate
        ("An\u200bne", "U+200B"),
        ("An\u200dne", "U+200D"),
        ("An\u2060ne", "U+2060"),
        ("\ufeffAnne", "U+FEFF"),
    ],
)
def test_x_2_a_name_with_control_bidi_or_zero_width_characters_is_refused(value: str, code: str):
    """Such a name is refused naming the field and the character's code point."""
    with pytest.raises(InputRefused) as refused:
        check_name(value, field="given_name", max_length=100)
    assert str(refused.value).startswith("given_name: contains ")
    assert code in str(refused.value)
    assert printable(value).count("\ufffd") == 1


def test_x_2_a_name_is_checked_for_length_and_presence_and_kept_as_written():
    """Dutch and other names pass unchanged; empty and too long are refused by field."""
    for name in ("Jan-Willem van 't Hof", "Anaïs", "Ğülşen Öztürk", "Łukasz", "Zoë d'Ancona"):
        assert check_name(name, field="family_name", max_length=100) == name
        assert unsafe_character(name) is None
    with pytest.raises(InputRefused, match="family_name: is 101 characters long"):
        check_name("x" * 101, field="family_name", max_length=100)
    with pytest.raises(InputRefused, match="team: is empty"):
        check_name("", field="team", max_length=120)
    assert check_name("", field="buddy", max_length=10, required=False) == ""


def test_x_2_composing_failures_are_the_messages_own_and_say_no_address():
    """A header defect, CR/LF and two addresses are the message's own failure, recorded by
    type and a fixed phrase (the exception's text, which can hold the address, is left out)."""
    cases = [
        (email.errors.NonASCIILocalPartDefect("éva@x.nl"), "address"),
        (ValueError("invalid arguments; address parts cannot contain CR or LF"), "address"),
        (
            ValueError("Invalid addr_spec; only 'a@x.nl' could be parsed from 'a@x.nl, b@y'"),
            "address",
        ),
        (email.errors.HeaderParseError("Expected 'atom' but found '<script>@x.nl'"), "address"),
        (UnicodeEncodeError("ascii", "é", 0, 1, "x"), "compose"),
    ]
    for exc, kind in cases:
        failure = classify_compose(exc)
        assert failure.kind == kind
        assert not failure.permanent
        assert "@" not in failure.error
        assert kind_of(failure.error) == kind


def test_x_2_only_a_server_failure_stops_the_pass():
    """A refusal of one recipient or the lack of SMTPUTF8 is the message's own failure; a 421,
    a temporary refusal of the data or a disconnect is the server's (None)."""
    one = smtplib.SMTPRecipientsRefused({"a@x.nl": (550, b"unknown")})
    assert classify_send(one) == Failure(
        "refused", "SMTPRecipientsRefused: recipient refused (550)", permanent=True
    )
    later = smtplib.SMTPRecipientsRefused({"a@x.nl": (450, b"full")})
    assert classify_send(later) == Failure(
        "temporary", "SMTPRecipientsRefused: recipient refused for now (450)"
    )
    assert classify_send(smtplib.SMTPNotSupportedError("no SMTPUTF8")).kind == "smtputf8"
    assert classify_send(smtplib.SMTPDataError(554, b"spam")).permanent
    assert classify_send(smtplib.SMTPRecipientsRefused({"a@x.nl": (421, b"bye")})) is None
    assert classify_send(smtplib.SMTPDataError(451, b"later")) is None
    assert classify_send(smtplib.SMTPServerDisconnected("gone")) is None


def test_x_5_the_backoff_doubles_and_the_last_attempt_parks():
    """The next attempt waits the base delay, doubling (at most a day); attempt N parks."""
    now = datetime(2027, 3, 1, 7, tzinfo=UTC)
    later = Failure("temporary", "x")
    waits = [retry_at(n, later, max_attempts=5, base_s=900, now=now) for n in range(1, 6)]
    assert [w - now if w else None for w in waits] == [
        timedelta(minutes=15),
        timedelta(minutes=30),
        timedelta(hours=1),
        timedelta(hours=2),
        None,
    ]
    assert retry_at(3, later, max_attempts=50, base_s=86_400, now=now) == now + timedelta(days=1)
    assert (
        retry_at(1, Failure("refused", "x", permanent=True), max_attempts=5, base_s=9, now=now)
        is None
    )
