"""A curator's six ordinary tasks, done in the admin as a person does them: add a source, a
contribution and two disagreeing figures; correct a date's precision; delete and restore a
milestone; a CSV round trip (refused while a colleague's edit would be reverted); work the
quality list and the review queue (and rank a figure to resolve a disagreement); make a
release. After each, the database and the pages say what happened:
the history records carry the curator and the reason, exactly as many records are written
as there were changes (none for a save that changes nothing), and the counts on the
curators' pages move. A screenshot per task goes to ``$BROWSER_ARTIFACTS`` (default
``tests/browser/artifacts/``, not versioned)."""

import csv
import datetime as dt
import io
import os
import re
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry

from missions.models import Contribution, Role
from partnerships.dates import Precision
from partnerships.models import Milestone, Release, Source
from partnerships.provenance.recording import recording
from partnerships.provenance.releases import make_release
from partnerships.review import ReviewMark
from tests.factories import (
    ContributionFactory,
    FigureFactory,
    MilestoneFactory,
    MissionFactory,
    PartnerFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", Path(__file__).parent / "artifacts"))
PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


# -- the world a curator works in ----------------------------------------------------------


@pytest.fixture
def world():
    """Tonga, ISAF and KFOR, an official and a press source, and a curator."""
    # Roles come from a data migration that a transactional test's flush may have emptied.
    Role.objects.get_or_create(slug="troops", defaults={"name": "troops"})
    return {
        "curator": UserFactory(username="cora", curator=True),
        "tonga": PartnerFactory(iso3="TON", name="Tonga", region="asia-pacific"),
        "isaf": MissionFactory(
            slug="isaf",
            name="International Security Assistance Force",
            acronym="ISAF",
            start=dt.date(2001, 12, 20),
            start_precision=Precision.DAY,
        ),
        "kfor": MissionFactory(slug="kfor", name="Kosovo Force", acronym="KFOR"),
        "official": SourceFactory(
            key="isaf-placemat-2010-12",
            title="ISAF Key Facts and Figures, December 2010",
            published=dt.date(2010, 12, 1),
            published_precision=Precision.MONTH,
        ),
        "press": SourceFactory(
            key="matangi-tonga-2010",
            title="Tongan marines head for Helmand",
            publisher="Matangi Tonga",
            kind=Source.Kind.PRESS,
            tier=Source.Tier.PRESS,
        ),
    }


@pytest.fixture
def curator_page(page, world):
    """The browser, logged in as the curator through the admin's login form. Every page
    it shows must be free of console errors (a script failing, a style the CSP refused)."""
    errors: list[str] = []
    page.on(
        "console",
        lambda message: message.type == "error" and errors.append(f"{page.url}: {message.text}"),
    )
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.goto(page.base + "/admin/")
    page.get_by_label("Username").fill(world["curator"].username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert page.url.endswith("/admin/"), "the curator is logged in"
    yield page
    assert errors == [], "console errors on the curator's pages"


# -- what a person does with the admin's widgets -------------------------------------------


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"curator-{name}.png"), full_page=True)


