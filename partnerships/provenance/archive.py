"""A release as one zip archive, built from the export, byte for byte reproducible.

The archive holds the JSON per kind (the knowledge-file format, loadable by
``import_dataset`` and ``load_knowledge``), a CSV per kind, a ``datapackage.json``
(Frictionless Data Package) describing every file and every CSV column with its type, and a
README with the licence and how to cite. Its bytes depend only on the content, the version
and the release date: files in a fixed order, every timestamp the release date, fixed
permissions, no compression (deflate's output may differ between zlib builds; stored bytes
never do). So anyone can rebuild it and check its SHA-256.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile

from partnerships.provenance.dataset import checksum, counts

TITLE = "Partnerships KB: NATO partnership frameworks, partner nations, missions and contributions"
AUTHOR = "Partnerships KB contributors"
DATA_LICENCE = "CC-BY-4.0"
DATA_LICENCE_TITLE = "Creative Commons Attribution 4.0 International"
DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
CODE_LICENCE = "MIT"

DESCRIPTIONS = {
    "sources": "The documents facts cite, each with its reliability tier.",
    "cooperation_areas": "Themes of cooperation.",
    "partners": "Nations that are or were NATO partners.",
    "frameworks": "Partnership frameworks, with the coverage NATO states where recorded.",
    "participations": "A partner's period in a framework.",
    "missions": "NATO-led missions, operations and exercises, with stated coverage.",
    "contributions": "What a partner contributed to a mission, with dated personnel figures.",
    "milestones": "Dated events in a partner's path.",
}
DATE_TEXT = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def download_path(version: str) -> str:
    return f"/releases/{version}/download/"


def archive_name(version: str) -> str:
    return f"partnerships-kb-{version}.zip"


def flat(value):
    """A cell of a CSV: lists joined with "; ", mappings as JSON, None as empty."""
    if isinstance(value, list):
        return "; ".join(
            json.dumps(item, ensure_ascii=False, sort_keys=True)
            if isinstance(item, dict)
            else str(item)
            for item in value
        )
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def columns(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


def csv_bytes(rows: list[dict]) -> bytes:
    handle = io.StringIO(newline="")
    writer = csv.writer(handle, lineterminator="\n")
    header = columns(rows)
    if not header:  # a kind without rows: an empty file
        return b""
    writer.writerow(header)
    for row in rows:
        writer.writerow([flat(row.get(key)) for key in header])
    return handle.getvalue().encode("utf-8")


def json_bytes(rows) -> bytes:
    return (json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def field_schema(name: str, values: list) -> dict:
    """A Table Schema field for one CSV column, its type read from the exported values."""
    given = [v for v in values if v is not None and v != [] and v != ""]
    if given and all(isinstance(v, bool) for v in given):
        return {"name": name, "type": "boolean", "trueValues": ["true"], "falseValues": ["false"]}
    if given and all(isinstance(v, int) and not isinstance(v, bool) for v in given):
        return {"name": name, "type": "integer"}
    if any(isinstance(v, list) for v in given):
        return {"name": name, "type": "string", "description": 'A list, items joined by "; ".'}
    if any(isinstance(v, dict) for v in given):
        return {"name": name, "type": "string", "description": "A JSON object."}
    if given and all(isinstance(v, str) and DATE_TEXT.match(v) for v in given):
        return {
            "name": name,
            "type": "string",
            "description": "A date written with its precision: YYYY, YYYY-MM or YYYY-MM-DD.",
        }
    return {"name": name, "type": "string"}


def datapackage(records: dict, version: str, released: dt.date, files: dict) -> dict:
    resources = [
        {
            "name": "readme",
            "path": "README.md",
            "format": "md",
            "mediatype": "text/markdown",
            "encoding": "utf-8",
            "description": "What the archive holds, its licence and how to cite it.",
        },
        {
            "name": "manifest",
            "path": "manifest.json",
            "format": "json",
            "mediatype": "application/json",
            "encoding": "utf-8",
            "bytes": len(files["manifest.json"]),
            "hash": "sha256:" + hashlib.sha256(files["manifest.json"]).hexdigest(),
            "description": "Version, content checksum and counts, as import_dataset reads them.",
        },
    ]
    for kind, rows in records.items():
        resources.append(
            {
                "name": f"{kind.replace('_', '-')}-json",
                "path": f"{kind}.json",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "bytes": len(files[f"{kind}.json"]),
                "hash": "sha256:" + hashlib.sha256(files[f"{kind}.json"]).hexdigest(),
                "description": DESCRIPTIONS.get(kind, "")
                + " In the knowledge-file format (data/README.md): one object per row.",
            }
        )
        header = columns(rows)
        resources.append(
            {
                "name": kind.replace("_", "-"),
                "path": f"csv/{kind}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(files[f"csv/{kind}.csv"]),
                "hash": "sha256:" + hashlib.sha256(files[f"csv/{kind}.csv"]).hexdigest(),
                "description": DESCRIPTIONS.get(kind, ""),
                "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
                "schema": {
                    "fields": [
                        field_schema(name, [row.get(name) for row in rows]) for name in header
                    ],
                    "missingValues": [""],
                },
            }
        )
    return {
        "profile": "data-package",
        "name": "partnerships-kb",
        "title": TITLE,
        "version": version,
        "created": f"{released.isoformat()}T00:00:00Z",
        "licenses": [{"name": DATA_LICENCE, "title": DATA_LICENCE_TITLE, "path": DATA_LICENCE_URL}],
        "contributors": [{"title": AUTHOR, "role": "author"}],
        "keywords": ["NATO", "partnerships", "partner nations", "missions", "contributions"],
        "content_checksum": "sha256:" + checksum(records),
        "resources": resources,
    }


def citation_texts(version: str, released: dt.date, url: str) -> dict:
    """APA, BibTeX and CSL-JSON for a release at ``url`` (the release page)."""
    year = released.year
    apa = f"{AUTHOR}. ({year}). {TITLE} (Version {version}) [Data set]. {url}"
    bibkey = f"partnershipskb_{version.replace('.', '_')}"
    bibtex = (
        f"@misc{{{bibkey},\n"
        f"  author    = {{{{{AUTHOR}}}}},\n"
        f"  title     = {{{{{TITLE}}}}},\n"
        f"  year      = {{{year}}},\n"
        f"  version   = {{{version}}},\n"
        f"  url       = {{{url}}},\n"
        f"  note      = {{Dataset release {version}, {released.isoformat()}; "
        f"licence {DATA_LICENCE}}}\n"
        "}"
    )
    csl = {
        "id": f"partnerships-kb-{version}",
        "type": "dataset",
        "title": TITLE,
        "author": [{"literal": AUTHOR}],
        "issued": {"date-parts": [[released.year, released.month, released.day]]},
        "version": version,
        "URL": url,
        "license": DATA_LICENCE,
    }
    return {"apa": apa, "bibtex": bibtex, "csl_json": json.dumps(csl, indent=1)}


def readme(records: dict, version: str, released: dt.date) -> bytes:
    path = download_path(version)
    cite = citation_texts(version, released, f"<site>/releases/{version}/")
    rows = "\n".join(f"| `{kind}` | {n} |" for kind, n in counts(records).items())
    text = f"""# {TITLE}

