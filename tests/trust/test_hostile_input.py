"""Hostile input gets a clean 4xx (JSON under /api/, with a human message), never a 500.

Issue 14, finding 8. Each test names the mechanism it relies on; removing it makes the test
fail (e.g. drop ``common.parsers.JSONParser`` from DEFAULT_PARSER_CLASSES and the nesting
tests get a 500)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from common.api import bounded
from staff.roles import Role
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def anonymous() -> APIClient:
    return APIClient(raise_request_exception=False)


@pytest.fixture
def staff_client() -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(StaffMemberFactory(role=Role.RECEPTIONIST).user)
    return client


def assert_json_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["message"] and isinstance(body["message"], str)
    return body


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deeply_nested_json_to_the_anonymous_token_endpoint_is_a_400(opener: str) -> None:
    body = opener * 50_000
    response = anonymous().post(TOKEN, body, content_type="application/json")
    assert "nested too deeply" in assert_json_error(response, 400)["message"]


def test_nesting_within_the_bound_is_parsed(staff_client: APIClient) -> None:
    body = '{"username": "x", "password": "y", "extra": [[[[[]]]]]}'
    response = anonymous().post(TOKEN, body, content_type="application/json")
    assert "do not match" in assert_json_error(response, 400)["message"]


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    body = '{"username": "' + "[{" * 70 + '", "password": "' + "\\\"[" * 100 + '"}'
    response = anonymous().post(TOKEN, body, content_type="application/json")
    assert "do not match" in assert_json_error(response, 400)["message"]


def test_a_username_longer_than_its_column_is_a_400() -> None:
    # The sign-in throttle (django-axes) stores the username: PostgreSQL refused it (DataError).
    response = anonymous().post(TOKEN, {"username": "u" * 5000, "password": "y"}, format="json")
    assert_json_error(response, 400)


def test_too_many_values_are_refused_before_decoding(staff_client: APIClient) -> None:
    body = "[" + ",".join(["0"] * 20_000) + "]"
    response = staff_client.post("/api/v1/appointments/", body, content_type="application/json")
    assert "too many values" in assert_json_error(response, 400)["message"]


def test_a_json_body_over_the_limit_is_a_413(settings: Any) -> None:
    settings.API_JSON_MAX_BYTES = 2048
    body = '{"username": "' + "a" * 4096 + '", "password": "y"}'
    response = anonymous().post(TOKEN, body, content_type="application/json")
    assert_json_error(response, 413)


def test_a_body_over_the_upload_limit_is_a_json_413_not_an_html_400(
    settings: Any, staff_client: APIClient
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    urlencoded = staff_client.post(
        "/api/v1/appointments/", "slot=" + "1" * 4096,
        content_type="application/x-www-form-urlencoded",
    )
    assert_json_error(urlencoded, 413)
    form = staff_client.post(TOKEN, {"username": "a" * 4096, "password": "b"}, format="multipart")
    assert_json_error(form, 413)


def test_invalid_json_is_a_400_with_a_message() -> None:
    response = anonymous().post(TOKEN, '{"username": NaN}', content_type="application/json")
    assert "not valid JSON" in assert_json_error(response, 400)["message"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/patients/?q=%00",
        "/api/v1/appointments/?patient=1%00",
        "/api/v1/community/resources/?q=a%00b",
        "/api/v1/slots/?site=%00",
    ],
)
def test_a_nul_byte_in_a_query_parameter_is_a_400(url: str, staff_client: APIClient) -> None:
    assert "NUL" in assert_json_error(staff_client.get(url), 400)["message"]


def test_a_nul_byte_on_a_page_is_a_plain_400_page(client: Any) -> None:
    client.raise_request_exception = False
    response = client.get("/reception/patients/?q=%00")
    assert response.status_code == 400
    assert b"NUL" in response.content


def test_a_date_at_the_end_of_the_calendar_is_a_400(staff_client: APIClient) -> None:
    response = staff_client.get("/api/v1/appointments/?date=9999-12-31")
    assert_json_error(response, 400)


@pytest.mark.parametrize(
    "url", ["/api/v1/appointments/abc/", "/api/v1/appointments/1e3/cancel/", "/api/v1/nowhere/"]
)
def test_a_path_that_matches_no_route_is_a_json_404(url: str, staff_client: APIClient) -> None:
    assert_json_error(staff_client.get(url), 404)


def test_a_page_that_matches_no_route_is_still_html(client: Any) -> None:
    response = client.get("/reception/nowhere/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_error_lists_are_bounded() -> None:
    detail = {f"field{i}": [f"bad {j}" for j in range(100)] for i in range(100)}
    kept = bounded(detail)
    assert len(kept) == 21 and "more_errors" in kept
    assert len(kept["field0"]) == 21 and kept["field0"][-1] == "80 more errors."


def test_a_date_at_the_end_of_the_calendar_on_a_page_is_a_400_page(client: Any) -> None:
    client.raise_request_exception = False
    client.force_login(StaffMemberFactory(role=Role.RECEPTIONIST).user)
    response = client.get("/reception/book/", {"date": "9999-12-31"})
    assert response.status_code == 400
    assert b"out of range" in response.content
