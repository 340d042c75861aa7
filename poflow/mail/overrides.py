"""A municipality's own templates (`config/<gemeente>/templates/`), checked before they are used.

Any template poflow ships may be replaced there under the same path (`mail/_base.html`,
`mail/checkins/uitnodiging.txt`, ...; X-5). An override is refused, naming its file, when poflow
ships no template of that name (a typo would otherwise be silently ignored), when it is not
valid Jinja2, or when it uses a variable the shipped template is not given (it would fail at
the first mail, on the day of sending).
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2 import meta

from poflow._exceptions import ConfigError

__all__ = ["check_overrides", "overrides_of"]

_PARTS = (".txt", ".html")
# Given to every mail (the layouts use them).
_ALWAYS = {"huisstijl", "auditlog", "gemeente", "afzender", "po_mailbox", "ontvanger", "aanhef"}


def overrides_of(own: Path) -> list[Path]:
    """The template files in a municipality's `templates/` folder, relative to it."""
    if not own.is_dir():
        return []
    return sorted(p.relative_to(own) for p in own.rglob("*") if p.is_file())


def _variables(env: jinja2.Environment, source: str) -> set[str]:
    return set(meta.find_undeclared_variables(env.parse(source)))


def _layout_variables(env: jinja2.Environment, shipped: Path, suffix: str) -> set[str]:
    layout = shipped / "mail" / f"_base{suffix}"
    return _variables(env, layout.read_text(encoding="utf-8")) if layout.is_file() else set()


def check_overrides(own: Path, shipped: Path) -> int:
    """Check every override in `own` against the templates in `shipped`; how many there are.

    ConfigError lists every problem, each naming the file.
    """
    env = jinja2.Environment(autoescape=True)  # parsed only, never rendered here
    problems: list[str] = []
    files = overrides_of(own)
    for relative in files:
        mine, theirs = own / relative, shipped / relative
        if relative.parts[0] != "mail" or relative.suffix not in _PARTS:
            problems.append(
                f"{relative}: only mail templates (mail/**/*.txt, *.html) can be replaced"
            )
            continue
        if not theirs.is_file():
            problems.append(f"{relative}: poflow has no template of that name (a typo?)")
            continue
        try:
            used = _variables(env, mine.read_text(encoding="utf-8"))
        except jinja2.TemplateSyntaxError as exc:
            problems.append(f"{relative}, line {exc.lineno}: not valid Jinja2: {exc.message}")
            continue
        except UnicodeDecodeError:
            problems.append(f"{relative}: not UTF-8 text")
            continue
        given = (
            _variables(env, theirs.read_text(encoding="utf-8"))
            | _layout_variables(env, shipped, relative.suffix)
            | _ALWAYS
        )
        for name in sorted(used - given):
            problems.append(f"{relative}: uses {{{{ {name} }}}}, which this mail is not given")
    if problems:
        raise ConfigError(str(own), problems)
    return len(files)
