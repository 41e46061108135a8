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


def schema_of(api) -> dict:
    return api.get("/api/v1/schema/", {"format": "json"}).json()


def test_every_operation_documents_its_errors_with_one_schema(api):
    schema = schema_of(api)
    error = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code in ("400", "404", "429"):
                response = operation["responses"].get(code)
                assert response, (method, path, code)
                assert response["content"]["application/json"]["schema"] == error
    assert schema["components"]["schemas"]["Error"]["additionalProperties"]["type"] == "array"


def test_lists_and_matrices_declare_csv_as_text_beside_json(api):
    schema = schema_of(api)
    paths = schema["paths"].items()
    lists = [p for p, ops in paths if "{" not in p and {"get", "post"} <= set(ops)]
    assert len(lists) >= 9
    for path in [*lists, "/api/v1/matrix/frameworks/", "/api/v1/matrix/missions/"]:
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert "application/json" in content, path
        assert content["text/csv"]["schema"]["type"] == "string", path


def test_every_precision_field_is_an_enum(api):
    schemas = schema_of(api)["components"]["schemas"]
    assert schemas["PrecisionEnum"]["enum"] == ["day", "month", "year"]
    found = 0
    for name, component in schemas.items():
        for field, spec in component.get("properties", {}).items():
            if field.endswith("_precision") or (name == "TimelineEvent" and field == "precision"):
                refs = [s.get("$ref") for s in spec.get("oneOf", spec.get("allOf", [spec]))]
                assert "#/components/schemas/PrecisionEnum" in refs, (name, field, spec)
                found += 1
    assert found >= 15
