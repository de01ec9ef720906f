"""Finding 9 (issue 14): browser-side defences. A strict CSP that no template needs to
loosen, Permissions-Policy, no-store on everything that may show a patient, and a password
reset that does the same work for every address."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.online.conftest import signed_in

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on...= event handler"),
    (re.compile(r"\shx-on", re.I), "an hx-on handler (evaluated as code)"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (re.compile(r"\sstyle\s*=", re.I), "an inline style"),
    (re.compile(r"<style", re.I), "a <style> element"),
]


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


def test_pages_carry_a_strict_content_security_policy() -> None:
    response = Client().get("/sign-in/")
    policy = _csp(response)
    assert policy["script-src"] == "script-src 'self'"
    assert policy["style-src"] == "style-src 'self'"
    assert policy["object-src"] == "object-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert "unsafe" not in response["Content-Security-Policy"]


def test_no_template_needs_inline_script_or_style() -> None:
    found = []
    paths = [path for folder in TEMPLATE_DIRS for path in sorted(folder.rglob("*.html"))]
    assert len(paths) > 50
    for path in paths:
        text = path.read_text()
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                found.append(f"{path.relative_to(ROOT)}: {what}: {match.group(0)!r}")
    assert found == []


def test_permissions_policy_turns_off_device_features() -> None:
    header = Client().get("/sign-in/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in header


def test_patient_pages_and_api_replies_are_never_stored(account) -> None:
    client = signed_in(account)
    for path in ("/patient/", "/patient/record/", "/api/v1/me/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
        assert "public" not in response["Cache-Control"], path


def test_the_client_cannot_choose_the_request_id() -> None:
    response = Client().get("/sign-in/", HTTP_X_REQUEST_ID="chosen-by-client")
    assert response["X-Request-ID"] != "chosen-by-client"
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.parametrize("email", ["ava@example.com", "nobody@example.com"])
def test_password_reset_does_the_same_work_for_known_and_unknown_addresses(
    account, email, monkeypatch, django_capture_on_commit_callbacks, django_assert_num_queries
) -> None:
    from online import tasks

    asked: list[dict] = []
    monkeypatch.setattr(tasks.send_password_reset, "delay", lambda **kw: asked.append(kw))
    client = Client()
    # No query at all in the request: the account lookup happens in the task, after commit.
    with django_capture_on_commit_callbacks(execute=True) as callbacks, \
            django_assert_num_queries(0):
        response = client.post("/patient/password-reset/", {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/patient/password-reset/sent/"
    assert len(callbacks) == 1
    assert asked == [{"email": email, "domain": "testserver", "use_https": False}]
