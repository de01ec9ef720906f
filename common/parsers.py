"""The API's JSON parser, with bounds: a hostile body is a 400 or 413, never a 500.

DRF's own parser reads the whole stream (Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` guards only
``request.body`` and forms) and hands it to ``json.load``, which recurses once per level of
nesting: ten thousand ``[`` raise ``RecursionError``, a 500 on every endpoint including the
anonymous token one. This parser reads at most ``API_JSON_MAX_BYTES``, counts nesting depth
and values with a scan that does not recurse, and only then decodes.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from rest_framework import exceptions, parsers
from rest_framework.utils import json

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"
    default_detail = "The request body is too large."


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def check_shape(data: bytes) -> None:
    """Refuse JSON nested deeper than ``API_JSON_MAX_DEPTH`` or with more than
    ``API_JSON_MAX_ITEMS`` values, before any decoding (the scan does not recurse)."""
    max_depth = _limit("API_JSON_MAX_DEPTH", 32)
    max_items = _limit("API_JSON_MAX_ITEMS", 10_000)
    bare = _STRING.sub(b'""', data)
    items = bare.count(b",") + 1
    if items > max_items:
        raise exceptions.ParseError(
            f"The JSON has too many values: at most {max_items} in one request."
        )
    depth = 0
    for match in _BRACKET.finditer(bare):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > max_depth:
                raise exceptions.ParseError(
                    f"The JSON is nested too deeply: at most {max_depth} levels."
                )
        else:
            depth -= 1


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> Any:
        max_bytes = _limit("API_JSON_MAX_BYTES", 1024 * 1024)
        data = stream.read(max_bytes + 1) if stream is not None else b""
        if len(data) > max_bytes:
            raise RequestTooLarge(
                f"The request body is too large: at most {max_bytes // 1024} KB of JSON."
            )
        check_shape(data)
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            return json.loads(data.decode(encoding), parse_constant=json.strict_constant)
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError(f"The body is not valid JSON: {exc}") from None
