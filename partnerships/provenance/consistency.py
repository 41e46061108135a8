"""Consistency checks of the curated facts against each other (data tests and /quality/).

- A ``joins`` milestone whose date contradicts the start of the partner's participation in
  the framework its title names: the two dates, compared at the coarser of their two
  precisions ("1994" agrees with "1994-02-08"), differ for every such participation.
- A mission description that states how many partner nations took part ("4 partner
  countries provided forces") while more partner contributors are recorded for it.

A fact dated more precisely than its sources allow is out of scope. Each check returns
``{pk: reason}``; the reasons read as sentences.
"""

from __future__ import annotations

import re

from partnerships import kinds
from partnerships.dates import Precision

ORDER = {Precision.YEAR: 0, Precision.MONTH: 1, Precision.DAY: 2}

# Names a milestone title may use for a framework besides its name and acronym.
ALIASES = {
    "partnership-interoperability-initiative": ["Interoperability Platform"],
    "enhanced-opportunities-partners": ["Enhanced Opportunities Partner"],
    "individual-partnership-action-plan": ["IPAP"],
}


def _truncated(day, precision: str):
    if precision == Precision.YEAR:
        return (day.year,)
    if precision == Precision.MONTH:
        return (day.year, day.month)
    return (day.year, day.month, day.day)


def same_at_coarser(day_a, precision_a, day_b, precision_b) -> bool:
    coarser = min((precision_a, precision_b), key=lambda p: ORDER.get(p, 2))
    return _truncated(day_a, coarser) == _truncated(day_b, coarser)


def framework_named(title: str, frameworks) -> object | None:
    """The framework a milestone title names: the longest name, alias or (three letters or
    more) acronym found in it."""
    found = []
    for framework in frameworks:
        names = [framework.name, *ALIASES.get(framework.slug, [])]
        if framework.acronym and len(framework.acronym) >= 3:
            names.append(framework.acronym)
        for name in names:
            if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", title, re.IGNORECASE):
                found.append((len(name), framework))
    return max(found, key=lambda pair: pair[0])[1] if found else None


def joins_contradicting_participation() -> dict[int, str]:
    milestone = kinds.model("milestones")
    framework = kinds.model("frameworks")
    participation = kinds.model("participations")
    frameworks = list(framework.objects.only("pk", "slug", "name", "acronym"))
    starts: dict = {}
    for row in participation.objects.exclude(start__isnull=True).values(
        "partner_id", "framework_id", "start", "start_precision"
    ):
        key = (row["partner_id"], row["framework_id"])
        starts.setdefault(key, []).append((row["start"], row["start_precision"]))
    found = {}
    for item in milestone.objects.filter(kind="joins").select_related("partner").order_by("pk"):
        named = framework_named(item.title, frameworks)
        if named is None:
            continue
        candidates = starts.get((item.partner_id, named.pk))
        if not candidates:
            continue
        if not any(
            same_at_coarser(item.date, item.date_precision, start, precision)
            for start, precision in candidates
        ):
            listed = ", ".join(f"{s.isoformat()} ({p})" for s, p in sorted(candidates))
            found[item.pk] = (
                f"{item.partner.name}: milestone dated {item.date.isoformat()} "
                f"({item.date_precision}) but the participation in {named.name} starts {listed}."
            )
    return found


NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20,
}  # fmt: skip
STATED_PARTNERS = re.compile(
    r"(?P<qualifier>(?:at least|more than|over|some|about|around)\s+)?"
    r"(?P<n>\d+|" + "|".join(NUMBERS) + r")\s+(?:non-NATO|partner)\s+"
    r"(?:countr(?:y|ies)|nations?|contributors?|states?)\b",
    re.IGNORECASE,
)


def stated_partner_counts(text: str) -> list[int]:
    """The exact partner counts a description states ("4 partner countries"); counts
    qualified as a floor or estimate ("more than 20 partner nations") are left out."""
    counts = []
    for match in STATED_PARTNERS.finditer(text or ""):
        if match.group("qualifier"):
            continue
        value = match.group("n").lower()
        counts.append(int(value) if value.isdigit() else NUMBERS[value])
    return counts


def descriptions_contradicting_rows() -> dict[int, str]:
    mission = kinds.model("missions")
    found = {}
    for item in mission.objects.with_partner_contributors().order_by("pk"):
        stated = stated_partner_counts(item.description)
        if stated and item.partner_contributors > max(stated):
            found[item.pk] = (
                f"{item}: the description states {max(stated)} partner nations, "
                f"but {item.partner_contributors} partner contributors are recorded."
            )
    return found
