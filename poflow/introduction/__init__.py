"""The six-month introduction programme 'Een warm welkom' (INT-1..6, seed 000).

Modules: `rules` (pure), `config` (introduction.yaml), `models` (tables), `common` (links and
lookups), `sessions` and `attendance` (group sessions), `programme` (the hire's own line),
`mails` (its dated mails), `portfolio` (certificates and status), `completions` (CSV),
`overview`, `status`, `linkactions`, `cli`, and `process` (registers it all).
"""

__all__: list[str] = []
