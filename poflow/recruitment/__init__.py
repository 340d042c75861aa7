"""Recruitment rounds (werving en selectie, REC-1..13): rules, tables, services, mails."""

__all__: list[str] = []
