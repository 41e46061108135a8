"""The licence and citation files at the root: MIT for the code, CC BY 4.0 for the data,
CITATION.cff in the Citation File Format 1.2.0 naming the latest release."""

import json
import re

import yaml
from django.conf import settings

ROOT = settings.BASE_DIR
LATEST = sorted(
    (settings.DATA_DIR / "releases").glob("*.json"),
    key=lambda p: tuple(int(n) for n in p.stem.split(".")),
)[-1]


def test_the_code_is_mit_and_the_data_cc_by():
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License")
    assert "CC BY 4.0" in licence
    assert "CC BY 4.0" in (settings.DATA_DIR / "README.md").read_text()


def test_citation_cff_is_valid_cff_1_2_0_and_names_the_latest_release():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    # The schema's required keys and the types it gives them.
    assert cff["cff-version"] == "1.2.0"
    assert isinstance(cff["message"], str) and cff["message"]
    assert isinstance(cff["title"], str) and cff["title"]
    assert cff["authors"] and all("name" in a or "family-names" in a for a in cff["authors"])
    allowed = {
        "abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi",
        "identifiers", "keywords", "license", "license-url", "message", "preferred-citation",
        "references", "repository", "repository-artifact", "repository-code", "title", "type",
        "url", "version",
    }  # fmt: skip
    assert set(cff) <= allowed
    assert cff["type"] in {"software", "dataset"}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", cff["date-released"])
    assert cff["license"] == "CC-BY-4.0"
    for identifier in cff.get("identifiers", []):
        assert identifier["type"] in {"doi", "url", "swh", "other"} and identifier["value"]
    manifest = json.loads(LATEST.read_text())
    assert cff["version"] == manifest["version"]
    assert cff["date-released"] == manifest["released"]
    assert f"sha256:{manifest['archive_sha256']}" in [i["value"] for i in cff["identifiers"]]
