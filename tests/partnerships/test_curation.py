"""Curating without fear: a reason on every change, no phantom history, no lost update,
restore with children and undo, duplicate guards, one rule for roles, private history."""

import datetime as dt
import re
import textwrap

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from frameworks.models import Participation
from missions.models import Contribution, ContributionFigure, Role
from partnerships.dates import Precision
from partnerships.models import Milestone, Partner, Source
from partnerships.provenance.locking import is_stale, version_of
from partnerships.provenance.recording import recording
from partnerships.provenance.releases import curated_models, make_release
from tests.factories import (
    ContributionFactory,
    CooperationAreaFactory,
    FigureFactory,
    FrameworkFactory,
    MilestoneFactory,
    MissionFactory,
    ParticipationFactory,
    PartnerFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def history_rows() -> int:
    return sum(m.history.count() for m in curated_models())


def change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def _field_data(bound) -> list | str | None:
    value = bound.value()
    if isinstance(value, bool):
        return "on" if value else None
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def page_form_data(response) -> dict:
    """What the admin change page's form would post untouched: the main form, each inline
    formset's management form and rows."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for bound in form:
            value = _field_data(bound)
            if value is not None:
                data[bound.html_name] = value
                if bound.field.show_hidden_initial:  # rendered beside it, posted with it
                    data[bound.html_initial_name] = value
    return data


def post_page(client, obj, **changes):
    response = client.get(change_url(obj))
    assert response.status_code == 200
    data = {**page_form_data(response), **changes}
    return client.post(change_url(obj), data)


def form_errors(response):
    if response.context is None or "adminform" not in response.context:
        return response.status_code
    return response.context["adminform"].form.errors, [
        f.formset.errors for f in response.context["inline_admin_formsets"]
    ]


# -- no phantom history ---------------------------------------------------------------------------


def every_kind():
    """One object of every curated model with an admin, a partner holding every inline kind
    (a contribution without a role among them)."""
    partner = PartnerFactory(other_names=["Old name"])
    MilestoneFactory(partner=partner, date=dt.date(1994, 1, 1), date_precision=Precision.YEAR)
    ParticipationFactory(partner=partner, start=dt.date(1995, 3, 1), start_precision="month")
    mission = MissionFactory(hosts=["RS", "MK"])
    contribution = ContributionFactory(partner=partner, mission=mission)
    contribution.roles.clear()
    FigureFactory(contribution=contribution, as_of=dt.date(2005, 1, 1), as_of_precision="year")
    CooperationAreaFactory()
    return partner


def test_saving_every_admin_change_form_untouched_writes_no_history_and_no_log(client, curator):
    client.force_login(curator)
    every_kind()
    models = [m for m in curated_models() if m in admin.site._registry]
    assert {m.__name__ for m in models} >= {
        "Source",
        "Partner",
        "Milestone",
        "Framework",
        "Participation",
        "Mission",
        "Contribution",
        "ContributionFigure",
        "CooperationArea",
    }
    before = (history_rows(), LogEntry.objects.count())
    for model in models:
        obj = model.objects.order_by("pk").first()
        updated = obj.updated
        response = post_page(client, obj)
        assert response.status_code == 302, (model, form_errors(response))
        obj.refresh_from_db()
        assert obj.updated == updated, model  # the version did not move
    assert (history_rows(), LogEntry.objects.count()) == before


def test_date_fields_report_a_change_only_when_the_date_or_precision_changes(client, curator):
    client.force_login(curator)
    milestone = MilestoneFactory(date=dt.date(1995, 11, 1), date_precision=Precision.MONTH)
    versions = milestone.history.count()
    response = post_page(client, milestone, date="1995-11-01", change_reason="Day now known")
    assert response.status_code == 302, form_errors(response)
    milestone.refresh_from_db()
    assert (milestone.date_precision, milestone.history.count()) == ("day", versions + 1)
    assert milestone.history.latest().history_change_reason == "Day now known"


def test_a_fresh_load_writes_one_created_version_per_fact(tmp_path):
    root = tmp_path / "data"
    files = {
        "sources": """
            - key: kfor-page
              title: KFOR
              publisher: NATO
              url: https://www.nato.int/kfor
              tier: official
        """,
        "cooperation_areas": "",
        "partners": """
            - iso3: FIN
              name: Finland
              region: europe
              sources: [kfor-page]
        """,
        "missions": """
            - slug: kfor
              name: Kosovo Force
              acronym: KFOR
              kind: peace-support
              region: western-balkans
              start: "1999-06-12"
              sources: [kfor-page]
        """,
        "contributions": """
            - partner: FIN
              mission: kfor
              start: "2000"
              end: "2010"
              roles: [troops, staff-officers]
              sources: [kfor-page]
              figures:
                - {as_of: "2005-06", personnel: 800, source: kfor-page}
            - partner: FIN
              mission: kfor
              start: "2015"
              description: Took part; the form is not recorded (no role).
              sources: [kfor-page]
        """,
    }
    for folder, text in files.items():
        (root / folder).mkdir(parents=True)
        (root / folder / "main.yaml").write_text(textwrap.dedent(text))
    call_command("load_knowledge", data=str(root))
    for model in (Source, Partner, Contribution, ContributionFigure):
        types = list(model.history.values_list("history_type", flat=True))
        assert types == ["+"] * model.objects.count(), model
    first = Contribution.objects.get(start__year=2000).history.get()
    assert {r.role.slug for r in first.roles.all()} == {"troops", "staff-officers"}
    assert first.history_change_reason.startswith("load_knowledge: ")
    assert not Contribution.objects.get(start__year=2015).roles.exists()


# -- a reason on every change ---------------------------------------------------------------------


def test_changing_a_published_fact_needs_a_reason_kept_in_one_version(client, curator):
    client.force_login(curator)
    contribution = ContributionFactory(description="Old")
    extra = SourceFactory()
    versions = contribution.history.count()
    sources = [str(s.pk) for s in contribution.sources.all()] + [str(extra.pk)]
    response = post_page(client, contribution, description="New", sources=sources)
    assert response.status_code == 200
    assert "change_reason" in response.context["adminform"].form.errors
    assert contribution.history.count() == versions

    response = post_page(
        client, contribution, description="New", sources=sources, change_reason="Per the placemat"
    )
    assert response.status_code == 302, form_errors(response)
    # The field and the new source: one version, with its reason and user.
    assert contribution.history.count() == versions + 1
    record = contribution.history.latest()
    assert (record.description, record.history_change_reason, record.history_user) == (
        "New",
        "Per the placemat",
        curator,
    )
    assert extra.pk in {link.source_id for link in record.sources.all()}
    html = client.get(f"/history/missions/contribution/{contribution.pk}/").content.decode()
    assert "Reason: Per the placemat" in html
    assert "Per the placemat" in client.get("/history/").content.decode()


def test_a_new_fact_needs_no_reason(client, curator):
    client.force_login(curator)
    source = SourceFactory()
    response = client.post(
        reverse("admin:partnerships_cooperationarea_add"),
        {"slug": "cyber", "name": "Cyber defence", "description": ""},
    )
    assert response.status_code == 302, form_errors(response)
    response = client.post(
        reverse("admin:partnerships_milestone_add"),
        {
            "partner": PartnerFactory().pk,
            "date": "1994",
            "kind": "joins",
            "title": "Joins PfP",
            "sources": [source.pk],
            "change_reason": "From the signature list",
        },
    )
    assert response.status_code == 302, form_errors(response)
    assert Milestone.history.get().history_change_reason == "From the signature list"


def test_changing_an_inline_row_of_a_published_record_needs_the_reason(client, curator):
    client.force_login(curator)
    figure = FigureFactory(personnel=100)
    contribution = figure.contribution
    response = post_page(client, contribution, **{"figures-0-personnel": "150"})
    assert response.status_code == 200
    assert "reason" in str(response.context["inline_admin_formsets"][0].formset.non_form_errors())
    # Summarised at the top of the page too.
    assert "inline row error" in response.content.decode()
    response = post_page(
        client, contribution, **{"figures-0-personnel": "150"}, change_reason="Corrected"
    )
    assert response.status_code == 302, form_errors(response)
    assert figure.history.latest().history_change_reason == "Corrected"


def test_inline_errors_are_listed_at_the_top_by_row_label(client, curator):
    client.force_login(curator)
    partner = PartnerFactory()
    contribution = ContributionFactory(partner=partner, start=dt.date(2004, 2, 1))
    response = post_page(
        client, partner, change_reason="Fix", **{"contributions-0-start": "2004-13"}
    )
    assert response.status_code == 200
    message = next(str(m) for m in response.context["messages"])
    assert "Contributions" in message and str(contribution) in message and "Start" in message


# -- optimistic locking ---------------------------------------------------------------------------


def test_version_of_and_is_stale():
    partner = PartnerFactory()
    seen = version_of(partner)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", seen)
    assert not is_stale(partner, seen) and not is_stale(partner, "") and not is_stale(partner, None)
    assert not is_stale(partner, seen.replace("+00:00", "Z"))
    assert is_stale(partner, "2001-01-01T00:00:00+00:00") and is_stale(partner, "garbage")


def test_a_stale_save_is_refused_showing_both_versions(client, curator):
    client.force_login(curator)
    contribution = ContributionFactory(description="Original")
    opened = page_form_data(client.get(change_url(contribution)))
    # Another curator saves a new description meanwhile.
    contribution.description = "Their description"
    contribution._change_reason = "theirs"
    contribution.save()
    data = {**opened, "end": "2010", "change_reason": "mine"}
    response = client.post(change_url(contribution), data)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "changed by someone else" in errors
    assert "Original" in errors and "Their description" in errors  # yours and stored
    contribution.refresh_from_db()
    assert (contribution.description, contribution.end) == ("Their description", None)
    # The form now carries the stored version: saving again is a conscious overwrite.
    form = response.context["adminform"].form
    assert form["seen_version"].value() == version_of(contribution)


def test_a_change_of_links_alone_moves_the_version():
    partner = PartnerFactory()
    seen = version_of(partner)
    partner.sources.add(SourceFactory())
    partner.refresh_from_db()
    assert is_stale(partner, seen)


# -- delete, undo, restore with children ----------------------------------------------------------


def test_delete_needs_a_reason_and_offers_an_undo_restoring_the_figures(client, curator):
    client.force_login(curator)
    figure = FigureFactory()
    contribution = figure.contribution
    sources = set(contribution.sources.values_list("pk", flat=True))
    url = reverse("admin:missions_contribution_delete", args=[contribution.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 200 and "reason is required" in response.content.decode()
    assert Contribution.objects.filter(pk=contribution.pk).exists()

    response = client.post(url, {"post": "yes", "change_reason": "Duplicate record"}, follow=True)
    assert not Contribution.objects.filter(pk=contribution.pk).exists()
    assert not ContributionFigure.objects.filter(pk=figure.pk).exists()
    deleted = ContributionFigure.history.filter(id=figure.pk, history_type="-").get()
    assert deleted.history_change_reason == "Duplicate record"  # the cascade too
    html = response.content.decode()
    restore_url = reverse("admin:missions_contribution_restore", args=[contribution.pk])
    assert f'action="{restore_url}"' in html and "Undo" in html

    response = client.post(restore_url, {"change_reason": "undo: Duplicate record"})
    assert response.status_code == 302
    restored = Contribution.objects.get(pk=contribution.pk)
    assert set(restored.sources.values_list("pk", flat=True)) == sources
    assert ContributionFigure.objects.filter(pk=figure.pk, contribution=restored).exists()
    assert restored.history.latest().history_change_reason == "undo: Duplicate record"


def test_restoring_a_partner_brings_back_its_facts(client, curator):
    client.force_login(curator)
    partner = PartnerFactory()
    MilestoneFactory(partner=partner)
    ParticipationFactory(partner=partner)
    FigureFactory(contribution=ContributionFactory(partner=partner))
    counts = (
        Milestone.objects.count(),
        Participation.objects.count(),
        Contribution.objects.count(),
    )
    url = reverse("admin:partnerships_partner_delete", args=[partner.pk])
    page = client.get(url).content.decode()
    # The confirmation lists and counts what goes with it.
    for words in ("Milestones: 1", "Participations: 1", "Contributions: 1", "Figures: 1"):
        assert words.lower() in page.lower(), words
    client.post(url, {"post": "yes", "change_reason": "Test entry"})
    assert not Contribution.objects.exists() and not ContributionFigure.objects.exists()
    restore_url = reverse("admin:partnerships_partner_restore", args=[partner.pk])
    client.post(restore_url, {"change_reason": "Deleted by mistake"})
    assert Partner.objects.filter(pk=partner.pk).exists()
    after = (Milestone.objects.count(), Participation.objects.count(), Contribution.objects.count())
    assert after == counts and ContributionFigure.objects.count() == 1


def test_bulk_delete_needs_a_reason(client, curator):
    client.force_login(curator)
    milestones = [MilestoneFactory(), MilestoneFactory()]
    url = reverse("admin:partnerships_milestone_changelist")
    data = {"action": "delete_selected", "_selected_action": [m.pk for m in milestones]}
    response = client.post(url, {**data, "post": "yes"})
    assert response.status_code == 200 and "reason is required" in response.content.decode()
    assert Milestone.objects.count() == 2
    client.post(url, {**data, "post": "yes", "change_reason": "Both were duplicates"})
    assert not Milestone.objects.exists()
    reasons = set(Milestone.history.filter(history_type="-").values_list("history_change_reason"))
    assert reasons == {("Both were duplicates",)}


def undo_form_of(html: str) -> tuple[str, dict]:
    """The action and fields of the undo form in a page's messages."""
    form = re.search(r'<form method="post" action="([^"]+)" class="undo-form">(.*?)</form>', html)
    assert form, "no undo form"
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    return form.group(1), fields


def test_a_bulk_delete_offers_one_undo_restoring_everything_with_its_children(client, curator):
    client.force_login(curator)
    figures = [FigureFactory(), FigureFactory(), FigureFactory()]
    contributions = [f.contribution for f in figures]
    kept_sources = {c.pk: set(c.sources.values_list("pk", flat=True)) for c in contributions}
    url = reverse("admin:missions_contribution_changelist")
    data = {"action": "delete_selected", "_selected_action": [c.pk for c in contributions]}
    response = client.post(
        url, {**data, "post": "yes", "change_reason": "Imported twice"}, follow=True
    )
    assert not Contribution.objects.exists() and not ContributionFigure.objects.exists()
    html = response.content.decode()
    action, fields = undo_form_of(html)
    assert action == reverse("admin:missions_contribution_undo_deletion")
    assert "Undo: restore these 3 contributions" in html
    assert fields["change_reason"] == "undo: Imported twice"
    assert fields["csrfmiddlewaretoken"] and fields["deleted_at"]

    # Meanwhile another curator restored one of them on its own: skipped, and said so.
    first = contributions[0]
    client.post(
        reverse("admin:missions_contribution_restore", args=[first.pk]),
        {"change_reason": "Needed after all"},
    )
    assert Contribution.objects.filter(pk=first.pk).exists()

    done = client.post(action, fields, follow=True)
    page = done.content.decode()
    assert "Restored 2 contributions, with 2 row(s) deleted with them" in page
    assert f"#{first.pk} (already back)" in page
    assert set(Contribution.objects.values_list("pk", flat=True)) == {c.pk for c in contributions}
    assert set(ContributionFigure.objects.values_list("pk", flat=True)) == {f.pk for f in figures}
    for contribution in Contribution.objects.all():
        assert (
            set(contribution.sources.values_list("pk", flat=True)) == kept_sources[contribution.pk]
        )
    for contribution in contributions[1:]:
        latest = Contribution.history.filter(id=contribution.pk).latest()
        assert latest.history_change_reason == "undo: Imported twice"
        assert latest.history_user == curator
    figure = ContributionFigure.history.filter(id=figures[1].pk).latest()
    assert figure.history_type == "+" and figure.history_change_reason == "undo: Imported twice"
    # Undoing again finds nothing left to restore.
    again = client.post(action, fields, follow=True).content.decode()
    assert "Skipped 3" in again and "Restored" not in again


def test_a_bulk_delete_of_milestones_is_undone_with_its_reason(client, curator):
    client.force_login(curator)
    milestones = [MilestoneFactory(), MilestoneFactory()]
    url = reverse("admin:partnerships_milestone_changelist")
    data = {"action": "delete_selected", "_selected_action": [m.pk for m in milestones]}
    response = client.post(
        url, {**data, "post": "yes", "change_reason": "Wrong partner"}, follow=True
    )
    action, fields = undo_form_of(response.content.decode())
    client.post(action, fields)
    assert Milestone.objects.count() == 2
    reasons = {m.history.latest().history_change_reason for m in Milestone.objects.all()}
    assert reasons == {"undo: Wrong partner"}


def test_the_bulk_undo_is_a_post_with_csrf_and_the_permission(client, curator, reader):
    client.force_login(curator)
    milestone = MilestoneFactory()
    url = reverse("admin:partnerships_milestone_changelist")
    data = {"action": "delete_selected", "_selected_action": [milestone.pk]}
    response = client.post(url, {**data, "post": "yes", "change_reason": "Gone"}, follow=True)
    action, fields = undo_form_of(response.content.decode())
    assert client.get(action).status_code == 403
    strict = type(client)(enforce_csrf_checks=True)
    strict.force_login(curator)
    without_token = {k: v for k, v in fields.items() if k != "csrfmiddlewaretoken"}
    assert strict.post(action, without_token).status_code == 403
    client.force_login(reader)  # not staff: the admin sends it to the login page
    assert client.post(action, fields).status_code == 302
    assert not Milestone.objects.exists()
    viewer = UserFactory(is_staff=True)  # staff without the add permission
    client.force_login(viewer)
    assert client.post(action, fields).status_code == 403
    assert not Milestone.objects.exists()
    client.force_login(curator)
    assert client.post(action, {**fields, "deleted_at": "yesterday"}).status_code == 302
    assert not Milestone.objects.exists()
    client.post(action, fields)
    assert Milestone.objects.filter(pk=milestone.pk).exists()


# -- duplicate guards -----------------------------------------------------------------------------


def test_a_second_source_of_one_document_is_refused_with_a_link(client, curator):
    client.force_login(curator)
    first = SourceFactory(url="https://www.nato.int/cps/en/natohq/topics_52060.htm")
    response = client.post(
        reverse("admin:partnerships_source_add"),
        {
            "key": "again",
            "title": "Again",
            "publisher": "NATO",
            "kind": "official",
            "tier": "official",
            "url": "http://nato.int/cps/en/natohq/topics_52060.htm/",
        },
    )
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors["url"])
    assert change_url(first) in errors and first.key in errors
    assert Source.objects.count() == 1


