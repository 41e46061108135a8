"""Property-based tests (hypothesis) of the importers and the filters: any input is either
accepted or refused with a clear error; nothing else escapes, and refusals change nothing."""

import datetime as dt
import textwrap

import pytest
from django.core.management import CommandError, call_command
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frameworks.filtersets import ParticipationFilterSet
from frameworks.models import Participation
from missions.filtersets import ContributionFilterSet
from missions.models import Contribution
from partnerships.dates import format_date, parse_fuzzy_date
from partnerships.filtersets import PartnerFilterSet
from partnerships.knowledge import LoadError, parse_period
from partnerships.models import Partner, Source

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
texts = st.text(max_size=30)
date_like = st.one_of(
    texts,
    st.dates().map(dt.date.isoformat),
    st.integers(min_value=-99999, max_value=99999).map(str),
    st.from_regex(r"\d{4}(-\d{2}(-\d{2})?)?", fullmatch=True),
)


@SETTINGS
@given(date_like)
def test_fuzzy_dates_parse_or_refuse_and_round_trip(text):
    try:
        value, precision = parse_fuzzy_date(text)
    except ValueError as exc:
        assert "date" in str(exc).lower()  # "not a date", "Dates must fall between..."
        return
    assert format_date(value, precision) == text.strip()


@SETTINGS
@given(st.dictionaries(st.sampled_from(["start", "end"]), st.one_of(date_like, st.none())))
def test_loader_periods_parse_or_refuse_with_file_and_line(values):
    row = {"__file__": "data/x.yaml", "__line__": 3, **values}
    try:
        period = parse_period(row, values)
    except LoadError as exc:
        assert str(exc).startswith("data/x.yaml:3: ")
        return
    assert set(period) == {"start", "start_precision", "end", "end_precision", "end_unknown"}


params = st.dictionaries(
    st.sampled_from(
        ["framework", "framework_all", "as_of", "region", "status", "mission", "mission_all",
         "cooperation_area", "acceded_after", "acceded_before", "q", "ordering", "partner",
         "as_of", "started_after", "ended_before", "role", "year", "personnel_min"]
    ),
    st.lists(st.one_of(date_like, st.sampled_from(["gulf", "ally", "partner", "-name", "GEO"])),
             min_size=1, max_size=3),
    max_size=4,
)  # fmt: skip


@pytest.mark.django_db
@SETTINGS
@given(params)
def test_filters_accept_or_refuse_any_query(query):
    data = QueryDict(mutable=True)
    for key, values in query.items():
        data.setlist(key, values)
    for filterset_class, model in (
        (PartnerFilterSet, Partner),
        (ParticipationFilterSet, Participation),
        (ContributionFilterSet, Contribution),
    ):
        filterset = filterset_class(data, queryset=model.objects.all())
        if filterset.is_valid():
            list(filterset.qs[:5])
        else:
            assert all(isinstance(k, str) for k in filterset.errors)


VALID_SOURCE = """
- key: s1
  title: A source
  publisher: NATO
  tier: official
"""


@pytest.mark.django_db
@SETTINGS
@given(
    st.dictionaries(
        st.sampled_from(["iso3", "name", "region", "nato_accession", "sources", "other_names",
                         "cow_code", "colour"]),
        st.one_of(texts, st.integers(), st.none(), st.lists(texts, max_size=2)),
        min_size=1,
    )
)  # fmt: skip
def test_a_partner_row_loads_or_is_refused_and_changes_nothing(tmp_path_factory, row):
    import yaml

    root = tmp_path_factory.mktemp("data")
    (root / "sources").mkdir()
    (root / "sources" / "s.yaml").write_text(textwrap.dedent(VALID_SOURCE))
    (root / "partners").mkdir()
    (root / "partners" / "p.yaml").write_text(yaml.safe_dump([row]))
    before = (Partner.objects.count(), Source.objects.count())
    try:
        call_command("load_knowledge", data=str(root), verbosity=0)
    except CommandError as exc:
        assert "partners/p.yaml:" in str(exc) or "sources" in str(exc)
        assert (Partner.objects.count(), Source.objects.count()) == before
    else:
        assert Partner.objects.filter(iso3=str(row.get("iso3", "")).upper()).exists()
