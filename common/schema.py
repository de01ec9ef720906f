"""The OpenAPI schema says what every endpoint can answer, errors included.

Every error from the API has one shape (``common.api``, ``common.handlers``): ``{"error": code,
"message": text, "detail": ...}``. Views document their own successes and the errors they
mean; this drf-spectacular hook adds, to every operation that does not document them itself,
the errors any endpoint can give (invalid input, not signed in, refused, no such id, conflict,
too large, wrong media type, throttled, database briefly unavailable), so a client generated
from the schema, and schemathesis, know them.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "a short code, e.g. invalid, conflict"},
        "message": {"type": "string", "description": "what went wrong, in words for people"},
        "detail": {"description": "per-field messages (at most 20 per list)"},
    },
}
ANY_OPERATION = {
    "400": "The request is invalid: the message says why.",
    "401": "Not signed in: send a token (Authorization: Token ...).",
    "403": "Refused: the message says why.",
    "404": "No such address, or nothing with that id that you can see.",
    "405": "That method is not allowed here.",
    "406": "The Accept header asks for a format the API cannot give.",
    "409": "The appointment book changed meanwhile, or someone else changed it at the same "
    "moment: try again.",
    "429": "Too many requests: wait and try again.",
    "503": "The database is briefly unavailable: try again after Retry-After seconds.",
}
WITH_BODY = {
    "413": "The request body is too large.",
    "415": "The body's media type is not one the API reads (send application/json).",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> Any:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = dict(ANY_OPERATION)
            if method in ("post", "put", "patch"):
                errors.update(WITH_BODY)
            for status, description in errors.items():
                operation["responses"].setdefault(
                    status, {"description": description, "content": reference}
                )
    return result
