"""The API as a whole: every filter documented in the OpenAPI schema, the schema valid, the
docs served from local files. (Each resource's own tests: tests/<app>/test_api.py.)"""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def test_every_filter_parameter_is_documented_in_the_schema(api):
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    parameters = {
        p["name"]
        for operation in schema["paths"]["/api/v1/partners/"].values()
        for p in operation.get("parameters", [])
    }
    assert {"framework", "framework_all", "as_of", "region", "status", "mission", "mission_all",
            "cooperation_area", "acceded_after", "acceded_before", "q", "ordering", "page",
            "page_size", "format"} - {"format"} <= parameters  # fmt: skip
    described = [
        p for p in schema["paths"]["/api/v1/partners/"]["get"]["parameters"] if p.get("description")
    ]
    assert len(described) >= 10
    assert "first day of its start" in schema["info"]["description"]


def test_schema_validates():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)


def test_docs_are_served_from_local_files(api):
    for path in ("/api/v1/docs/", "/api/v1/redoc/"):
        html = api.get(path).content.decode()
        assert "cdn" not in html.lower() and "unpkg" not in html.lower() and "jsdelivr" not in html
        assert "/static/drf_spectacular_sidecar/" in html