def pick(page, select_id: str, typed: str, option: str | None = None) -> None:
    """Choose in an autocomplete (select2): open it, type, click the matching answer."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill(typed)
    answer = page.locator(
        ".select2-container--open .select2-results__option:not(.loading-results)",
        has_text=option or typed,
    )
    answer.first.click()
    # The choice is the select's value (a hidden <select> select2 drives).
    assert page.locator(f"#{select_id} option:checked").count() >= 1


def save(page, button: str = "_save") -> None:
    with page.expect_navigation():
        page.locator(f'input[name="{button}"]').click()


def messages(page) -> str:
    return " | ".join(page.locator("ul.messagelist li").all_inner_texts())


def errors(page) -> str:
    return " | ".join(page.locator(".errornote, ul.errorlist li").all_inner_texts())


def history_rows(obj) -> list:
    return list(obj.history.order_by("history_date", "history_id"))


def reconcile_count(page) -> int:
    page.goto(page.base + "/reconcile/")
    found = re.search(r"(\d+) disagreements?\.", page.locator("main").inner_text())
    return int(found.group(1)) if found else 0


def history_page_lists(page, reason: str) -> bool:
    page.goto(page.base + "/history/")
    return page.locator("table.history-table tbody tr", has_text=reason).count() >= 1


# -- 1. add a source, a contribution and two disagreeing figures ---------------------------


def test_add_a_source_a_contribution_and_two_disagreeing_figures(curator_page, world):
    page, curator = curator_page, world["curator"]
    assert reconcile_count(page) == 0

    page.goto(page.base + "/admin/")
    page.get_by_role("row", name="Sources").get_by_role("link", name="Add").click()
    page.get_by_label("Key").fill("tonga-dod-2010-10")
    page.get_by_label("Title").fill("His Majesty's Armed Forces deploy to Afghanistan")
    page.get_by_label("Publisher").fill("Tonga Defence Services")
    page.get_by_label("Kind").select_option("official")
    page.get_by_label("Reliability tier").select_option("official")
    page.get_by_label("URL").fill("https://www.gov.to/press/hmaf-afghanistan-2010")
    page.locator("#id_published").fill("2010-10")  # the month: the precision is typed
    page.locator("#id_change_reason").fill("New source: the deployment announcement")
    save(page)
    assert "was added successfully" in messages(page)
    source = Source.objects.get(key="tonga-dod-2010-10")
    assert (source.published, source.published_precision) == (dt.date(2010, 10, 1), "month")
    [record] = history_rows(source)
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        curator,
        "New source: the deployment announcement",
    )

    page.goto(page.base + "/admin/missions/contribution/add/")
    pick(page, "id_partner", "Tonga")
    pick(page, "id_mission", "ISAF")
    pick(page, "id_roles", "troops")
    page.locator("#id_start").fill("2010-10")
    pick(page, "id_sources", "tonga-dod", "tonga-dod-2010-10")
    # Two figures of one date from two sources that disagree: both are kept.
    page.locator("#id_figures-0-as_of").fill("2010-12")
    page.locator("#id_figures-0-personnel").fill("55")
    pick(page, "id_figures-0-source", "isaf-placemat", "isaf-placemat-2010-12")
    page.locator("#figures-group .add-row a").click()
    page.locator("#id_figures-1-as_of").fill("2010-12")
    page.locator("#id_figures-1-personnel").fill("80")
    pick(page, "id_figures-1-source", "matangi", "matangi-tonga-2010")
    page.locator("#id_change_reason").fill("Added from the ISAF placemat of December 2010")
    save(page)
    assert "was added successfully" in messages(page), errors(page)
    shoot(page, "1-added")

    contribution = Contribution.objects.get(partner=world["tonga"], mission=world["isaf"])
    assert (contribution.start, contribution.start_precision) == (dt.date(2010, 10, 1), "month")
    assert list(contribution.sources.all()) == [source]
    assert [r.slug for r in contribution.roles.all()] == ["troops"]
    figures = list(contribution.figures.order_by("personnel"))
    assert [(f.personnel, f.source.key) for f in figures] == [
        (55, "isaf-placemat-2010-12"),
        (80, "matangi-tonga-2010"),
    ]
    # One version per record, however many saves and links the admin made for it.
    for obj in (contribution, *figures):
        [record] = history_rows(obj)
        assert record.history_type == "+"
        assert record.history_user == curator
        assert record.history_change_reason == "Added from the ISAF placemat of December 2010"

    assert reconcile_count(page) == 1
    assert page.locator("section.disagreement h2").inner_text() == "Tonga in ISAF"
    assert history_page_lists(page, "Added from the ISAF placemat of December 2010")
    assert page.locator("tr", has_text="New source: the deployment announcement").count() == 1


# -- 2. correct a date's precision ----------------------------------------------------------


def test_correct_a_dates_precision(curator_page, world):
    page, curator = curator_page, world["curator"]
    contribution = ContributionFactory(
        partner=world["tonga"],
        mission=world["isaf"],
        start=dt.date(2010, 10, 15),
        start_precision=Precision.DAY,
        sources=[world["official"]],
    )
    milestone = MilestoneFactory(partner=world["tonga"], date=dt.date(2009, 5, 1))
    FigureFactory(contribution=contribution, as_of=dt.date(2010, 12, 1), source=world["official"])
    touched = [world["tonga"], milestone, contribution]
    versions, log_entries = len(history_rows(contribution)), LogEntry.objects.count()
    before = [obj.history.count() for obj in touched]

    # The partner's page, with its milestone and contribution rows, saved untouched.
    page.goto(page.base + f"/admin/partnerships/partner/{world['tonga'].pk}/change/")
    save(page)
    assert "Nothing changed in Tonga: nothing was saved." in messages(page), errors(page)
    assert [obj.history.count() for obj in touched] == before
    assert LogEntry.objects.count() == log_entries

    page.goto(page.base + "/admin/missions/contribution/")
    page.get_by_role("link", name="Tonga").click()
    page.wait_for_selector("#id_start")
    assert page.locator("#id_start").input_value() == "2010-10-15"
    # One reason for the record and its figures' rows: after the rows, beside "Save".
    assert page.locator("#figures-group ~ fieldset #id_change_reason").count() == 1

    # Saved untouched: nothing is written, and the curator is told so.
    save(page, "_continue")
    assert "Nothing changed in Tonga to ISAF: nothing was saved." in messages(page)
    assert len(history_rows(contribution)) == versions
    assert LogEntry.objects.count() == log_entries

    # The sources give only the month: a published fact changes only with a reason.
    page.locator("#id_start").fill("2010-10")
    save(page, "_continue")
    assert "Say why you change this published fact" in errors(page)
    contribution.refresh_from_db()
    assert contribution.start_precision == Precision.DAY
    assert len(history_rows(contribution)) == versions

    page.locator("#id_change_reason").fill("The placemat gives only the month")
    save(page, "_continue")
    assert "was changed successfully" in messages(page), errors(page)
    assert page.locator("#id_start").input_value() == "2010-10"
    shoot(page, "2-precision")

    contribution.refresh_from_db()
    assert (contribution.start, contribution.start_precision) == (dt.date(2010, 10, 1), "month")
    records = history_rows(contribution)
    assert len(records) == versions + 1
    assert (records[-1].history_type, records[-1].history_user) == ("~", curator)
    assert records[-1].history_change_reason == "The placemat gives only the month"
    assert LogEntry.objects.count() == log_entries + 1

    assert history_page_lists(page, "The placemat gives only the month")
    page.goto(page.base + f"/history/missions/contribution/{contribution.pk}/")
    latest = page.locator("main").inner_text()
    assert "The placemat gives only the month" in latest
    assert "October 2010" in latest  # the diff reads dates as a person does


# -- 3. delete and restore a milestone ------------------------------------------------------


def test_delete_and_restore_a_milestone(curator_page, world):
    page, curator = curator_page, world["curator"]
    milestone = MilestoneFactory(
        partner=world["tonga"],
        date=dt.date(2010, 11, 20),
        date_precision=Precision.DAY,
        kind=Milestone.Kind.OTHER,
        title="Lisbon Summit: Tonga thanked for its ISAF contribution",
        sources=[world["official"], world["press"]],
    )
    pk, versions = milestone.pk, len(history_rows(milestone))

    page.goto(page.base + "/admin/partnerships/milestone/")
    page.get_by_role("link", name="20 November 2010").click()
    page.get_by_role("link", name="Delete").click()
    page.wait_for_selector("#id_change_reason")
    page.locator("#id_change_reason").fill("Not a milestone of the partnership")
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, I’m sure").click()
    assert "was deleted successfully" in messages(page)
    assert not Milestone.objects.filter(pk=pk).exists()
    records = history_rows(milestone)
    assert len(records) == versions + 1
    assert (records[-1].history_type, records[-1].history_user) == ("-", curator)
    assert records[-1].history_change_reason == "Not a milestone of the partnership"

    # Deleted by mistake: the message offers the undo.
    undo = page.get_by_role("button", name=re.compile("Undo: restore"))
    with page.expect_navigation():
        undo.click()
    assert "Restored" in messages(page)
    shoot(page, "3-restored")
    restored = Milestone.objects.get(pk=pk)
    assert restored.title == milestone.title
    assert set(restored.sources.all()) == {world["official"], world["press"]}
    records = history_rows(milestone)
    assert len(records) == versions + 2
    assert (records[-1].history_type, records[-1].history_user) == ("+", curator)
    assert records[-1].history_change_reason == "undo: Not a milestone of the partnership"

    # Deleted again from the list ("Delete selected"), restored from the deleted list.
    page.goto(page.base + "/admin/partnerships/milestone/")
    page.locator(f'input[name="_selected_action"][value="{pk}"]').check()
    page.locator('select[name="action"]').select_option("delete_selected")
    with page.expect_navigation():
        page.get_by_role("button", name="Go").click()
    page.locator("#id_change_reason").fill("Duplicate of the summit declaration")
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, I’m sure").click()
    assert not Milestone.objects.filter(pk=pk).exists()
    with page.expect_navigation():
        page.get_by_role("link", name="Deleted").click()
    row = page.locator("tbody tr", has_text="Lisbon Summit")
    assert "Duplicate of the summit declaration" in row.inner_text()
    assert curator.username in row.inner_text()
    row.get_by_label("Reason").fill("It is a milestone after all: the declaration names Tonga")
    with page.expect_navigation():
        row.get_by_role("button", name="Restore").click()
    assert "Restored" in messages(page)
    assert Milestone.objects.filter(pk=pk).exists()
    records = history_rows(milestone)
    assert [r.history_type for r in records[-2:]] == ["-", "+"]
    assert len(records) == versions + 4
    assert records[-2].history_change_reason == "Duplicate of the summit declaration"
    assert records[-1].history_change_reason == (
        "It is a milestone after all: the declaration names Tonga"
    )
    assert all(r.history_user == curator for r in records[-4:])
    assert history_page_lists(page, "Duplicate of the summit declaration")


# -- 4. a CSV round trip ------------------------------------------------------------------


def test_csv_round_trip(curator_page, world, tmp_path):
    page, curator = curator_page, world["curator"]
    isaf = ContributionFactory(
        partner=world["tonga"],
        mission=world["isaf"],
        start=dt.date(2010, 10, 1),
        start_precision=Precision.MONTH,
        sources=[world["official"]],
    )
    kfor = ContributionFactory(
        partner=world["tonga"],
        mission=world["kfor"],
        start=dt.date(2004, 1, 1),
        start_precision=Precision.YEAR,
        sources=[world["official"]],
    )

    def export_and_edit(name: str) -> Path:
        """Export both rows ("Export CSV"), edit ISAF's in a spreadsheet, save the file."""
        page.goto(page.base + "/admin/missions/contribution/")
        page.locator("#action-toggle").check()
        page.locator('select[name="action"]').select_option("export_csv")
        with page.expect_download() as download:
            page.get_by_role("button", name="Go").click()
        text = Path(download.value.path()).read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert sorted(int(r["id"]) for r in rows) == sorted([isaf.pk, kfor.pk])
        for row in rows:  # ISAF's end and description; KFOR's row left alone
            if int(row["id"]) == isaf.pk:
                row["end"], row["end_state"] = "2012-04", "ended"
                row["description"] = "A platoon of the Royal Tongan Marines guarding Camp Bastion"
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        path = tmp_path / name
        path.write_text(out.getvalue(), encoding="utf-8")
        return path

    def preview(path: Path) -> None:
        page.goto(page.base + "/admin/missions/contribution/")
        page.get_by_role("link", name="Import CSV").click()
        page.locator('input[name="file"]').set_input_files(str(path))
        with page.expect_navigation():
            page.get_by_role("button", name="Preview").click()

    # Meanwhile a colleague describes KFOR's row: the file would put the old text back.
    edited = export_and_edit("contributions.csv")
    with recording(reason="Described from the KFOR placemat", user=UserFactory(curator=True)):
        kfor.description = "Two officers at KFOR headquarters"
        kfor.save()
    versions = {c.pk: len(history_rows(c)) for c in (isaf, kfor)}
    preview(edited)
    assert page.locator("#problems").inner_text() == ("1 invalid row: nothing will be imported")
    problem = page.locator("table.problems tbody tr").inner_text()
    assert (
        problem.startswith("3\t")
        and "version" in problem
        and "after the file was exported" in problem
    )
    assert "Two officers at KFOR headquarters" in page.locator("#content-main").inner_text()
    assert page.get_by_role("button", name="Confirm and import").count() == 0

    # Exported again, edited again: now it goes in.
    preview(export_and_edit("contributions-again.csv"))
    assert page.locator("#summary").inner_text() == (
        "Preview: 0 to create, 1 to update, 1 unchanged"
    )
    update = page.locator("#updates ~ div table").first.inner_text()
    assert "Camp Bastion" in update and "April 2012" in update
    shoot(page, "4-import-preview")
    assert Contribution.objects.get(pk=isaf.pk).end is None  # a preview writes nothing

    page.locator("#id_confirm_reason").fill("Ended per the ISAF placemat of April 2012")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm and import").click()
    assert "Imported 0 new and 1 updated contributions." in messages(page), errors(page)

    isaf.refresh_from_db()
    assert (isaf.end, isaf.end_precision) == (dt.date(2012, 4, 1), "month")
    assert "Camp Bastion" in isaf.description
    records = history_rows(isaf)
    assert len(records) == versions[isaf.pk] + 1
    assert (records[-1].history_type, records[-1].history_user) == ("~", curator)
    assert records[-1].history_change_reason == "Ended per the ISAF placemat of April 2012"
    kfor.refresh_from_db()
    assert kfor.description == "Two officers at KFOR headquarters"  # not reverted
    assert len(history_rows(kfor)) == versions[kfor.pk]  # the unchanged row: no version
    assert history_page_lists(page, "Ended per the ISAF placemat of April 2012")


