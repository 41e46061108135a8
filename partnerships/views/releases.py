"""Releases: the list, and one release with its changelog."""

from __future__ import annotations

import base64

from django.core.exceptions import FieldDoesNotExist
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import condition

from partnerships.models import Release
from partnerships.provenance.archive import archive_name, citation_texts
from partnerships.provenance.releases import curated_models, public
from partnerships.serving.conditional import IMMUTABLE
from partnerships.views.common import paginate


def release_citation(request, release) -> dict:
    """What partials/cite_release.html shows: the archive's name and the citations."""
    url = request.build_absolute_uri(release.get_absolute_url())
    return {
        "archive_name": archive_name(release.version),
        "cite": citation_texts(release.version, release.release_date, url),
    }


def archive_etag(request, version: str) -> str | None:
    return Release.objects.filter(version=version).values_list("archive_sha256", flat=True).first()


@condition(etag_func=archive_etag)
def release_download(request, version: str):
    """The release's zip archive, as frozen when it was made (a permanent URL): immutable,
    its ETag the archive's SHA-256."""
    release = get_object_or_404(Release, version=version)
    if not release.archive:
        raise Http404("This release has no archive.")
    response = HttpResponse(bytes(release.archive), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive_name(version)}"'
    response["Digest"] = (
        f"sha-256={base64.b64encode(bytes.fromhex(release.archive_sha256)).decode()}"
    )
    response["X-Archive-SHA256"] = release.archive_sha256
    response["Cache-Control"] = IMMUTABLE
    return response


def release_list(request):
    page = paginate(
        request,
        Release.objects.select_related("created_by").defer("archive").order_by("-created"),
    )
    return render(request, "partnerships/release_list.html", {"page": page})


def _link_change(owner, change: dict, wanted: dict) -> None:
    """A change of kept links is logged as the link rows before and after (``[{"partner":
    3, "source": 7}, ...]``): note which rows were added and removed, to name them."""
    if owner is None:
        return
    try:
        field = owner._meta.get_field(change["field"])
    except FieldDoesNotExist:  # a field since removed from the model
        return
    if not field.many_to_many:
        return
    target = field.related_model
    key = target._meta.model_name

    def ids(rows):
        return {row.get(key) for row in rows or () if isinstance(row, dict)} - {None}

    before, after = ids(change.get("before")), ids(change.get("after"))
    change.update(link_target=target, added=sorted(after - before), removed=sorted(before - after))
    wanted.setdefault(target, set()).update(before ^ after)


def release_detail(request, version: str):
    release = get_object_or_404(Release, version=version)
    by_kind = {str(m._meta.verbose_name_plural): m for m in curated_models()}
    # Who made each change is for staff; why is for everyone.
    log = public(release.changelog or {}, staff=request.user.is_staff)
    wanted: dict = {}  # linked rows named by changes of links: model -> ids
    sections = []
    for key, title in (("added", "Added"), ("changed", "Changed"), ("removed", "Removed")):
        kinds = []
        for kind, entries in sorted((log.get(key) or {}).items()):
            model_ = by_kind.get(kind)
            items = []
            for entry in entries:
                url = (
                    reverse(
                        "object-history",
                        args=[model_._meta.app_label, model_._meta.model_name, entry["id"]],
                    )
                    if model_ is not None
                    else ""
                )
                items.append({**entry, "url": url})
                for change in entry.get("fields", ()):
                    _link_change(model_, change, wanted)
            kinds.append({"kind": kind, "entries": items})
        sections.append(
            {
                "key": key,
                "title": title,
                "kinds": kinds,
                "total": sum(len(k["entries"]) for k in kinds),
            }
        )
    # Names of the linked rows (sources, roles, areas), one query per kind of row.
    names = {}
    for target, ids in wanted.items():
        for obj in target.objects.filter(pk__in=ids):
            names[(target, obj.pk)] = str(obj)
    for section in sections:
        for kind in section["kinds"]:
            for entry in kind["entries"]:
                for change in entry.get("fields", ()):
                    if "link_target" in change:
                        target = change.pop("link_target")
                        change["link"] = True
                        for side in ("added", "removed"):
                            change[side] = [names.get((target, i), f"#{i}") for i in change[side]]
    previous = Release.objects.filter(created__lt=release.created).order_by("-created").first()
    return render(
        request,
        "partnerships/release_detail.html",
        {
            "release": release,
            "sections": sections,
            "since": log.get("since"),
            "previous": previous,
            "counts": sorted((release.counts or {}).items()),
            "api_url": reverse("api:release-detail", args=[release.version]),
            **release_citation(request, release),
        },
    )
