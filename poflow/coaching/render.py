"""The yearly coaching report as terminal text, as the seed's tab-separated tables, as markdown.

Pure functions of a CoachingReport, which holds counts only (LBC-3): safe for Prefect (X-3).
"""

from __future__ import annotations

from datetime import date

from poflow.coaching.report import (
    DOMAIN_TITLE,
    GOALS_TITLE,
    CoachingReport,
    domain_table,
    goal_table,
)
from poflow.coaching.rules import Progress, Target
from poflow.kernel.wording import MONTHS

__all__ = [
    "bar_chart",
    "count_tables",
    "heading_lines",
    "render_markdown",
    "render_text",
    "render_tsv",
    "target_lines",
]

BAR_WIDTH = 30


def _datum(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def heading_lines(report: CoachingReport) -> list[str]:
    """The report's title, its period and (for a year not over yet) the day it counts to."""
    kind = "Jaarverslag" if report.complete else "Tussenstand"
    lines = [
        f"Loopbaancoaching {report.municipality}: {kind.lower()} {report.year}",
        f"Periode: {_datum(report.period_start)} tot en met {_datum(report.period_end)}",
    ]
    if not report.complete:
        lines.append(f"Stand per {_datum(report.as_of)}")
    return lines


def render_tsv(report: CoachingReport) -> str:
    """The seed's two tables, tab-separated as in seed 004 section 4.2 (paste into a sheet)."""
    lines = [
        f"{DOMAIN_TITLE}\t",
        *("\t".join(r) for r in domain_table(report)),
        "",
        f"{GOALS_TITLE}\t\t\t\t",
        *("\t".join(r) for r in goal_table(report)),
    ]
    return "\n".join(lines) + "\n"


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        out.append("  ".join(cells).rstrip())
    return out


def bar_chart(
    rows: tuple[tuple[str, int], ...] | list[tuple[str, int]], width: int = BAR_WIDTH
) -> list[str]:
    """A Unicode bar per row, scaled to the largest count."""
    top = max((n for _, n in rows), default=0) or 1
    label_w = max((len(label) for label, _ in rows), default=0)
    return [
        f"{label.ljust(label_w)}  {'█' * round(width * n / top) or ('▏' if n else '')} {n}"
        for label, n in rows
    ]


def _target_line(target: Target) -> str:
    if target.fixed:
        return f"Streefcijfer {target.year}: {target.value} aanmeldingen (vastgesteld)"
    return (
        f"Streefcijfer {target.year}: {target.value} aanmeldingen (+{target.growth_percent} % "
        f"ten opzichte van {target.basis_count} in {target.basis_year})"
    )


def _progress_lines(p: Progress) -> list[str]:
    filled = min(BAR_WIDTH, round(BAR_WIDTH * p.count / p.target.value))
    verdict = "op schema" if p.on_track else "achter op schema"
    return [
        f"Voortgang {p.target.year}: {p.count} van {p.target.value} aanmeldingen "
        f"({p.percent} %), per {_datum(p.as_of)}",
        f"[{'█' * filled}{'░' * (BAR_WIDTH - filled)}] verwacht naar rato: "
        f"{p.expected_by_now}, {verdict}",
    ]


def count_tables(report: CoachingReport) -> list[tuple[str, tuple[tuple[str, int], ...]]]:
    """The report's other counts after the seed's two tables: (title, (label, count) rows)."""
    return [
        ("Aanmeldingen per reden", report.per_reason),
        ("Hoe kwam de aanmelding tot stand", report.per_source),
        ("Stand van de trajecten", report.per_state),
        ("Reden tussentijds gestopt", report.per_end_reason),
    ]


def target_lines(report: CoachingReport) -> list[str]:
    """The progress towards this year's target and next year's target, as lines of text."""
    lines = _progress_lines(report.progress) if report.progress else []
    if report.next_target:
        lines.append(_target_line(report.next_target))
    return lines


def render_text(report: CoachingReport) -> str:
    """The report for the terminal: the two tables aligned, the other counts, the targets."""
    lines = [
        *heading_lines(report),
        "",
        DOMAIN_TITLE,
        *_aligned(domain_table(report)),
        "",
        GOALS_TITLE,
        *_aligned(goal_table(report)),
        "",
    ]
    for title, rows in count_tables(report):
        lines += [title, *_aligned([[label, str(n)] for label, n in rows]), ""]
    lines += ["Aanmeldingen per domein", *bar_chart(report.per_domain), ""]
    lines += target_lines(report)
    return "\n".join(lines).rstrip() + "\n"


def _md_table(rows: list[list[str]], *, bold_last: bool = False) -> list[str]:
    def esc(cell: str) -> str:
        return cell.replace("|", "\\|")

    out = [
        "| " + " | ".join(esc(c) for c in rows[0]) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(rows[0]) - 1)) + "|",
    ]
    for i, row in enumerate(rows[1:], start=1):
        cells = [esc(c) for c in row]
        if bold_last and i == len(rows) - 1:
            cells = [f"**{c}**" for c in cells]
        out.append("| " + " | ".join(cells) + " |")
    return out


def render_markdown(report: CoachingReport) -> str:
    """The report as a Prefect markdown artifact: tables, a bar chart, targets; counts only."""
    head = heading_lines(report)
    lines = [
        f"# {head[0]}",
        "",
        *(f"{line}  " for line in head[1:]),
        "",
        f"## {DOMAIN_TITLE}",
        "",
        *_md_table(domain_table(report), bold_last=True),
        "",
        "```text",
        *bar_chart(report.per_domain),
        "```",
        "",
        f"## {GOALS_TITLE}",
        "",
        *_md_table(goal_table(report)),
        "",
    ]
    for title, rows in count_tables(report):
        lines += [
            f"### {title}",
            "",
            *_md_table([["", "Aantal"], *([label, str(n)] for label, n in rows)]),
            "",
        ]
    targets = target_lines(report)
    if targets:
        lines += ["## Streefcijfer", "", "```text", *targets, "```", ""]
    lines.append("_Alleen aantallen: gesprekken met de loopbaancoach zijn vertrouwelijk._")
    return "\n".join(lines) + "\n"
