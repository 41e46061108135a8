"""The bulk CSV import at the size it allows: the API's rules and messages for every row,
a number of queries that does not depend on the number of rows (preview and commit), and
set-wise writes that leave the same records, spans and history as a save does."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frameworks.models import Participation
from missions.models import Contribution, ContributionFigure
from partnerships.dates import Precision
from partnerships.provenance.bulk_import import run_import
from partnerships.provenance.recording import REASON_MAX_LENGTH
from partnerships.validation import YEAR_RANGE_MESSAGE
from tests.factories import (
    ContributionFactory,
    FrameworkFactory,
    MissionFactory,
    ParticipationFactory,
    PartnerFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

SMALL = 10


def large() -> int:
    # SQLite takes at most 999 parameters a statement, so its inserts go in batches of ~60
    # rows; PostgreSQL writes a table's rows in one statement whatever their number.
    return 200 if connection.vendor == "postgresql" else 60


def to_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def counted(kind: str, text: str, **kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        result = run_import(kind, text, **kwargs)
    assert result.valid, result.problems[:3]
    assert result.committed == kwargs.get("commit", False)
    return len(ctx.captured_queries)


# -- the same rules and messages as the API -------------------------------------------------


def api_refusal(api, path: str, payload: dict) -> dict[str, list[str]]:
    response = api.post(path, payload, format="json")
    assert response.status_code == 400, response.content[:300]
    return {field: [str(m) for m in messages] for field, messages in response.json().items()}


def import_refusal(kind: str, row: dict) -> dict[str, list[str]]:
    result = run_import(kind, to_csv([row]), commit=True, reason="test")
    assert not result.committed
    found: dict[str, list[str]] = {}
    for _, _, field, message in result.problems:
        found.setdefault(field or "non_field_errors", []).append(message)
    return found


@pytest.fixture
def contribution_case(api, curator):
    api.force_authenticate(curator)
    partner, mission, source = PartnerFactory(), MissionFactory(), SourceFactory()
    ContributionFactory(
        partner=partner, mission=mission, start=dt.date(2010, 10, 1),
        start_precision=Precision.MONTH,
    )  # fmt: skip
    payload = {
        "partner": partner.iso3,
        "mission": mission.slug,
        "start": "2001-03",
        "end": "2005-06",
        "roles": ["troops"],
        "description": "Staff officers",
        "sources": [source.key],
    }
    return api, payload


def same_refusal(imported: dict, api: dict) -> bool:
    """The import names the fields the API names, each with the API's messages. The API
    may add the table's check constraint restating a field's problem ("__all__": "The end
    cannot be before the start."): the import checks those rules with the model's
    ``clean()`` and leaves the constraints to the database."""
    assert imported, "the import took a row the API refuses"
    extra = set(api) - set(imported)
    assert extra <= {"__all__"}, (imported, api)
    return all(api.get(field) == messages for field, messages in imported.items())


def as_row(payload: dict) -> dict:
    return {k: "; ".join(v) if isinstance(v, list) else v for k, v in payload.items()}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"start": "2001-13"}, "start"),  # not a date
        ({"start": "2001-02-30"}, "start"),
        ({"end": "9999"}, "end"),  # out of the years the knowledge base takes
        ({"start": "1998"}, "start"),  # before its mission began
        ({"start": "2004", "end": "2002"}, "end"),  # ends before it starts
        ({"start": "2010-10-15", "end": ""}, "start"),  # overlaps the partner's other one
        ({"description": "Staff\x00officers"}, "description"),  # NUL
    ],
)
def test_a_contribution_the_api_refuses_the_import_refuses_with_its_message(
    contribution_case, change, field
):
    api, payload = contribution_case
    refused = api_refusal(api, "/api/v1/contributions/", {**payload, **change})
    assert same_refusal(import_refusal("contributions", as_row({**payload, **change})), refused)
    assert field in refused
    if change.get("end") == "9999":
        assert YEAR_RANGE_MESSAGE in refused[field][0]


@pytest.mark.parametrize(
    "change, field",
    [({"roles": ["cooks"]}, "roles"), ({"mission": "no-such-mission"}, "mission")],
)
def test_an_unknown_name_is_refused_on_the_same_field_in_the_curators_terms(
    contribution_case, change, field
):
    api, payload = contribution_case
    refused = api_refusal(api, "/api/v1/contributions/", {**payload, **change})
    assert list(refused) == [field]
    problems = import_refusal("contributions", as_row({**payload, **change}))
    assert list(problems) == [field]
    # The import words it for a curator (the valid roles listed, a close slug suggested).
    assert "not one of" in problems[field][0] or "Unknown mission" in problems[field][0]


def test_a_contribution_without_roles_is_taken_by_both(contribution_case):
    api, payload = contribution_case
    payload = {**payload, "roles": []}
    result = run_import("contributions", to_csv([as_row(payload)]), commit=True)
    assert result.committed, result.problems
    Contribution.objects.filter(start=dt.date(2001, 3, 1)).delete()
    response = api.post("/api/v1/contributions/", payload, format="json")
    assert response.status_code == 201, response.content[:300]


def test_a_figure_the_api_refuses_the_import_refuses_with_its_message(api, curator):
    api.force_authenticate(curator)
    contribution, source = ContributionFactory(), SourceFactory()
    payload = {
        "contribution": contribution.pk,
        "as_of": "2010-06",
        "personnel": 150,
        "measure": "snapshot",
        "estimate": False,
        "source": source.pk,
        "notes": "",
    }
    for change, field in [
        ({"personnel": -3}, "personnel"),
        ({"as_of": "9999"}, "as_of"),
        ({"measure": "guess"}, "measure"),
        ({"notes": "a\x00b"}, "notes"),
    ]:
        refused = api_refusal(api, "/api/v1/figures/", {**payload, **change})
        assert field in refused
        row = {**payload, **change, "source": source.key, "estimate": "false"}
        assert same_refusal(import_refusal("figures", row), refused), change


def test_a_participation_the_api_refuses_the_import_refuses_with_its_message(api, curator):
    api.force_authenticate(curator)
    framework, source = FrameworkFactory(members_only_partners=False), SourceFactory()
    existing = ParticipationFactory(framework=framework)
    payload = {
        "partner": existing.partner.iso3,
        "framework": framework.slug,
        "start": "2001",
        "end": "2003",
        "status": "active",
        "notes": "",
        "sources": [source.key],
    }
    for change in [{}, {"start": "1994-06", "end": "1995-06", "status": "ended"}]:
        refused = api_refusal(api, "/api/v1/participations/", {**payload, **change})
        imported = import_refusal("participations", as_row({**payload, **change}))
        assert same_refusal(imported, refused)


# -- a fixed number of queries ---------------------------------------------------------------


def contribution_rows(count: int, start: str = "2001-03") -> list[dict]:
    source = SourceFactory()
    partners = [PartnerFactory() for _ in range(count // 10)]
    missions = [MissionFactory() for _ in range(10)]
    return [
        {"partner": p.iso3, "mission": m.slug, "start": start, "end": "", "roles": "troops",
         "description": "", "sources": source.key}
        for p in partners
        for m in missions
    ]  # fmt: skip


def test_contributions_preview_and_commit_cost_the_same_queries_at_any_size():
    small, big = contribution_rows(SMALL), contribution_rows(large())
    preview = counted("contributions", to_csv(small), commit=False)
    assert counted("contributions", to_csv(big), commit=False) == preview
    commit = counted("contributions", to_csv(small), commit=True)
    assert counted("contributions", to_csv(big), commit=True) == commit
    assert Contribution.objects.count() == SMALL + large()
    # The same files again, every row an update (a new description and a second source).
    extra = SourceFactory()
    for rows in (small, big):
        for row in rows:
            row.update(description="Revised", sources=f"{row['sources']}; {extra.key}")
    update = counted("contributions", to_csv(small), commit=True, reason="Revised")
    assert counted("contributions", to_csv(big), commit=True, reason="Revised") == update
    assert Contribution.objects.count() == SMALL + large()
    assert set(Contribution.objects.values_list("description", flat=True)) == {"Revised"}
    assert all(c.sources.count() == 2 for c in Contribution.objects.all()[:5])


def figure_rows(count: int) -> list[dict]:
    contributions = [ContributionFactory() for _ in range(count // 10)]
    source = SourceFactory()
    return [
        {"contribution": c.pk, "as_of": f"2010-{month:02d}", "personnel": 100 + month,
         "measure": "snapshot", "estimate": "false", "source": source.key}
        for c in contributions
        for month in range(1, 11)
    ]  # fmt: skip


def test_figures_preview_and_commit_cost_the_same_queries_at_any_size():
    small, big = to_csv(figure_rows(SMALL)), to_csv(figure_rows(large()))
    assert counted("figures", small, commit=False) == counted("figures", big, commit=False)
    assert counted("figures", small, commit=True) == counted("figures", big, commit=True)
    assert ContributionFigure.objects.count() == SMALL + large()


def participation_rows(count: int) -> list[dict]:
    source = SourceFactory()
    partners = [PartnerFactory() for _ in range(count // 10)]
    frameworks = [FrameworkFactory(members_only_partners=False) for _ in range(10)]
    return [
        {"partner": p.iso3, "framework": f.slug, "start": "1996-10", "end": "",
         "status": "active", "notes": "", "sources": source.key}
        for p in partners
        for f in frameworks
    ]  # fmt: skip


def test_participations_preview_and_commit_cost_the_same_queries_at_any_size():
    small, big = to_csv(participation_rows(SMALL)), to_csv(participation_rows(large()))
    assert counted("participations", small, commit=False) == counted(
        "participations", big, commit=False
    )
    assert counted("participations", small, commit=True) == counted(
        "participations", big, commit=True
    )
    assert Participation.objects.count() == SMALL + large()


def test_overlapping_participations_of_one_file_are_refused():
    source, partner = SourceFactory(), PartnerFactory()
    framework = FrameworkFactory(members_only_partners=False)
    text = to_csv([
        {"partner": partner.iso3, "framework": framework.slug, "start": start,
         "status": "active", "sources": source.key}
        for start in ("1996", "1997-05")
    ])  # fmt: skip
    result = run_import("participations", text, commit=True)
    assert not result.committed
    (bad,) = result.errors
    assert bad.line == 3 and "overlaps" in bad.problems[0][1]


# -- what the writes leave ----------------------------------------------------------------------


def test_an_update_moving_a_start_moves_the_spans_the_as_of_rule_reads():
    contribution = ContributionFactory(start=dt.date(2001, 1, 1), start_precision=Precision.YEAR)
    source = contribution.sources.get()
    text = to_csv([
        {"id": contribution.pk, "partner": contribution.partner.iso3,
         "mission": contribution.mission.slug, "start": "2003-05", "roles": "troops",
         "sources": source.key},
    ])  # fmt: skip
    preview = run_import("contributions", text, commit=False)
    (row,) = preview.rows
    assert [(c.field, c.before, c.after) for c in row.changes] == [("Start", "2001", "May 2003")]
    result = run_import("contributions", text, commit=True, reason="Per the 2003 order")
    assert result.committed, result.problems
    contribution.refresh_from_db()
    assert (contribution.start, contribution.covers_from, contribution.certain_from) == (
        dt.date(2003, 5, 1),
        dt.date(2003, 5, 1),
        dt.date(2003, 5, 31),
    )


def history_values(record) -> dict:
    skip = {"history_id", "history_date", "history_change_reason", "history_user",
            "history_type", "created", "updated", "id"}  # fmt: skip
    return {
        f.attname: getattr(record, f.attname)
        for f in record._meta.concrete_fields
        if f.name not in skip
    }


def test_imported_history_is_what_a_save_records(curator, rf):
    source = SourceFactory()
    saved = ContributionFactory(description="Saved", sources=[source])
    partner = PartnerFactory()
    request = rf.post("/")
    request.user = curator
    text = to_csv([
        {"partner": partner.iso3, "mission": saved.mission.slug, "start": "2000",
         "roles": "troops", "description": "Saved", "sources": source.key},
    ])  # fmt: skip
    result = run_import("contributions", text, commit=True, request=request)
    assert result.committed, result.problems
    imported = Contribution.objects.get(partner=partner)
    made, kept = imported.history.get(), saved.history.first()
    assert made.history_type == "+" and made.history_user == curator
    assert made.history_change_reason == "bulk CSV import"
    assert history_values(made) == {**history_values(kept), "partner_id": partner.pk}
    assert (made.id, made.created, made.updated) == (
        imported.pk,
        imported.created,
        imported.updated,
    )
    assert [s.source_id for s in made.sources.all()] == [source.pk]
    assert [r.role.slug for r in made.roles.all()] == ["troops"]
    # An update: a "~" version with the reason (cut to what history keeps) and the links.
    other = SourceFactory()
    edit = text.replace(f",{source.key}", f",{other.key}").replace("Saved", "Edited")
    reason = "Per the 2010 placemat. " * 10
    assert run_import("contributions", edit, commit=True, reason=reason).committed
    imported.refresh_from_db()
    latest = imported.history.first()
    assert (latest.history_type, latest.description) == ("~", "Edited")
    assert latest.history_change_reason == reason[:REASON_MAX_LENGTH]
    assert latest.updated == imported.updated
    assert [s.source_id for s in latest.sources.all()] == [other.pk]
    assert imported.history.count() == 2


def test_a_failing_commit_writes_nothing(monkeypatch):
    rows = contribution_rows(SMALL)
    from partnerships.provenance import bulk_import

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(bulk_import, "record_link_history", broken)
    with pytest.raises(RuntimeError):
        run_import("contributions", to_csv(rows), commit=True)
    assert not Contribution.objects.exists()
    assert not Contribution.history.exists()