# -- 5. work the quality list and the review queue; rank a figure to resolve a disagreement


def test_work_the_review_queue_and_resolve_a_disagreement(curator_page, world):
    page, curator = curator_page, world["curator"]
    contribution = ContributionFactory(
        partner=world["tonga"],
        mission=world["isaf"],
        start=dt.date(2010, 10, 1),
        start_precision=Precision.MONTH,
        sources=[world["official"]],
    )
    placemat = FigureFactory(
        contribution=contribution,
        as_of=dt.date(2010, 12, 1),
        as_of_precision=Precision.MONTH,
        personnel=55,
        source=world["official"],
    )
    FigureFactory(
        contribution=contribution,
        as_of=dt.date(2010, 12, 1),
        as_of_precision=Precision.MONTH,
        personnel=80,
        source=world["press"],
    )
    MilestoneFactory(
        partner=world["tonga"],
        date=dt.date(2010, 11, 1),
        kind=Milestone.Kind.OTHER,
        title="Marines leave Nuku'alofa",
        sources=[world["press"]],
    )
    arrival = MilestoneFactory(
        partner=world["tonga"],
        date=dt.date(2010, 12, 10),
        kind=Milestone.Kind.OTHER,
        title="Royal Tongan Marines arrive in Helmand",
        sources=[world["press"]],
    )
    assert reconcile_count(page) == 1

    # The quality list: a milestone resting on one press source gets an official one.
    page.goto(page.base + "/admin/")
    with page.expect_navigation():
        page.locator("#kb-checks").get_by_role("link", name="Data quality").click()
    check = page.locator("ul.check-list li", has_text="Milestones resting on a single press")
    assert check.locator(".count").inner_text() == "2"
    with page.expect_navigation():
        check.get_by_role("link").click()
    with page.expect_navigation():
        page.locator("ol.fact-list a", has_text="arrive in Helmand").click()
    versions = len(history_rows(arrival))
    pick(page, "id_sources", "isaf-placemat", "isaf-placemat-2010-12")
    page.locator("#id_change_reason").fill("The placemat records the arrival")
    save(page)
    assert "was changed successfully" in messages(page), errors(page)
    assert set(arrival.sources.all()) == {world["press"], world["official"]}
    records = history_rows(arrival)
    assert len(records) == versions + 1
    assert (records[-1].history_user, records[-1].history_change_reason) == (
        curator,
        "The placemat records the arrival",
    )
    page.goto(page.base + "/quality/")
    check = page.locator("ul.check-list li", has_text="Milestones resting on a single press")
    assert check.locator(".count").inner_text() == "1"

    page.goto(page.base + "/admin/")
    with page.expect_navigation():
        page.locator("#kb-checks").get_by_role("link", name="Review queue").click()
    assert page.locator("#content-main > p").first.inner_text().startswith("3 items need")

    # Dismissing needs a note; the queue says so and keeps the item.
    milestones = page.locator("tr", has_text="Marines leave Nuku'alofa")
    milestones.get_by_label("Mark").select_option("dismissed")
    with page.expect_navigation():
        milestones.get_by_role("button", name="Mark").click()
    assert "Not marked: Say why it is not a problem." in messages(page)
    assert ReviewMark.objects.count() == 0
    milestones = page.locator("tr", has_text="Marines leave Nuku'alofa")
    milestones.get_by_label("Mark").select_option("dismissed")
    milestones.get_by_label("Note").fill("The date is confirmed by the ISAF placemat")
    with page.expect_navigation():
        milestones.get_by_role("button", name="Mark").click()
    assert "Marked dismissed." in messages(page)
    assert page.locator("#content-main > p").first.inner_text().startswith("2 items need")
    mark = ReviewMark.objects.get()
    assert (mark.state, mark.user, mark.note) == (
        "dismissed",
        curator,
        "The date is confirmed by the ISAF placemat",
    )
    assert [r.history_user for r in mark.history.all()] == [curator]

    press_figure = page.locator("#figures-press-or-lower + div tr", has_text="80")
    press_figure.get_by_label("Mark").select_option("reviewed")
    press_figure.get_by_label("Note").fill("Matches the Matangi Tonga report")
    with page.expect_navigation():
        press_figure.get_by_role("button", name="Mark").click()
    assert "Marked reviewed." in messages(page)
    assert page.locator("#content-main > p").first.inner_text().startswith("1 item needs")

    # The disagreement leaves the queue when a curator prefers one figure, with a reason.
    disagreement = page.locator("#figures-disagree + div tr", has_text="55")
    with page.expect_navigation():
        disagreement.get_by_role("link").first.click()
    versions = len(history_rows(placemat))
    page.locator("#id_rank").select_option("preferred")
    page.locator("#id_change_reason").fill("The placemat is the official count")
    save(page, "_continue")
    assert "Say why this figure is preferred." in errors(page)
    page.get_by_label("Reason for the rank").fill("ISAF's own count, same month")
    save(page, "_continue")
    assert "was changed successfully" in messages(page), errors(page)
    placemat.refresh_from_db()
    assert (placemat.rank, placemat.rank_reason) == ("preferred", "ISAF's own count, same month")
    records = history_rows(placemat)
    assert len(records) == versions + 1
    assert (records[-1].history_user, records[-1].history_change_reason) == (
        curator,
        "The placemat is the official count",
    )

    page.goto(page.base + "/admin/partnerships/reviewmark/queue/")
    assert "Nothing waits for a curator." in page.locator("#content-main").inner_text()
    shoot(page, "5-queue-empty")
    assert reconcile_count(page) == 0
    assert "No figures disagree" in page.locator("main").inner_text()


