"""The knowledge loader: idempotent, upserting by natural key, atomic, with file:line errors."""

import re
import textwrap

import pytest
from django.core.management import CommandError, call_command

from frameworks.knowledge import export_frameworks
from frameworks.models import Framework, Participation
from partnerships.knowledge import export_sources
from partnerships.models import Partner, Source

pytestmark = pytest.mark.django_db

SOURCES = """
- key: pfp-page
  title: Partnership for Peace programme
  publisher: NATO
  url: https://www.nato.int/cps/en/natohq/topics_50349.htm
  date: "2024-03"
  kind: official
  tier: official
"""
PARTNERS = """
- iso3: GEO
  name: Georgia
  region: south-caucasus
- iso3: est
  name: Estonia
  region: europe
  nato_accession: "2004-03-29"
  accession_sources: [pfp-page]
"""
FRAMEWORKS = """
- slug: partnership-for-peace
  acronym: PfP
  name: Partnership for Peace
  kind: programme
  established: "1994-01-10"
  sources: [pfp-page]
"""
PARTICIPATIONS = """
- partner: GEO
  framework: partnership-for-peace
  start: "1994-03-23"
  status: active
  sources: [pfp-page]
- partner: EST
  framework: partnership-for-peace
  start: "1994-02"
  end: "2004-03-29"
  status: ended-by-accession
  sources: [pfp-page]
"""


@pytest.fixture
def data_dir(tmp_path):
    root = tmp_path / "data"
    for folder, text in {
        "sources": SOURCES,
        "partners": PARTNERS,
        "frameworks": FRAMEWORKS,
        "participations": PARTICIPATIONS,
    }.items():
        (root / folder).mkdir(parents=True)
        (root / folder / "main.yaml").write_text(textwrap.dedent(text))
    return root


def load(root, capsys):
    call_command("load_knowledge", data=str(root))
    return capsys.readouterr().out


def test_loads_with_precision_and_is_idempotent(data_dir, capsys):
    out = load(data_dir, capsys)
    assert re.search(r"participations\s+2 created", out)
    estonia = Participation.objects.get(partner__iso3="EST")
    assert estonia.start_display == "February 1994"
    assert Partner.objects.get(iso3="EST").nato_accession_display == "29 March 2004"
    out = load(data_dir, capsys)
    assert "Nothing to change" in out
    assert re.search(r"participations\s+0 created, 0 updated, 2 unchanged", out)


def test_changed_row_is_updated_in_place_and_history_says_why(data_dir, capsys):
    load(data_dir, capsys)
    path = data_dir / "sources" / "main.yaml"
    path.write_text(path.read_text().replace("programme", "programme (updated)"))
    out = load(data_dir, capsys)
    assert re.search(r"sources\s+0 created, 1 updated", out)
    source = Source.objects.get(key="pfp-page")
    assert source.title.endswith("(updated)")
    assert source.history.first().history_change_reason.startswith("load_knowledge")


def test_rows_curators_added_are_left_alone(data_dir, capsys):
    load(data_dir, capsys)
    Source.objects.create(key="curator-added", title="Added in the admin", publisher="X")
    load(data_dir, capsys)
    assert Source.objects.filter(key="curator-added").exists()


@pytest.mark.parametrize(
    ("folder", "old", "new", "where", "reason"),
    [
        ("participations", "partner: GEO", "partner: XXX", ":2:", "unknown partner 'XXX'"),
        (
            "participations",
            'start: "1994-02"\n  end: "2004-03-29"',
            'start: "2004-05"\n  end: "2004-03-29"',
            ":7:",
            "cannot be before the start",
        ),
        (
            "participations",
            "  sources: [pfp-page]\n- partner: EST",
            "- partner: EST",
            ":2:",
            "source",
        ),
        ("frameworks", "sources: [pfp-page]", "sources: [nope]", ":2:", "unknown source 'nope'"),
        ("participations", 'start: "1994-03-23"', 'start: "1994-13"', ":2:", "not a valid date"),
        ("partners", "region: europe", "region: europe\n  colour: blue", ":5:", "unknown field"),
        (
            "participations",
            'end: "2004-03-29"',
            'end: "2005-01-01"',
            ":7:",
            "must end by then",
        ),
    ],
)
def test_one_bad_row_aborts_the_whole_load(data_dir, capsys, folder, old, new, where, reason):
    path = data_dir / folder / "main.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(CommandError) as info:
        call_command("load_knowledge", data=str(data_dir))
    message = str(info.value)
    assert f"data/{folder}/main.yaml{where}" in message, message
    assert reason in message
    assert "database is unchanged" in message
    assert not Source.objects.exists()
    assert not Partner.objects.exists()


