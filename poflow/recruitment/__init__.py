"""Recruitment rounds (werving en selectie, REC-1..13).

- `rules`, `states`: the pure rules, and the round's and candidates' states with their moves.
- `config`, `models`: recruitment.yaml and the tables.
- `need`: the wervingsbehoefte from need.yaml/.toml. `rounds`: opening a round, its moves,
  withdrawing it. `gates`: its four-eyes gates.
- `vacancy`: formation, vacancy text and publication. `candidates`, `interviews`: applying,
  the koffiemoment, selection and the interview rounds. `appointment`: offer, terms, the hire.
- `stages`: the procedure as the flow drives it. `documents`: the aanstellingsadvies (PDF).
- `mails`, `retention`, `status`: the round's mails, the retention purge, its read model.
- `planner`, `handlers`, `links`, `cli`, `process`: what the engine, web app and CLI use.
"""

__all__: list[str] = []