# -- 6. make a release ------------------------------------------------------------------------


def test_make_a_release_from_the_admin(curator_page, world):
    page, curator = curator_page, world["curator"]
    milestone = MilestoneFactory(
        partner=world["tonga"],
        date=dt.date(2010, 11, 20),
        kind=Milestone.Kind.OTHER,
        title="Lisbon summit",
        sources=[world["official"]],
    )
    make_release("1.0", "The first release.")

    # A change after it, made in the admin with a reason.
    page.goto(page.base + f"/admin/partnerships/milestone/{milestone.pk}/change/")
    page.get_by_label("Title").fill("Lisbon Summit: Tonga thanked for its ISAF contribution")
    page.locator("#id_change_reason").fill("Title as in the Lisbon Summit Declaration")
    save(page)
    assert "was changed successfully" in messages(page), errors(page)

    page.goto(page.base + "/admin/")
    with page.expect_navigation():  # the admin's list of releases (not the public one)
        page.locator("tr.model-release th a").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Preview and publish a release").click()
    preview = page.locator("#content-main").inner_text()
    assert "Changes since release 1.0" in preview
    assert "Added: 0 · Changed: 1 · Removed: 0" in preview
    change = page.locator("tr", has_text="Lisbon Summit: Tonga thanked").inner_text()
    assert "Title as in the Lisbon Summit Declaration" in change  # why
    assert curator.username in change  # who
    assert "Lisbon summit →" in change  # what, before and after

    page.get_by_label("Version").fill("1.0")
    with page.expect_navigation():
        page.get_by_role("button", name="Check the version").click()
    assert "Release 1.0 exists: choose the next number." in errors(page)
    page.get_by_label("Version").fill("1.1")
    page.get_by_label("Notes").fill("Milestone titles as in the declarations.")
    with page.expect_navigation():
        page.get_by_role("button", name="Check the version").click()
    shoot(page, "6-release-preview")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish release 1.1").click()
    assert "Published" in messages(page) and "1.1" in messages(page)

    release = Release.objects.get(version="1.1")
    assert release.created_by == curator
    [entry] = release.changelog["changed"]["milestones"]
    assert entry["id"] == milestone.pk
    assert entry["why"] == ["Title as in the Lisbon Summit Declaration"]
    assert entry["by"] == [curator.username]
    assert release.changelog["since"] == "1.0"
    assert not release.changelog["added"] and not release.changelog["removed"]

    # The public release page gives the reason and names no one.
    page.context.clear_cookies()
    page.goto(page.base + "/releases/1.1/")
    public = page.locator("main").inner_text()
    assert "Title as in the Lisbon Summit Declaration" in public
    assert curator.username not in public
