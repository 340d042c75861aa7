"""poflow's pure kernel: the calendar, the vocabulary, the state-machine helper and the
four-eyes rule. Nothing here does I/O or imports SQLAlchemy, Prefect, Jinja2 or smtplib (the
import contracts in pyproject.toml keep it so); every process's `rules.py` builds on it.

- `calendar`: working days (CAO holidays, closing days), Europe/Amsterdam, local datetimes.
- `vocabulary`: roles, contract types and case types as enums, with their Dutch labels once.
- `states`: `StateTable`, one table of allowed moves per state enum, one check, one message.
- `foureyes`: who may decide a four-eyes approval and what the outcome is (REC-9).
"""
