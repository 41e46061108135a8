"""Grade every source in data/sources/*.yaml with a reliability tier, by explicit rules.

Run once to write ``tier:`` after each source's ``kind:`` line (the files keep their
comments and order); afterwards the files are the record and a curator edits a tier there.
``--check`` prints what each rule settled and the sources it left to a person, and changes
nothing. The rules are listed in data/README.md ("Reliability tiers"); the first rule that
matches decides. REVIEWED holds the decisions made by reading a source's title, publisher
and URL where no rule settled it.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent / "data" / "sources"

# 1. copy: a copy, mirror, repost or blog of another document.
COPY_HOSTS = re.compile(
    r"(^|\.)(docslib\.org|atlanticcouncil\.org|expydoc\.com|ebooklibrary\.org|"
    r"mirror\.wmcloud\.org|pwojczyn\.com|wikia\.org|dpsou\.asia|aus-city\.com|antinato\.no|"
    r"eurodialogue\.org|reliefweb\.int|presidency\.ucsb\.edu|kildarestreet\.com|usinfo\.org|"
    r"globalpolicy\.org|paragraf\.rs|country-data\.com|blogspot\.com|pressreader\.com|"
    r"facteroid\.com|questia\.com|narod\.ru)$"
)
COPY_WORDS = re.compile(r"\b(copy|copies|mirror|reproduc\w*|repost\w*|via)\b", re.I)
# Archive snapshots keep a publisher's own page unchanged: graded as that page.
ARCHIVE_HOSTS = re.compile(
    r"(^|\.)(web\.archive\.org|webarchive\.library\.unt\.edu|waybackmachine\.org|archives\.gov)$"
)
ARCHIVE_WORDS = re.compile(r"\(archived( copy)?\)|archived copy|\(archived [^)]*\)", re.I)

# 2. reference: reference works, research, Wikipedia, think tanks.
REFERENCE_HOSTS = re.compile(
    r"(^|\.)(wikipedia\.org|wikinews\.org|globalsecurity\.org|jewishvirtuallibrary\.org|"
    r"valka\.cz|rusi\.org|jamestown\.org|icds\.ee|cepa\.org|affarinternazionali\.it|"
    r"natowatch\.org|nps\.edu|bpb\.de|ulib\.sk|europeansources\.info|jalkavakimuseo\.fi|"
    r"vhu\.cz|loc\.gov|ca-c\.org|gulfoundation\.net|histrodamus\.ee|derechos\.org)$"
)

# 3. primary: treaties, declarations, communiqués, official texts, placemats, statistics,
#    parliamentary records.
PRIMARY_PATHS = re.compile(
    r"nato\.int/(docu/(pr|comm|basictxt|speech)/|cps/\w+/natohq?/official_texts_|"
    r"nato_static\w*/assets/pdf/)",
    re.I,
)
PRIMARY_WORDS = re.compile(
    r"\b(declaration|communiqu[eé]|framework document|basic document|charter|treaty|"
    r"protocol|agreement|constitution|judgment|key facts and figures|placemat|"
    r"chairman's summary|final communiqu[eé]|written answers?|hansard|presentation document|"
    r"individually tailored partnership programme|statement (issued|by|on)|"
    r"joint statement|press communiqu[eé])\b",
    re.I,
)

# 4. official: NATO and government hosts; otherwise the existing kind.
OFFICIAL_HOSTS = re.compile(
    r"(^|\.)(nato\.int|nato-pa\.int|ccdcoe\.(org|eu)|admin\.ch|gov(\.[a-z]{2})?|"
    r"gov\.[a-z]{2,3}\.?|gv\.at|mil\.[a-z]{2}|army\.[a-z]{2}|bundesheer\.at|"
    r"forsvarsmakten\.se|puolustusvoimat\.fi|defensie\.nl|forsvaret\.(no|dk)|military\.ie|"
    r"oireachtas\.ie|parliament\.uk|riksdagen\.se|mod\.gov\.\w+|mfa\.gov\.\w+|"
    r"eunavfor\.eu|nzdf\.mil\.nz|kariuomene\.lt|kam\.lt|defence\.gov\.au|mofa\.go\.\w+)$"
)
KIND_TIER = {
    "treaty": "primary",
    "dataset": "primary",
    "official": "official",
    "press": "press",
    "academic": "reference",
}

# Decided by reading title, publisher and URL where the rules above did not settle it
# (a source of kind official on a host no rule knows, or of kind press on an official host).
REVIEWED = {
    # NATO Review articles and press-info backgrounders: official secondary, not the text.
    "core-nato-review-1997-ukraine": "official",
    "dlg-nato-review-ukraine-charter-1997": "official",
    "core-nato-eapc-pressinfo-1997": "official",
    "mst-ukr-charter-1997-press-info": "official",
    "mst-jpn-jpd-2013": "official",  # a news item about the declaration
    "ms-mofa-japan-nato-isa-2010": "official",  # a ministry's announcement of a signature
    # Government and armed forces pages on hosts no rule lists.
    "afg-croatiaemb-isaf-2004": "official",
    "afg-nz-mod-afghanistan-rsm": "official",
    "afg-nz-mod-anaoa-2016": "official",
    "bal-be-kfor-mongolia-2005": "official",
    "core-saeima-latvia-nato": "official",
    "mar-ge-mia-international-relations": "official",
    "mar-certlv-ls21": "official",
    "mar-nask-ls23": "official",
    "mst-swe-gov-history": "official",
    "mst-jor-embassy-nato": "official",
    "ms-dfa-ireland-ccdcoe-2023": "official",
    "msn-at-truppendienst-autcon50": "official",
    "msn-unipath-arab-isaf": "official",
    # A ministry's own release through the wire it publishes on (not a third party's repost).
    "mst-aut-ots-2020": "official",
    "mar-se-gov-oup-extension-2011": "official",
    # Official texts on a government host: the IPAP itself, a court's judgment.
    "mst-mda-ipap-cna": "primary",
    "mst-mda-constcourt-2017": "primary",
}


def host_of(url: str) -> str:
    host = (urlsplit(url or "").hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


def grade(row: dict) -> tuple[str, str]:
    """(tier, rule) for one source row."""
    key, url = row["key"], row.get("url") or ""
    host = host_of(url)
    text = f"{row.get('title', '')} {row.get('publisher', '')}"
    kind = row.get("kind") or "official"
    if key in REVIEWED:
        return REVIEWED[key], "reviewed"
    archived = bool(ARCHIVE_HOSTS.search(host))
    if COPY_HOSTS.search(host):
        return "copy", "copy host"
    if not archived and COPY_WORDS.search(ARCHIVE_WORDS.sub("", text)):
        return "copy", "copy words"
    if REFERENCE_HOSTS.search(host) or kind == "academic":
        return "reference", "reference host or academic kind"
    if kind in ("treaty", "dataset"):
        return "primary", "kind treaty/dataset"
    official_host = bool(OFFICIAL_HOSTS.search(host)) or archived
    if official_host and kind == "official":
        if PRIMARY_PATHS.search(url) or PRIMARY_WORDS.search(row.get("title", "")):
            return "primary", "official text"
        return "official", "official host"
    if official_host and kind == "press":
        return "official", "UNSETTLED press kind on an official host"
    if kind == "official":
        return "official", "UNSETTLED official kind on an unknown host"
    return KIND_TIER[kind], "kind"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    tally: Counter = Counter()
    rules: Counter = Counter()
    for path in sorted(ROOT.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        rows = yaml.safe_load(text) or []
        tiers = {}
        for row in rows:
            tier, rule = grade(row)
            tiers[row["key"]] = tier
            tally[tier] += 1
            rules[rule.split(" ")[0] if rule.startswith("UNSETTLED") else rule] += 1
            if check and rule.startswith("UNSETTLED"):
                print(
                    f"{path.name}: {row['key']}: {rule}: {row['publisher']} | {row['title']}"
                    f" | {row.get('url')}"
                )
        if check:
            continue
        out, current = [], None
        for line in text.splitlines(keepends=True):
            match = re.match(r"- key: (\S+)", line)
            if match:
                current = match.group(1)
            if re.match(r"  tier: ", line):
                continue
            out.append(line)
            if re.match(r"  kind: ", line) and current:
                out.append(f"  tier: {tiers[current]}\n")
        path.write_text("".join(out), encoding="utf-8")
    print(dict(tally), dict(rules), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
