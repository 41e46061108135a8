"""A partner's status on a day: ally, partner, suspended or former.

The rule is stated twice, side by side, and a test holds them equal
(``tests/partnerships/test_status.py``): in SQL for filters and annotations over many
partners (:func:`partner_status_q`, :func:`with_status`), and in Python for a partner whose
participations on the day are already loaded (:func:`partner_status`).

- ally: acceded to NATO on or before the day;
- partner: not an ally, and in at least one framework on the day with cooperation not
  suspended (a participation that has since ended was active while it lasted);
- suspended: not an ally, in frameworks on the day only with cooperation suspended;
- former: none of these.

A participation's ``status`` is its state now; a row marked suspended is read as suspended
over its whole span, so a suspension is recorded as its own row from its own start (the
cooperation before it as an ended row).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When

from partnerships.dates import active_on_q
from partnerships.provenance.history import rows

STATUSES = ("ally", "partner", "suspended", "former")
STATUS_LABELS = {
    "ally": "NATO Ally",
    "partner": "Partner",
    "suspended": "Cooperation suspended",
    "former": "Former partner",
}


def partner_status_q(status: str, day: dt.date | None = None, when=None) -> Q:
    """Partners whose status on ``day`` (today by default) is ``status``; over history
    as it stood at ``when`` when that is given."""
    day = day or (when.date() if when else dt.date.today())
    on_day = rows("participations", when).filter(active_on_q(day), partner=OuterRef("id"))
    ally = Q(nato_accession__lte=day)
    active = Exists(on_day.exclude(status="suspended"))
    suspended = Exists(on_day.filter(status="suspended"))
    return {
        "ally": ally,
        "partner": ~ally & active,
        "suspended": ~ally & ~active & suspended,
        "former": ~ally & ~active & ~suspended,
    }[status]


def with_status(queryset, day: dt.date | None = None, when: dt.datetime | None = None):
    """Annotate ``status_on`` with each partner's status on ``day`` (today by default), by
    :func:`partner_status_q`; from history when ``when`` is set (then ``queryset`` holds
    historical records)."""
    whens = [
        When(partner_status_q(status, day, when=when), then=Value(status)) for status in STATUSES
    ]
    return queryset.annotate(
        status_on=Case(*whens, default=Value("former"), output_field=CharField())
    )


def partner_status(partner, participations_on_day, day: dt.date | None = None) -> str:
    """The same rule in Python: ``participations_on_day`` are the partner's participations
    active on ``day`` (today by default), already loaded."""
    day = day or dt.date.today()
    if partner.nato_accession and partner.nato_accession <= day:
        return "ally"
    statuses = {p.status for p in participations_on_day}
    if statuses - {"suspended"}:
        return "partner"
    return "suspended" if "suspended" in statuses else "former"
