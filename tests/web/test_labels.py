"""The Dutch names of action kinds and audit actions on a hire's page (issue 21):
poflow/web/workspace/labels.py."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from poflow.engine.process import Registry
from poflow.processes import PROCESSES
from poflow.web.workspace.labels import ACTION_KINDS, AUDIT_ACTIONS, action_label, audit_label

CODE = Path(__file__).resolve().parents[2] / "poflow"
WRITERS = {"record", "audit"}  # poflow.audit.record, Context.audit (and its wrappers)


def _actions_of(node: ast.expr) -> tuple[set[str], set[str]]:
    """(audit actions, f-string patterns) an `action` argument can take: constants, both sides
    of a conditional, an f-string as a pattern. A plain name passes its caller's value on."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}, set()
    if isinstance(node, ast.IfExp):
        a, p = _actions_of(node.body)
        b, q = _actions_of(node.orelse)
        return a | b, p | q
    if isinstance(node, ast.JoinedStr):
        parts = [
            re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z_]+" for v in node.values
        ]
        return set(), {"".join(parts)}
    return set(), set()


def written_audit_actions() -> tuple[set[str], set[str]]:
    """Every audit action the code under poflow/ writes, and the f-string patterns it writes."""
    actions: set[str] = set()
    patterns: set[str] = set()
    for path in CODE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            found = [k.value for k in node.keywords if k.arg == "action"]
            if name == "audit" and node.args:
                found.append(node.args[0])
            if name == "record_many":  # entries: (municipality, action, type, id, detail)
                found += [
                    t.elts[1]
                    for arg in [*node.args, *(k.value for k in node.keywords)]
                    for t in ast.walk(arg)
                    if isinstance(t, ast.Tuple) and len(t.elts) == 5
                ]
            elif name not in WRITERS and name not in {"record_selected", "audit_failed_login"}:
                continue
            for value in found:
                a, p = _actions_of(value)
                actions |= a
                patterns |= p
    return actions, patterns


class TestLabels:
    def test_every_registered_action_kind_has_a_dutch_name(self) -> None:
        """Every action kind a process registers a handler for has a Dutch name."""
        kinds = set(Registry.build(PROCESSES).handlers)
        assert kinds, "no action kinds registered"
        assert sorted(kinds - set(ACTION_KINDS)) == []

    def test_every_audit_action_written_has_a_dutch_name(self) -> None:
        """Every audit action the code writes (constant or f-string) has a Dutch name."""
        actions, patterns = written_audit_actions()
        assert {"step.planned", "hire.planned", "onb.digest", "int.spilled"} <= actions
        assert sorted(actions - set(AUDIT_ACTIONS)) == []
        unmatched = [p for p in patterns if not any(re.fullmatch(p, a) for a in AUDIT_ACTIONS)]
        assert patterns
        assert unmatched == []

    def test_action_done_states_have_names(self) -> None:
        """The batch's `action.<state>` audit rows have a name for every state it writes."""
        assert {"action.done", "action.skipped"} <= set(AUDIT_ACTIONS)

    def test_known_codes_read_in_dutch_and_unknown_ones_as_they_are(self) -> None:
        """A known code reads as its Dutch name; an unknown one is shown as the code."""
        assert action_label("chk.invite") == "Uitnodiging check-in"
        assert audit_label("step.planned") == "Stap gepland"
        assert action_label("xyz.nieuw") == "xyz.nieuw"
        assert audit_label("xyz.nieuw") == "xyz.nieuw"
