"""The certain span of every period (and the possible span widened by evidence): for the
rows as they are, and for every version in history, so ``known_at`` answers by the same
rule. Past versions are computed from their own dates (their figures then are not known
here); current contributions take their figures as evidence."""

from django.db import migrations, models

from partnerships.dates import certain_span, possible_span


def spans(row, evidence=(), earliest=None) -> dict:
    ends = (row.start, row.start_precision, row.end, row.end_precision, row.end_unknown)
    possible_from, possible_until = possible_span(*ends, evidence, earliest)
    first, last = certain_span(*ends, evidence)
    return {
        "covers_from": possible_from,
        "covers_until": possible_until,
        "certain_from": first,
        "certain_until": last,
    }


def compute(apps, schema_editor):
    framework = apps.get_model("frameworks", "Framework")
    mission = apps.get_model("missions", "Mission")
    figure = apps.get_model("missions", "ContributionFigure")
    starts = {
        "framework": dict(framework.objects.values_list("pk", "covers_from")),
        "mission": dict(mission.objects.values_list("pk", "covers_from")),
    }
    evidence: dict = {}
    for contribution_id, day, precision in figure.objects.values_list(
        "contribution_id", "as_of", "as_of_precision"
    ):
        evidence.setdefault(contribution_id, []).append((day, precision))
    plans = [
        ("frameworks", "Framework", None, False),
        ("missions", "Mission", None, False),
        ("frameworks", "Participation", "framework", False),
        ("missions", "Contribution", "mission", True),
    ]
    for app_label, name, parent, with_evidence in plans:
        for model_name in (name, f"Historical{name}"):
            model = apps.get_model(app_label, model_name)
            key = "history_id" if model_name.startswith("Historical") else "pk"
            changed = []
            for row in model.objects.all().iterator(chunk_size=1000):
                earliest = None
                if parent:
                    earliest = starts[parent].get(getattr(row, f"{parent}_id"))
                found = tuple(evidence.get(row.pk, ())) if with_evidence and key == "pk" else ()
                for field, value in spans(row, found, earliest).items():
                    setattr(row, field, value)
                changed.append(row)
                if len(changed) == 1000:
                    model.objects.bulk_update(changed, list(spans(row)))
                    changed = []
            if changed:
                model.objects.bulk_update(changed, list(spans(changed[0])))


class Migration(migrations.Migration):
    dependencies = [
        ("missions", "0004_figure_order_index"),
        ("frameworks", "0004_certain_spans"),
    ]

    operations = [
        migrations.AddField(
            model_name="contribution",
            name="certain_from",
            field=models.DateField(blank=True, db_index=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="contribution",
            name="certain_until",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalcontribution",
            name="certain_from",
            field=models.DateField(blank=True, db_index=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalcontribution",
            name="certain_until",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalmission",
            name="certain_from",
            field=models.DateField(blank=True, db_index=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalmission",
            name="certain_until",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="mission",
            name="certain_from",
            field=models.DateField(blank=True, db_index=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="mission",
            name="certain_until",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(compute, migrations.RunPython.noop),
    ]
