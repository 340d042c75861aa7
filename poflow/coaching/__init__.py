"""Career coaching (LBC-1..3, seed 004): the coach's confidential records and the yearly report.

Modules: `rules` (report periods, targets, consent, dates; pure), `states` (trajectory and goal
states with their StateTables), `config` (coaching.yaml), `models` (tables), `registrations`
(register, goals, end, consent), `links` (the coach's action-link forms), `monthly_mail` (the
coach's monthly links mail), `importer` (CSV), `status` (the read model: name-free records, the
yearly report), `report` (counts and tables from name-free records; pure), `render` (terminal,
tab-separated, markdown; pure), `cli` (`poflow coach`), `process` (SPEC).
Names live only in the coach's records (`models`), shown only to that coach; reports, audit
rows and everything sent to Prefect hold categories and counts (LBC-3).
"""

__all__: list[str] = []
