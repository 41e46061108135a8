"""Merge sources that name one document (equal normalised URL) into one record.

One-off curation step, kept for review: for each group, keep the record with the latest
date (the newest version read of the page), else the first in load order; point every
citation in data/ at the kept key; note the merged keys and their dates on the kept record;
remove the others. Prints each merge.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from partnerships.documents import normalise_url  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "data"


def main() -> int:
    groups = defaultdict(list)
    for path in sorted((DATA / "sources").glob("*.yaml")):
        for row in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if row.get("url"):
                groups[normalise_url(row["url"])].append(row)
    renames, notes = {}, {}
    for rows in groups.values():
        if len(rows) < 2:
            continue
        dated = [r for r in rows if r.get("date")]
        keep = max(dated, key=lambda r: str(r["date"])) if dated else rows[0]
        merged = [r for r in rows if r is not keep]
        for row in merged:
            renames[row["key"]] = keep["key"]
        versions = "; ".join(
            f"{r['key']}" + (f" (version of {r['date']})" if r.get("date") else "") for r in merged
        )
        notes[keep["key"]] = f"Merged from {versions}: the same document."
        print(f"{keep['key']} <- {', '.join(r['key'] for r in merged)}")
    # 1. drop the merged rows, add the note to the kept ones
    for path in sorted((DATA / "sources").glob("*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        out, skipping, current = [], False, None
        for line in lines:
            match = re.match(r"- key: (\S+)", line)
            if match:
                current = match.group(1)
                skipping = current in renames
            elif not line.startswith("  "):
                skipping = False
            if skipping:
                continue
            if current in notes and re.match(r"  notes: ", line):
                line = line.rstrip("\n").rstrip('"') + " " + notes.pop(current) + '"\n'
                line = line if line.startswith('  notes: "') else line
            out.append(line)
            if current in notes and re.match(r"  tier: ", line):
                out.append(f'  notes: "{notes.pop(current)}"\n')
        path.write_text("".join(out), encoding="utf-8")
    # 2. point every citation at the kept key, without repeating it in one list
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, renames)) + r")(?![\w-])")
    for path in sorted(DATA.rglob("*.yaml")):
        if path.parent.name == "sources":
            continue
        text = path.read_text(encoding="utf-8")
        new = pattern.sub(lambda m: renames[m.group(1)], text)

        def unique(match):
            keys = [k.strip() for k in match.group(2).split(",") if k.strip()]
            return f"{match.group(1)}[{', '.join(dict.fromkeys(keys))}]"

        new = re.sub(r"(sources: )\[([^\]]*)\]", unique, new)
        if new != text:
            path.write_text(new, encoding="utf-8")
    print(f"{len(renames)} records merged", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
