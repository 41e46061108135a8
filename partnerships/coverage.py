"""Coverage, stated: what a mission's or framework's best source counts, beside what is
recorded here, in a sentence a reader can check ("5 of at least 19 partner contributors
recorded"). The counts come from :class:`partnerships.models.Coverage`; what is recorded is
counted by the apps' QuerySets (``partner_contributors`` on missions, ``participants_on_day``
on frameworks) and passed in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Stated:
    """One count a source gives."""

    count: int
    at_least: bool
    statement: str
    source: object  # partnerships.models.Source
    date: str  # as displayed, "" when the statement is not dated

    @property
    def as_text(self) -> str:
        return f"{'at least ' if self.at_least else ''}{self.count}"


def stated(obj, count: str) -> Stated | None:
    number = getattr(obj, f"coverage_{count}")
    if number is None:
        return None
    return Stated(
        number,
        getattr(obj, f"coverage_{count}_at_least"),
        getattr(obj, f"coverage_{count}_statement"),
        getattr(obj, f"coverage_{count}_source"),
        obj.coverage_date_display(count),
    )


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def mission_coverage(mission, recorded: int) -> dict | None:
    """A mission's partner contributors recorded against its source's count.

    A source counts at one moment (at launch, at its height, in a month), so over the whole
    mission there were at least that many: the stated count is a floor.
    """
    nations, partners = stated(mission, "nations"), stated(mission, "partners")
    if nations is None and partners is None:
        return None
    if partners is not None:
        summary = f"{recorded} of at least {partners.count} partner contributors recorded"
        gap = partners.count - recorded
        if gap > 0:
            missing = (
                f"The source counts {partners.count} partner (non-NATO) nations"
                f"{' on ' + partners.date if partners.date else ''}; "
                f"{_plural(gap, 'of them is', 'of them are')} not recorded here yet."
            )
        else:
            missing = (
                "At least as many partner contributors are recorded as the source counts; "
                f"it counts one moment{' (' + partners.date + ')' if partners.date else ''} "
                "and the rows span the whole mission, so this does not show that every nation "
                "it counts is among them."
            )
    else:
        summary = (
            f"{recorded} partner contributors recorded; the source counts "
            f"{nations.as_text} nations in all, Allies and partners"
        )
        missing = (
            "The source does not say how many of those nations were partners, so how many "
            "partner contributors are missing here cannot be counted."
        )
    return {
        "nations": nations,
        "partners": partners,
        "recorded": recorded,
        "summary": summary,
        "missing": missing,
    }


def framework_coverage(framework, recorded: int) -> dict | None:
    """A framework's current members recorded against NATO's count of its partners."""
    nations, partners = stated(framework, "nations"), stated(framework, "partners")
    if partners is None and nations is None:
        return None
    if partners is None:
        return {
            "nations": nations,
            "partners": None,
            "recorded": recorded,
            "summary": f"{recorded} members recorded",
            "missing": "NATO's count of its partner members is not recorded.",
        }
    summary = f"{recorded} of {partners.as_text} members recorded"
    gap = partners.count - recorded
    if gap > 0:
        missing = (
            f"NATO counts {partners.count} partner members"
            f"{' (' + partners.date + ')' if partners.date else ''}; "
            f"{_plural(gap, 'is', 'are')} not recorded here as current members."
        )
    elif gap < 0:
        missing = (
            f"More current members are recorded ({recorded}) than NATO counts "
            f"({partners.count}"
            f"{', ' + partners.date if partners.date else ''}): a participation may lack its end, "
            "or members joined since that count."
        )
    else:
        missing = "Every member NATO counts is recorded."
    return {
        "nations": nations,
        "partners": partners,
        "recorded": recorded,
        "summary": summary,
        "missing": missing,
    }
