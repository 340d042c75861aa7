"""Render a Dutch mail from one context into subject, plain text and HTML (pure, no SMTP).

Templates are looked up along a search path: a municipality's own `config/<gemeente>/templates/`
first (any template may be overridden there, X-5), then the ones shipped with poflow."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from poflow._exceptions import TemplateError
from poflow.kernel.wording import date_nl, salutation

__all__ = ["RenderedMail", "Templates", "render_mail", "search_path"]

# One folder, or a search path of folders (a municipality's overrides first).
Templates = Path | tuple[Path, ...]


def search_path(templates: Templates) -> tuple[str, ...]:
    """The folders to look in, in order, as strings (hashable: the environments are cached)."""
    return (str(templates),) if isinstance(templates, Path) else tuple(map(str, templates))


@dataclass(frozen=True, slots=True)
class RenderedMail:
    """The three parts of one message."""

    subject: str
    text: str
    html: str


@lru_cache(maxsize=32)
def _environment(folders: tuple[str, ...], autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(folders)),
        autoescape=autoescape,  # noqa: S701  (on for HTML; the .txt part is plain text, not markup)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["datum"] = date_nl
    env.filters["tijd"] = lambda t: t.strftime("%H:%M")
    return env


def _with_salutation(context: dict[str, Any]) -> dict[str, Any]:
    """The context with `aanhef`, the one salutation rule of every mail, for its `ontvanger`: a
    person by given name ("Beste Sanne,"), a team mailbox (no person id) as colleagues ("Beste
    collega's van P&O,", "Beste collega's van de salarisadministratie,")."""
    to = context.get("ontvanger")
    if "aanhef" in context:
        return context
    if to is None:  # a mail queued without its recipient in the context (outbox.queue_mail)
        return {**context, "aanhef": "Beste collega,"}
    read = to.get if isinstance(to, Mapping) else lambda key: getattr(to, key, None)
    name = str(read("name") or "")
    team = None
    if read("id") is None:
        team = "P&O" if name.startswith("P&O") else f"de {name.lower()}"
    given = read("given_name")
    return {**context, "aanhef": salutation(given_name=given, name=name, team=team)}


def render_mail(templates: Templates, name: str, context: dict[str, Any]) -> RenderedMail:
    """Render `mail/<name>.txt` (its `subject` block and body) and `mail/<name>.html`, each
    from the first folder of `templates` that has it.

    Autoescape is on for HTML. A missing template or variable raises TemplateError naming both.
    """
    try:
        folders = search_path(templates)
        text_t = _environment(folders, False).get_template(f"mail/{name}.txt")
        html_t = _environment(folders, True).get_template(f"mail/{name}.html")
        context = _with_salutation(context)
        subject = "".join(text_t.blocks["subject"](text_t.new_context(context))).strip()
        return RenderedMail(
            subject=" ".join(subject.split()),
            text=text_t.render(context),
            html=html_t.render(context),
        )
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"Cannot render mail {name!r}: template {exc.name} not found") from exc
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"Cannot render mail {name!r}: {exc.message}") from exc
    except KeyError as exc:
        raise TemplateError(f"Cannot render mail {name!r}: the .txt has no subject block") from exc
