"""The review queue: one list across kinds of what needs a curator; a mark takes an item out
until its fact changes again; preferring a figure resolves a disagreement."""

import datetime as dt

import pytest
from django.urls import reverse

from missions.models import FigureRank
from partnerships.models import Source
from partnerships.provenance.locking import version_of
from partnerships.review import ReviewMark
from tests.factories import (
    ContributionFactory,
    FigureFactory,
    ParticipationFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = "admin:partnerships_reviewmark_queue"


def queue_codes(client) -> dict:
    response = client.get(reverse(URL))
    assert response.status_code == 200
    return {f.code: [i.obj for i in f.items] for f in response.context["findings"]}


def test_queue_lists_findings_of_every_kind_and_marks_take_them_out(client, curator):
    client.force_login(curator)
    press = SourceFactory(tier=Source.Tier.PRESS, kind=Source.Kind.PRESS)
    participation = ParticipationFactory(sources=[press])
    contribution = ContributionFactory(sources=[SourceFactory()])
    low = FigureFactory(contribution=contribution, as_of=dt.date(2010, 6, 1), personnel=150)
    FigureFactory(contribution=contribution, as_of=dt.date(2010, 6, 1), personnel=900)
    codes = queue_codes(client)
    assert codes["participations-press-or-lower"] == [participation]
    assert codes["figures-disagree"] == [low]
    assert "contributions-press-or-lower" not in codes  # an official source
    # Reviewed: out of the queue, with the curator, the note and history.
    response = client.post(
        reverse(URL),
        {"kind": "participations", "object_id": participation.pk,
         "finding": "participations-press-or-lower", "version": version_of(participation),
         "state": "reviewed", "note": "The agency quotes the ministry"},
    )  # fmt: skip
    assert response.status_code == 302
    mark = ReviewMark.objects.get()
    assert (mark.user, mark.state, mark.note) == (curator, "reviewed", mark.note)
    assert mark.history.get().history_user == curator
    assert "participations-press-or-lower" not in queue_codes(client)
    # The fact changes: back in the queue.
    participation.notes = "Edited"
    participation.save()
    assert queue_codes(client)["participations-press-or-lower"] == [participation]
    # Preferring a figure resolves the disagreement.
    low.rank, low.rank_reason = FigureRank.PREFERRED, "The official placemat"
    low.save()
    assert "figures-disagree" not in queue_codes(client)


def test_dismissing_needs_a_note_and_bad_marks_are_refused(client, curator):
    client.force_login(curator)
    participation = ParticipationFactory(sources=[SourceFactory(tier=Source.Tier.COPY)])
    base = {
        "kind": "participations",
        "object_id": participation.pk,
        "finding": "participations-press-or-lower",
        "version": version_of(participation),
    }
    client.post(reverse(URL), {**base, "state": "dismissed"})
    client.post(reverse(URL), {**base, "finding": "made-up", "state": "reviewed"})
    client.post(reverse(URL), {**base, "object_id": 999999, "state": "reviewed"})
    assert not ReviewMark.objects.exists()
    client.post(reverse(URL), {**base, "state": "dismissed", "note": "A mirror of the treaty"})
    assert ReviewMark.objects.get().state == "dismissed"


def test_the_queue_needs_the_permission(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse(URL)).status_code == 403
