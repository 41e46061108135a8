"""Date columns and filters of the change lists, at each date's precision: a column reads
"October 1996" under the header "Published" and sorts by the date; a year filter replaces
the date drill-down, which filed a year-only date under January."""

from __future__ import annotations

from django.contrib import admin
from django.db.models.functions import ExtractYear

from partnerships.dates import display_date


def date_column(name: str, header: str):
    """A sortable column showing ``name`` at its precision ("1996", "October 1996")."""

    @admin.display(description=header, ordering=name)
    def column(obj):
        return display_date(getattr(obj, name), getattr(obj, f"{name}_precision")) or "—"

    column.__name__ = f"{name}_column"
    return column


def year_filter(name: str, header: str):
    """A list filter by the year of ``name``: a year-only date is in its year, and only
    there (no month or day is implied). Each year says how many of its dates are only a
    year."""

    class YearFilter(admin.SimpleListFilter):
        title = header
        parameter_name = f"{name}_year"

        def lookups(self, request, model_admin):
            rows = (
                model_admin.get_queryset(request)
                .exclude(**{f"{name}__isnull": True})
                .annotate(_year=ExtractYear(name))
                .values_list("_year", f"{name}_precision")
            )
            years: dict[int, list[int]] = {}
            for year, precision in rows:
                counts = years.setdefault(year, [0, 0])
                counts[0] += 1
                counts[1] += precision == "year"
            return [
                (str(year), f"{year} ({total}, {only} year only)" if only else f"{year} ({total})")
                for year, (total, only) in sorted(years.items(), reverse=True)
            ]

        def queryset(self, request, queryset):
            value = self.value()
            if value and value.isdigit():
                return queryset.filter(**{f"{name}__year": int(value)})
            return queryset

    YearFilter.__name__ = f"{name.capitalize()}YearFilter"
    return YearFilter
