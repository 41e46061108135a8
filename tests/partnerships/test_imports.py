"""Command-line imports check before they write, and answer bad input with a clear
CommandError (one line, no traceback)."""

import json

import pytest
from django.core.management import CommandError, call_command

from frameworks.models import Framework, Participation
from partnerships.models import Partner, Source
from tests.factories import ParticipationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(tmp_path):
    """An export of a little data, and the database emptied for the restore."""
    ParticipationFactory(partner__name="Georgia")
    call_command("export_dataset", str(tmp_path), verbosity=0)
    for model in (Participation, Framework, Partner, Source):
        model.objects.all().delete()
    return tmp_path


def test_a_tampered_export_is_refused_before_anything_is_written(export):
    path = export / "partners.json"
    rows = json.loads(path.read_text())
    rows[0]["name"] = "Tampered"
    path.write_text(json.dumps(rows))
    with pytest.raises(CommandError, match="checksum .* differs .* Nothing was imported"):
        call_command("import_dataset", str(export))
    assert not Partner.objects.exists()
    assert not Source.objects.exists()


def test_an_intact_export_is_imported(export):
    call_command("import_dataset", str(export), verbosity=0)
    assert Partner.objects.get().name == "Georgia"


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda root: (root / "manifest.json").write_text("{not json"), "cannot be read as JSON"),
        (lambda root: (root / "manifest.json").write_text("[]"), "names no checksum"),
        (lambda root: (root / "sources.json").unlink(), "is missing"),
        (lambda root: (root / "partners.json").write_bytes(b"\xff\xfe\x00"), "cannot be read"),
    ],
)
def test_damaged_exports_are_a_clear_command_error(export, damage, message):
    damage(export)
    with pytest.raises(CommandError, match=message):
        call_command("import_dataset", str(export))
    assert not Partner.objects.exists()


def test_bad_files_are_a_clear_command_error(tmp_path):
    with pytest.raises(CommandError, match="not a folder"):
        call_command("import_dataset", str(tmp_path / "nowhere"))
    (tmp_path / "sources.yaml").write_bytes(b"- key: \xff\xfe\n")
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("load_knowledge", data=str(tmp_path))
    binary = tmp_path / "rows.csv"
    binary.write_bytes(b"\xff\xfe\xfa")
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_csv", "participations", str(binary))
    with pytest.raises(CommandError, match="No file"):
        call_command("import_csv", "participations", str(tmp_path))
