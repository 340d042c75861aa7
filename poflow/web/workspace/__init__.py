"""The workspace: the pages where P&O, managers, buddies, the gemeentesecretaris and new
colleagues do their part after logging in (issue 21). Each page module has its own router;
`workspace_router` includes them all, and create_app includes it. Shared pieces (who is
looking, the frame and menu, form protection) are in poflow/web/workspace/frame.py."""

from __future__ import annotations

from fastapi import APIRouter

from poflow.web.workspace import my_work

__all__ = ["workspace_router"]

workspace_router = APIRouter()
# Each page module's router, one line each (keep in menu order):
workspace_router.include_router(my_work.router)
