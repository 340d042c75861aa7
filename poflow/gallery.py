"""Every mail template of a municipality rendered with example data, to read them all at once.

The examples live next to the templates (`templates/mail/voorbeelden.yaml`, fictional people):
one context per template and who receives it. Each is rendered as poflow renders a real mail
(the municipality's own overrides first, the same frame and salutation: `mail_frame`), so P&O
and the communication adviser read what people will get. `poflow mails gallery` writes them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from poflow._exceptions import ConfigError
from poflow.cli_support import cli_runtime, fail
from poflow.config import MunicipalityConfig
from poflow.engine.context import mail_frame
from poflow.mail.outbox import Recipient
from poflow.mail.render import RenderedMail, render_mail
from poflow.settings import Settings

__all__ = ["Example", "examples", "mail_templates", "mails_app", "render_examples", "write_gallery"]

EXAMPLES = "mail/voorbeelden.yaml"
_TIME = re.compile(r"\d{2}:\d{2}")


@dataclass(frozen=True)
class Example:
    """One template's example: who receives it and its own context."""

    template: str
    to: dict[str, Any] | str  # a person (naam, voornaam, email), "po" or "salarisadministratie"
    context: dict[str, Any]


def _value(value: Any) -> Any:
    if isinstance(value, str) and _TIME.fullmatch(value):
        return time.fromisoformat(value)
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value


def examples(templates_dir: Path) -> tuple[date, dict[str, Example]]:
    """The example day and every template's example, from `voorbeelden.yaml`."""
    path = templates_dir / EXAMPLES
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    day = data.pop("_dag")
    found = {
        name: Example(name, spec["aan"], _value(spec.get("context") or {}))
        for name, spec in data.items()
    }
    return day, found


def mail_templates(templates_dir: Path) -> list[str]:
    """Every mail template poflow ships (a .txt and .html pair), by name: 'checkins/vastleggen'."""
    root = templates_dir / "mail"
    return sorted(
        str(p.relative_to(root).with_suffix(""))
        for p in root.rglob("*.txt")
        if not p.name.startswith("_")
    )


def _recipient(cfg: MunicipalityConfig, to: dict[str, Any] | str) -> Recipient:
    m = cfg.municipality
    if to == "po":
        return Recipient(None, f"P&O {m.name}", str(m.po_mailbox))
    if to == "salarisadministratie":
        return Recipient(None, "Salarisadministratie", str(m.salary_admin_email))
    if not isinstance(to, dict):
        raise ConfigError(EXAMPLES, [f"'aan' is {to!r}: a person, 'po' or 'salarisadministratie'"])
    return Recipient("VB-0001", to["naam"], to["email"], to.get("voornaam"))


def render_examples(
    cfg: MunicipalityConfig, settings: Settings
) -> dict[str, tuple[Recipient, RenderedMail]]:
    """Every template of the municipality rendered with its example; a template without one
    is refused by name (a new template gets its example in the same change)."""
    day, found = examples(settings.templates_dir)
    missing = [name for name in mail_templates(settings.templates_dir) if name not in found]
    if missing:
        raise ConfigError(EXAMPLES, [f"no example for template {name}" for name in missing])
    rendered = {}
    for name, example in sorted(found.items()):
        to = _recipient(cfg, example.to)
        context = {**mail_frame(cfg, settings, to, day), **example.context}
        rendered[name] = (to, render_mail(cfg.templates(settings.templates_dir), name, context))
    return rendered


def _index(cfg: MunicipalityConfig, rendered: dict[str, tuple[Recipient, RenderedMail]]) -> str:
    rows = "\n".join(
        f'<tr><td><a href="{html.escape(name.replace("/", "__"))}.html">{html.escape(name)}</a>'
        f"</td><td>{html.escape(mail.subject)}</td><td>{html.escape(to.name)}</td>"
        f'<td><a href="{html.escape(name.replace("/", "__"))}.txt">tekst</a></td></tr>'
        for name, (to, mail) in rendered.items()
    )
    title = f"Alle mails van {html.escape(cfg.name)} (voorbeelden)"
    return (
        f'<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><h1>{title}</h1><p>Elke mail met voorbeeldgegevens (verzonnen "
        f"personen), zoals poflow hem verstuurt.</p><table><thead><tr><th>Sjabloon</th>"
        f"<th>Onderwerp</th><th>Aan</th><th>Platte tekst</th></tr></thead><tbody>\n{rows}\n"
        "</tbody></table></body></html>\n"
    )


def write_gallery(cfg: MunicipalityConfig, settings: Settings, out: Path) -> int:
    """Write every rendered example into `out` (.html, .txt with its subject, index.html)."""
    rendered = render_examples(cfg, settings)
    out.mkdir(parents=True, exist_ok=True)
    for name, (to, mail) in rendered.items():
        stem = name.replace("/", "__")
        (out / f"{stem}.html").write_text(mail.html, encoding="utf-8")
        head = f"Aan: {to.name} <{to.email}>\nOnderwerp: {mail.subject}\n\n"
        (out / f"{stem}.txt").write_text(head + mail.text, encoding="utf-8")
    (out / "index.html").write_text(_index(cfg, rendered), encoding="utf-8")
    return len(rendered)


mails_app = typer.Typer(
    help="The mails poflow sends: render every template of a municipality with example data.",
    no_args_is_help=True,
)


@mails_app.command("gallery")
def gallery(
    municipality: Annotated[
        str | None, typer.Option(help="The municipality's slug (default: the first one).")
    ] = None,
    out: Annotated[Path, typer.Option(help="The folder to write into.")] = Path("mail-galerij"),
) -> None:
    """Render every mail template of a municipality (its own overrides included) with example
    data into OUT as .html and .txt, with an index.html to read them all."""
    rt = cli_runtime()
    slug = municipality or next(iter(rt.configs), None)
    if slug is None or slug not in rt.configs:
        fail(f"Unknown municipality {slug!r}; known: {', '.join(rt.configs) or 'none'}")
    try:
        count = write_gallery(rt.configs[slug], rt.settings, out)
    except ConfigError as exc:
        fail(f"{type(exc).__name__}: {exc}")
    typer.echo(f"{count} mails of {slug} written to {out / 'index.html'}")
