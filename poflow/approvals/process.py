"""Four-eyes approvals (REC-9): requests answered by each asked person through their own link,
and the link where a person chooses their own password (four eyes on access: P&O sends it, only
the person sets it)."""

from poflow.approvals.links import LINK_ACTIONS
from poflow.approvals.models import Approval, ApprovalRequest
from poflow.auth.activation import ACTIVATE_LOGIN
from poflow.engine import ProcessSpec

__all__ = ["SPEC"]

SPEC = ProcessSpec(
    name="approvals",
    rules="REC-9",
    tables=(Approval, ApprovalRequest),
    link_actions=(*LINK_ACTIONS, ACTIVATE_LOGIN),
)