def test_merging_sources_repoints_every_citation_with_history(client, curator):
    client.force_login(curator)
    keep, other = SourceFactory(), SourceFactory()
    partner = PartnerFactory(sources=[other])
    contribution = ContributionFactory(partner=partner, sources=[other])
    figure = FigureFactory(contribution=contribution, source=other)
    mission = contribution.mission
    mission.coverage_nations, mission.coverage_nations_statement = 30, "30 nations"
    mission.coverage_nations_source = other
    mission.save()
    url = reverse("admin:partnerships_source_changelist")
    data = {"action": "merge_sources", "_selected_action": [keep.pk, other.pk]}
    page = client.post(url, data)
    assert page.status_code == 200 and "Keep this source" in page.content.decode()
    client.post(url, {**data, "merge": "yes", "keep": keep.pk, "change_reason": "One document"})
    assert not Source.objects.filter(pk=other.pk).exists()
    assert list(partner.sources.all()) == [keep] == list(contribution.sources.all())
    figure.refresh_from_db()
    mission.refresh_from_db()
    assert figure.source == keep == mission.coverage_nations_source
    assert contribution.history.latest().history_change_reason == "One document"
    assert Source.history.filter(id=other.pk, history_type="-").get().history_change_reason == (
        "One document"
    )


def test_overlapping_contributions_of_a_partner_to_a_mission_are_refused():
    first = ContributionFactory(start=dt.date(2010, 10, 1), start_precision=Precision.MONTH)
    second = Contribution(
        partner=first.partner,
        mission=first.mission,
        start=dt.date(2010, 10, 15),
        start_precision=Precision.DAY,
    )
    with pytest.raises(ValidationError, match="overlaps"):
        second.full_clean()
    first.end, first.end_precision = dt.date(2010, 10, 1), Precision.MONTH
    first.save()
    second.start = dt.date(2010, 11, 1)
    second.full_clean()  # after the first ended: separate periods