Dataset release **{version}**, {released.isoformat()}.
Content checksum (SHA-256 of the canonical JSON of every fact): `{checksum(records)}`.

## Files

- `<kind>.json`: every row in the knowledge-file format (one object a row, natural
  keys, dates written with their precision). The folder loads into an empty Partnerships
  KB with `python manage.py import_dataset <folder>` (which checks `manifest.json`'s
  checksum) or `python manage.py load_knowledge --data <folder>`.
- `csv/<kind>.csv`: the same rows as CSV (lists joined with "; ", objects as JSON).
- `datapackage.json`: a Frictionless Data Package describing every file and every CSV
  column with its type.
- `manifest.json`: version, content checksum and counts (what `import_dataset` checks).

| kind | rows |
|---|---|
{rows}

## Licence

The data: {DATA_LICENCE_TITLE} ({DATA_LICENCE}), {DATA_LICENCE_URL}.
Share and adapt it, giving credit: cite the release as below. The software that
serves it is under the MIT licence.

## How to cite

Download: `{path}` on the site that serves Partnerships KB (replace `<site>` with it
below). The archive's SHA-256 is printed on the release page and in the API
(`/api/v1/releases/{version}/`): check it with `sha256sum {archive_name(version)}`.

APA:

    {cite["apa"]}

BibTeX:

{chr(10).join("    " + line for line in cite["bibtex"].splitlines())}
"""
    return text.encode("utf-8")


def build_archive(records: dict, version: str, released: dt.date) -> bytes:
    """The zip archive of ``records`` (from :func:`export_records`) as release ``version``."""
    files: dict[str, bytes] = {}
    for kind, rows in records.items():
        files[f"{kind}.json"] = json_bytes(rows)
        files[f"csv/{kind}.csv"] = csv_bytes(rows)
    files["README.md"] = readme(records, version, released)
    files["manifest.json"] = (
        json.dumps(
            {
                "dataset_version": version,
                "checksum": checksum(records),
                "counts": counts(records),
                "exported_at": f"{released.isoformat()}T00:00:00+00:00",
                "format": "Partnerships KB knowledge files (see data/README.md), as JSON",
            },
            indent=1,
        )
        + "\n"
    ).encode("utf-8")
    files["datapackage.json"] = (
        json.dumps(datapackage(records, version, released, files), indent=1, ensure_ascii=False)
        + "\n"
    ).encode("utf-8")
    stamp = (released.year, released.month, released.day, 0, 0, 0)
    buffer = io.BytesIO()
    folder = f"partnerships-kb-{version}/"
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        first = ["README.md", "datapackage.json", "manifest.json"]
        for name in [*first, *sorted(n for n in files if n not in first)]:
            info = zipfile.ZipInfo(folder + name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # Unix, whatever builds it
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
