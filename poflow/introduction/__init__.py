"""The six-month introduction programme 'Een warm welkom' (INT-1..6, seed 000).

The shape of every process (docs/adding-a-process.md):

- `rules` (pure: target groups, series dates, reminder and talk dates) and `cohort` (pure: who a
  group session seats), `states` (enrolment, session and place states with their tables),
  `kinds` (action kinds, link actions, step keys), `config` (introduction.yaml), `models`;
- the hire's own line: `planner` (enrolment, planning), `steps` (its steps, completing them),
  `completions` (the learning platform's CSV), `portfolio` (certificates);
- group sessions: `sessions` (the planning pass), `invitations` (the mails of a place),
  `attendance` (answers, attendance, the sessions' dated actions);
- `mailing` (links, calendar invitations), `handlers` (every dated action), `links` (what mailed
  links do), `status` (read model), `cli`, and `process` (the declaration).
"""

__all__: list[str] = []
