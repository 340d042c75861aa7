"""The wervingsbehoefte as P&O writes it down (REC-1): a need.yaml or need.toml, completed or
overridden by the values given on the command line, with everything a round needs named."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from poflow._exceptions import RecruitmentRefused

__all__ = ["NEEDED", "read_need"]

# What a wervingsbehoefte must name, from its file or the options.
NEEDED = ("municipality", "team", "function", "fte", "po_id", "mt_lid_id", "leidinggevende_id")


def _read_mapping(file: Path) -> dict[str, Any]:
    text = file.read_text(encoding="utf-8")
    data = tomllib.loads(text) if file.suffix.lower() == ".toml" else yaml.safe_load(text)
    if not isinstance(data, dict):
        raise RecruitmentRefused(f"Cannot read {file}: expected keys and values at the top.")
    return data


def read_need(
    file: Path | None, given: Mapping[str, Any], *, formation_change: bool
) -> dict[str, Any]:
    """The need of `file` (if any) with the `given` values that are not None over it, as
    open_round's arguments plus "municipality"; RecruitmentRefused names what is missing."""
    need = _read_mapping(file) if file else {}
    need.update({k: v for k, v in given.items() if v is not None})
    need.setdefault("formation_change", formation_change)
    missing = [k for k in NEEDED if need.get(k) in (None, "")]
    if missing:
        raise RecruitmentRefused(f"Cannot open a round: missing {', '.join(missing)}.")
    return need