# -- one rule for roles ---------------------------------------------------------------------------


def test_a_contribution_without_a_role_is_accepted_everywhere(client, curator):
    """The loader (test above), the admin (its partner's page and its own) and the API
    accept a contribution whose sources do not say in what form it was made."""
    client.force_login(curator)
    contribution = ContributionFactory()
    contribution.roles.clear()
    contribution.full_clean()
    response = post_page(client, contribution.partner, change_reason="Profile", profile="New")
    assert response.status_code == 302, form_errors(response)
    response = post_page(client, contribution, change_reason="Detail", description="Took part")
    assert response.status_code == 302, form_errors(response)
    assert not contribution.roles.exists() and Role.objects.exists()
    payload = {
        "partner": contribution.partner.iso3,
        "mission": MissionFactory().slug,
        "start": "2001",
        "roles": [],
        "sources": [SourceFactory().key],
    }
    response = client.post("/api/v1/contributions/", payload, content_type="application/json")
    assert response.status_code == 201, response.content[:300]


# -- the release changelog says why, and who for staff --------------------------------------------


def test_the_release_changelog_says_why_and_names_curators_only_to_staff(client, reader):
    editor = UserFactory(username="margarethe", curator=True)
    renamed = PartnerFactory(name="Macedonia")
    gone = MilestoneFactory(title="Applies twice")
    make_release("1.0.0")
    with recording(reason="Renamed by the Prespa agreement", user=editor):
        renamed.name = "North Macedonia"
        renamed.save()
    with recording(reason="Joined in 2024", user=editor):
        PartnerFactory(name="Newland")
    with recording(reason="A duplicate of the 1994 application", user=editor):
        gone.delete()
    PartnerFactory(name="Loaded")  # by no one (the loader): no "by" at all
    make_release("1.1.0")

    def api_entries(client) -> dict:
        log = client.get("/api/v1/releases/1.1.0/").json()["changelog"]
        return {
            e["label"]: e for section in log.values() if isinstance(section, dict)
            for kind in section.values() for e in kind
        }  # fmt: skip

    for viewer in (None, reader):  # anonymous, and logged in without staff status
        if viewer is not None:
            client.force_login(viewer)
        page = client.get("/releases/1.1.0/").content.decode()
        for why in ("Renamed by the Prespa agreement", "Joined in 2024", "A duplicate of"):
            assert f"why: {why}" in page
        assert "(by a curator)" in page and "margarethe" not in page
        entries = api_entries(client)
        assert entries["North Macedonia"]["why"] == ["Renamed by the Prespa agreement"]
        assert entries["North Macedonia"]["by"] == ["a curator"]
        (removed,) = [e for label, e in entries.items() if "Applies twice" in label]
        assert removed["by"] == ["a curator"]
        assert entries["Loaded"]["by"] == [] and entries["Loaded"]["why"] == []
        assert "margarethe" not in str(entries)
    client.force_login(editor)  # staff: the names
    page = client.get("/releases/1.1.0/").content.decode()
    assert "(by margarethe)" in page and "a curator" not in page
    entries = api_entries(client)
    assert entries["North Macedonia"]["by"] == entries["Newland"]["by"] == ["margarethe"]


def test_recording_keeps_one_version_for_a_save_and_its_links():
    framework = FrameworkFactory()
    versions = framework.history.count()
    with recording(reason="Two sources"):
        framework.description = "Now with two sources"
        framework.save()
        framework.sources.add(SourceFactory(), SourceFactory())
    assert framework.history.count() == versions + 1
    assert framework.history.latest().sources.count() == 3
