"""The actions the cycle's mailed links carry, as the process list declares them (GES-3)."""

from __future__ import annotations

from poflow.engine import Registry
from poflow.processes import PROCESSES

REGISTRY = Registry.build(PROCESSES)


def test_ges_3_link_form_offers_three_components_with_four_scores() -> None:
    """The appraisal link's form has a select with the four scores and a motivation per part."""
    action = REGISTRY.link_actions["ges.beoordeling"]
    names = [f.name for f in action.fields]
    assert names == [
        "prestatie",
        "prestatie_motivatie",
        "potentieel",
        "potentieel_motivatie",
        "kernwaarden",
        "kernwaarden_motivatie",
    ]
    choices = action.fields[0].choices
    assert [label for _, label in choices] == ["Onvoldoende", "Voldoende", "Goed", "Zeer goed"]
    assert all(f.required and f.personal for f in action.fields)
