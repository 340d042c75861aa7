"""The conversation cycle (GES-1..6): richtgesprek, beoordelingsgesprek, scores, periodic raise.

Importing the package registers nothing: `process.SPEC` declares the process and
`poflow.processes` lists it. Where things are: `rules` (pure dates, scores and the raise rule),
`states` (the cycle's and the legal decision's state tables), `kinds` (action kinds and link
names), `config`, `models`, `case` (whom a case is about), `talks` (a round's talks and their
dated actions), `cycle` (starting a cycle), `planner`, `appraisals` (recording the appraisal
form), `decisions` (legal-status decisions), `handlers` and `followups` (the dated mails),
`links`, `status` (what P&O sees), `cli`, `process`.
"""
