"""Other names and historic names of our partners and places: the one table the search reads.

A query naming any member of a group also searches every other member ("Kiev" finds what
says *Kyiv*, "FYROM" finds North Macedonia), on both databases, and "Did you mean" offers
the current name (the first of the group). Accents are folded, so a name is listed once,
with its accents ("Türkiye" serves "Turkiye" too). Only names of our partners and of places our
records mention are listed; ``tests/partnerships/test_search_aliases.py`` checks that each
group names something in ``data/``. Each group says where its names come from.

A partner's own other names (``Partner.other_names``) are searched as its names already;
they are repeated here only where the search must also reach the text of other records
(a milestone or a source that uses the old name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import product

from partnerships.search.text import fold, folded_with_offsets


@dataclass(frozen=True)
class AliasGroup:
    names: tuple[str, ...]  # the current name first
    note: str  # where the names come from

    @property
    def current(self) -> str:
        return self.names[0]


ALIASES: tuple[AliasGroup, ...] = (
    AliasGroup(
        ("Kyiv", "Kiev"),
        "Kyiv is the Ukrainian-based romanisation adopted by Ukraine (1995) and by the US "
        "Board on Geographic Names (2019); Kiev is the earlier, Russian-based spelling.",
    ),
    AliasGroup(
        (
            "North Macedonia",
            "the former Yugoslav Republic of Macedonia",
            "FYROM",
            "Republic of Macedonia",
        ),
        "Name agreed in the Prespa Agreement (in force February 2019); NATO used "
        '"the former Yugoslav Republic of Macedonia" (FYROM) before.',
    ),
    AliasGroup(
        ("Türkiye", "Turkey"),
        "The United Nations registered the name Türkiye in June 2022 at Ankara's request; "
        "NATO uses it since. Turkey is the earlier English name.",
    ),
    AliasGroup(
        ("Czechia", "Czech Republic"),
        "Czechia is the short name registered with the United Nations in 2016; the Czech "
        "Republic is the formal name.",
    ),
    AliasGroup(
        ("Moldova", "Republic of Moldova", "Moldavia"),
        "Moldavia: the Moldavian SSR until independence in 1991.",
    ),
    AliasGroup(
        ("Belarus", "Byelorussia", "Belorussia"),
        "Byelorussia: the Byelorussian SSR until independence in 1991.",
    ),
    AliasGroup(
        ("Kyrgyzstan", "Kyrgyz Republic", "Kirghizia"),
        "Kirghizia: the Kirghiz SSR until independence in 1991.",
    ),
    AliasGroup(
        ("Chișinău", "Kishinev"),
        "Capital of Moldova: Chișinău in Romanian (Chisinau without diacritics); Kishinev is "
        "the Russian-based name used until 1991.",
    ),
)

MAX_VARIANTS = 8  # a query naming several groups searches at most this many spellings


@cache
def _patterns() -> list[tuple[re.Pattern, AliasGroup]]:
    found = []
    for group in ALIASES:
        for name in group.names:
            found.append((re.compile(rf"\b{re.escape(fold(name))}\b"), group))
    # Longer names first: "Republic of Macedonia" before "Macedonia".
    return sorted(found, key=lambda item: -len(item[0].pattern))


def named_groups(text: str) -> list[tuple[str, AliasGroup]]:
    """The groups the text names, each with the (folded) name it used, in text order."""
    folded = fold(text)
    found: dict[AliasGroup, tuple[int, str]] = {}
    taken: list[range] = []
    for pattern, group in _patterns():
        for match in pattern.finditer(folded):
            if group in found or any(match.start() in r for r in taken):
                continue
            found[group] = (match.start(), match.group())
            taken.append(range(match.start(), match.end()))
    return [(name, group) for group, (_, name) in sorted(found.items(), key=lambda i: i[1][0])]


def variants(text: str) -> tuple[str, ...]:
    """The query as typed, then as it would read with each other name of the groups it
    names (the rest folded, the names as written: PostgreSQL's index keeps accents), at
    most MAX_VARIANTS in all."""
    named = named_groups(text)
    if not named:
        return (text,)
    folded = fold(text)
    choices = [[(name, other) for other in group.names] for name, group in named]
    found = dict.fromkeys([text])
    for combination in product(*choices):
        variant = folded
        for used, other in combination:
            variant = re.sub(rf"\b{re.escape(used)}\b", lambda _m, o=other: o, variant)
        if variant.casefold() != text.casefold():
            found[variant] = None
        if len(found) >= MAX_VARIANTS:
            break
    return tuple(found)


def current_names(text: str) -> str | None:
    """The query with every old or other name replaced by the current one, if any was used
    ("Kiev" gives "Kyiv"); ``None`` when it already uses current names only."""
    result, changed = text, False
    for name, group in named_groups(text):
        if name == fold(group.current):
            continue
        folded, origin = folded_with_offsets(result)
        match = re.search(rf"\b{re.escape(name)}\b", folded)
        if match is None:
            continue
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        result = result[:start] + group.current + result[end:]
        changed = True
    return result if changed else None
