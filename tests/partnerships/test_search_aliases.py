"""The alias table of the search (partnerships/search/aliases.py) against the curated data:
every group names a partner or a place our records mention, no name is in two groups, and
each says where its names come from. A test of the data, so it reads data/."""

from pathlib import Path

import pytest

from partnerships.search.aliases import ALIASES, current_names, variants
from partnerships.search.text import fold

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def curated_text() -> str:
    return fold("\n".join(p.read_text() for p in sorted(DATA.rglob("*.yaml"))))


@pytest.mark.parametrize("group", ALIASES, ids=lambda g: g.current)
def test_each_group_names_something_in_the_curated_data(group, curated_text):
    assert any(fold(name) in curated_text for name in group.names), group.names
    assert len(group.note) > 20  # where the names come from


def test_no_name_is_in_two_groups():
    names = [fold(name) for group in ALIASES for name in group.names]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    "typed, searched",
    [
        ("Kiev", {"Kiev", "Kyiv"}),
        ("Turkiye", {"Turkiye", "Türkiye", "Turkey"}),
        ("FYROM", {"FYROM", "North Macedonia", "the former Yugoslav Republic of Macedonia"}),
        ("Moldavia", {"Moldavia", "Moldova", "Republic of Moldova"}),
        ("Georgia", {"Georgia"}),
    ],
)
def test_a_query_is_searched_with_the_other_names_of_what_it_names(typed, searched):
    assert searched <= set(variants(typed))


def test_the_current_name_replaces_an_old_one_in_place():
    assert current_names("NATO office in Kiev") == "NATO office in Kyiv"
    assert current_names("FYROM and Moldavia") == "North Macedonia and Moldova"
    assert current_names("Kyiv") is None
    assert current_names("Türkiye") is None
