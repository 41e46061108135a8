from django.db import migrations

ROLES = [
    ("troops", "troops"),
    ("staff-officers", "staff officers"),
    ("logistics", "logistics"),
    ("medical", "medical"),
    ("training", "training and mentoring"),
    ("naval", "naval"),
    ("air", "air"),
    ("intelligence", "intelligence"),
    ("funding", "funding"),
    ("humanitarian", "humanitarian"),
]


def seed(apps, schema_editor):
    Role = apps.get_model("missions", "Role")
    for slug, name in ROLES:
        Role.objects.update_or_create(slug=slug, defaults={"name": name})


def unseed(apps, schema_editor):
    apps.get_model("missions", "Role").objects.filter(slug__in=[s for s, _ in ROLES]).delete()


class Migration(migrations.Migration):
    dependencies = [("missions", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
