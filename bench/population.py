"""A synthetic national population: 342 fictional municipalities, their staff and a year of hires.

Everything is invented from small syllable lists (example.org addresses); nothing comes from the
seeds. The generator is deterministic for a given seed, so two runs measure the same work.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

__all__ = ["Municipality", "Population", "generate", "hires_for", "write_configs"]

GIVEN = (
    "Ad",
    "Bo",
    "Cas",
    "Da",
    "El",
    "Fen",
    "Gijs",
    "Ha",
    "Ine",
    "Jo",
    "Kee",
    "Lo",
    "Maar",
    "Nel",
    "Oot",
    "Pim",
    "Ro",
    "Sam",
    "Tes",
    "Ul",
    "Vin",
    "Wes",
    "Yf",
    "Zo",
)
GIVEN_END = ("", "a", "e", "ie", "o", "en", "ke", "ter", "ris", "mar")
FAMILY_START = (
    "Berg",
    "Bos",
    "Dal",
    "Dijk",
    "Eik",
    "Hof",
    "Kamp",
    "Linde",
    "Mole",
    "Oever",
    "Pol",
    "Rijn",
    "Sloot",
    "Veen",
    "Weide",
    "Zand",
)
FAMILY_END = ("man", "ink", "stra", "ma", "sen", "huis", "er", "ing", "gaard", "horst")
PLACE_START = (
    "Vel",
    "Ossen",
    "Bree",
    "Hoog",
    "Laag",
    "Wester",
    "Ooster",
    "Noord",
    "Zuid",
    "Kroon",
    "Mid",
    "Ber",
    "Dun",
    "Hel",
    "Ker",
    "Lin",
    "Mar",
    "Ny",
    "Ol",
    "Ril",
)
PLACE_END = (
    "dorp",
    "veen",
    "wijk",
    "dam",
    "hem",
    "lo",
    "broek",
    "horst",
    "recht",
    "burg",
    "zijl",
    "ingen",
    "ede",
    "kerk",
    "wolde",
    "haven",
    "stein",
    "drecht",
)
TEAMS = (
    "Ruimtelijk domein",
    "Sociaal domein",
    "Bedrijfsvoering",
    "Publiekszaken",
    "Openbare ruimte",
    "Financien",
    "ICT",
    "Dienstverlening",
)
CONTRACTS = (
    ("vast", 45),
    ("tijdelijk", 30),
    ("stage", 8),
    ("inhuur", 7),
    ("detachering", 5),
    ("payroll", 4),
    ("bestuurder", 1),
)
MUNICIPALITIES = 342
STAFF = 200_000
HIRES_PER_YEAR = 40_000


@dataclass
class Municipality:
    """One fictional municipality: slug, display name and how many staff it has."""

    slug: str
    name: str
    staff: int
    managers: list[str] = field(default_factory=list)
    buddies: list[str] = field(default_factory=list)


@dataclass
class Population:
    """The generated country: municipalities, staff rows, role rows and hire rows."""

    municipalities: list[Municipality]
    people: list[dict[str, object]]
    roles: list[dict[str, object]]
    hires: list[dict[str, object]]


def _place(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(PLACE_START) + rng.choice(PLACE_END)
        if name not in used:
            used.add(name)
            return name
        name = f"{name}-{rng.choice(PLACE_START)}{rng.choice(PLACE_END)}"
        if name not in used:
            used.add(name)
            return name


def _sizes(rng: random.Random, n: int, total: int) -> list[int]:
    """Skewed sizes (few large cities, many villages) summing to about `total`, at least 60."""
    weights = [1 / (rank**0.9) for rank in range(1, n + 1)]
    rng.shuffle(weights)
    scale = (total - 60 * n) / sum(weights)
    return [60 + int(w * scale) for w in weights]


def start_dates(rng: random.Random, year: int, n: int) -> Iterator[date]:
    """Start dates with the real peaks: 1 January, 1 February, 1 September, then month starts."""
    months = [date(year, m, 1) for m in range(1, 13)]
    for _ in range(n):
        r = rng.random()
        if r < 0.16:
            yield date(year, 1, 1)
        elif r < 0.26:
            yield date(year, 2, 1)
        elif r < 0.44:
            yield date(year, 9, 1)
        elif r < 0.80:
            yield rng.choice(months)
        else:
            yield date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _person_name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(GIVEN) + rng.choice(GIVEN_END), rng.choice(FAMILY_START) + rng.choice(
        FAMILY_END
    )


def _contract(rng: random.Random) -> tuple[str, int | None]:
    kind = rng.choices([c for c, _ in CONTRACTS], weights=[w for _, w in CONTRACTS])[0]
    if kind in {"vast", "bestuurder"}:
        return kind, None
    return kind, rng.choice((3, 5, 6, 9, 12, 24))


def generate(
    *,
    year: int,
    seed: int = 2027,
    municipalities: int = MUNICIPALITIES,
    staff: int = STAFF,
    hires: int = HIRES_PER_YEAR,
) -> Population:
    """The whole country for `year`: staff with roles, and a year of hires with their peaks."""
    rng = random.Random(seed)
    used: set[str] = set()
    towns = [
        Municipality(f"gem-{i:03d}", f"Gemeente {_place(rng, used)}", size)
        for i, size in enumerate(_sizes(rng, municipalities, staff), start=1)
    ]
    people: list[dict[str, object]] = []
    roles: list[dict[str, object]] = []
    for town in towns:
        for n in range(1, town.staff + 1):
            pid = f"{town.slug[4:]}-{n:05d}"
            given, family = _person_name(rng)
            if n == 1:
                held = ["gemeentesecretaris", "mt_lid"]
            elif n % 150 == 2:
                held = ["po_adviseur"]
            elif n % 12 == 3:
                held = ["leidinggevende"]
                town.managers.append(pid)
            else:
                held = ["medewerker"]
                town.buddies.append(pid)
            people.append(
                {
                    "id": pid,
                    "municipality": town.slug,
                    "given_name": given,
                    "family_name": family,
                    "team": TEAMS[n % len(TEAMS)],
                    "email": f"{given.lower()}.{family.lower()}.{n}@{town.slug}.example.org",
                }
            )
            roles.extend({"person_id": pid, "municipality": town.slug, "role": r} for r in held)
    return Population(towns, people, roles, hires_for(towns, year=year, n=hires, rng=rng))


def hires_for(
    towns: list[Municipality], *, year: int, n: int, rng: random.Random, prefix: str = "NH"
) -> list[dict[str, object]]:
    """`n` hires spread over the towns by size, with managers and buddies of their own town."""
    hire_rows: list[dict[str, object]] = []
    share = [t.staff for t in towns]
    picks = rng.choices(range(len(towns)), weights=share, k=n)
    for i, (idx, start) in enumerate(zip(picks, start_dates(rng, year, n), strict=True), 1):
        town = towns[idx]
        given, family = _person_name(rng)
        contract, months = _contract(rng)
        hire_rows.append(
            {
                "id": f"{prefix}-{year}-{i:06d}",
                "municipality": town.slug,
                "given_name": given,
                "family_name": family,
                "private_email": f"{given.lower()}.{prefix.lower()}{i}@example.org",
                "work_email": f"{given.lower()}.{family.lower()}.{prefix.lower()}{i}"
                f"@{town.slug}.example.org",
                "team": TEAMS[i % len(TEAMS)],
                "function": "Medewerker " + TEAMS[i % len(TEAMS)],
                "manager_id": rng.choice(town.managers),
                "buddy_id": rng.choice(town.buddies),
                "contract_type": contract,
                "contract_months": months,
                "start_date": start,
            }
        )
    return hire_rows


MUNICIPALITY_YAML = """\
# Generated for the benchmark: a fictional municipality (bench/population.py).
name: {name}
sender_name: P&O {name}
sender_email: po@{slug}.example.org
po_mailbox: po@{slug}.example.org
salary_admin_email: salaris@{slug}.example.org
first_day_time: "08:30"
first_day_place: {name}, receptie
dispatch_time: "07:00"
closing_days: []
"""


def write_configs(towns: list[Municipality], source: Path, target: Path) -> None:
    """One config folder per municipality: the source municipality's sections, own identity."""
    if target.exists():
        shutil.rmtree(target)
    for town in towns:
        folder = target / town.slug
        folder.mkdir(parents=True)
        for section in source.glob("*.yaml"):
            text = section.read_text(encoding="utf-8")
            if section.stem == "municipality":
                text = MUNICIPALITY_YAML.format(name=town.name, slug=town.slug)
            else:  # any address of the source municipality becomes this one's
                text = text.replace(f"{source.name}.example.nl", f"{town.slug}.example.org")
            (folder / section.name).write_text(text, encoding="utf-8")