def test_invalid_yaml_is_refused_with_its_line(data_dir):
    (data_dir / "partners" / "main.yaml").write_text("- iso3: GEO\n  name: [unclosed\n")
    with pytest.raises(CommandError, match=r"partners/main.yaml:\d+: not valid YAML"):
        call_command("load_knowledge", data=str(data_dir))


def test_if_empty_loads_only_on_first_start(data_dir, capsys):
    call_command("load_knowledge", data=str(data_dir), if_empty=True)
    assert Partner.objects.count() == 2
    Partner.objects.filter(iso3="GEO").update(name="Edited by a curator")
    call_command("load_knowledge", data=str(data_dir), if_empty=True)
    assert "already holds data" in capsys.readouterr().out
    assert Partner.objects.get(iso3="GEO").name == "Edited by a curator"


# -- tiers, one record per document, coverage ---------------------------------------------


def _sources(data_dir, text):
    (data_dir / "sources" / "main.yaml").write_text(SOURCES + text)


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        (
            "- key: no-tier\n  title: T\n  publisher: P\n",
            "main.yaml:9: missing required field 'tier'",
        ),
        (
            "- key: bad-tier\n  title: T\n  publisher: P\n  tier: rumour\n",
            "main.yaml:9: tier: 'rumour' is not one of primary, official, press, reference, copy",
        ),
        (
            # the same page: http, no www., French folder, locale parameter, slash, fragment
            "- key: again\n  title: T\n  publisher: P\n  tier: copy\n"
            "  url: http://nato.int/cps/fr/natohq/topics_50349.htm/?selectedLocale=en#top\n",
            "main.yaml:9: the same document as source 'pfp-page'",
        ),
    ],
)
def test_sources_need_a_tier_and_one_record_per_document(data_dir, extra, reason):
    _sources(data_dir, extra)
    with pytest.raises(CommandError, match=re.escape(reason)):
        call_command("load_knowledge", data=str(data_dir))
    assert not Source.objects.exists()


def test_the_tier_is_loaded_and_exported(data_dir, capsys):
    load(data_dir, capsys)
    assert Source.objects.get(key="pfp-page").tier == "official"
    (row,) = [r for r in export_sources() if r["key"] == "pfp-page"]
    assert row["tier"] == "official"


def test_coverage_is_loaded_and_exported(data_dir, capsys):
    path = data_dir / "frameworks" / "main.yaml"
    path.write_text(
        path.read_text().replace(
            "sources: [pfp-page]",
            "sources: [pfp-page]\n  coverage:\n    partners:\n      count: 18\n"
            '      statement: "18 partners."\n      source: pfp-page\n      date: "2024-03"',
            1,
        )
    )
    load(data_dir, capsys)
    framework = Framework.objects.get()
    assert framework.coverage_partners == 18
    assert framework.coverage_partners_source.key == "pfp-page"
    assert framework.coverage_date_display("partners") == "March 2024"
    (row,) = export_frameworks()
    assert row["coverage"] == {
        "partners": {
            "count": 18,
            "at_least": False,
            "statement": "18 partners.",
            "source": "pfp-page",
            "date": "2024-03",
        }
    }
    path.write_text(path.read_text().replace("source: pfp-page\n      date", "date"))
    with pytest.raises(CommandError, match="coverage.partners: missing 'source'"):
        call_command("load_knowledge", data=str(data_dir))
