"""Four-eyes approvals (REC-9): requests answered by each asked person through their own link."""

from poflow.approvals.foureyes import Approval
from poflow.approvals.requests import DECIDE_ACTION, ApprovalRequest
from poflow.engine import ProcessSpec

__all__ = ["SPEC"]

SPEC = ProcessSpec(
    name="approvals",
    rules="REC-9",
    tables=(Approval, ApprovalRequest),
    link_actions=(DECIDE_ACTION,),
)
