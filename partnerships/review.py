"""A curator's verdict on a finding of the review queue: reviewed or dismissed, with a note.

A mark holds the version of the fact it judged (:mod:`partnerships.provenance.locking`):
the finding leaves the queue while the fact stays as it was, and comes back when the fact
changes again.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class ReviewMark(models.Model):
    class State(models.TextChoices):
        REVIEWED = "reviewed", "reviewed: checked, the fact stands"
        DISMISSED = "dismissed", "dismissed: not a problem"

    kind = models.CharField(max_length=40, help_text="The kind of fact (partnerships.kinds).")
    object_id = models.PositiveBigIntegerField()
    finding = models.CharField(max_length=80, help_text="The code of the check that found it.")
    state = models.CharField(max_length=10, choices=State.choices)
    note = models.TextField(blank=True)
    fact_version = models.CharField(
        max_length=40, help_text="The version of the fact when it was marked."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    time = models.DateTimeField(auto_now_add=True, db_index=True)
    history = HistoricalRecords()
    curated = False  # bookkeeping about the facts, not a fact: not in releases or /history/

    class Meta:
        ordering = ["-time", "-pk"]
        indexes = [models.Index(fields=["kind", "object_id", "finding"], name="review_mark_key")]

    def __str__(self):
        return f"{self.finding} on {self.kind} #{self.object_id}: {self.state}"
