"""Career coaching (LBC-1..3, seed 004): the coach's confidential records and the yearly report.

Modules: `section` (coaching.yaml), `rules` (states, targets; pure), `report` (counts and
tables from name-free records; pure), `render` (terminal, tab-separated, markdown; pure),
`models` (tables), `services` (register, goals, end, consent), `forms` (the coach's action-link
forms and monthly mail), `importer` (CSV), `cli` (`poflow coach`).
Names live only in the coach's records (`models`), shown only to that coach; reports, audit
rows and everything sent to Prefect hold categories and counts (LBC-3).
"""

__all__: list[str] = []
