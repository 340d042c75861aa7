"""Four-eyes approvals (REC-9): requests answered by each asked person through their own link.

- `models`: the tables (`Approval`, one recorded decision; `ApprovalRequest`, one question).
- `states`: how a request's outcome may move (pending, then approved or rejected, once).
- `decisions`: recording one decision against the database (the kernel's rule, no override).
- `requests`: asking the people (their own link by mail) and reading where a subject stands.
- `links`: the `approval.decide` link action each asked person answers with.
"""

__all__: list[str] = []
