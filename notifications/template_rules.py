"""What a message template may contain: the fixed context variables, the allowed tags, and a
private engine with no loaders and no tag libraries. No model is imported here, so the
``MessageTemplate`` model can check its own text and the renderer can run it."""

from __future__ import annotations

from functools import lru_cache

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import Lexer, TokenType

CONTEXT_VARIABLES = (
    "patient_first_name",
    "practice_name",
    "practice_phone",
    "site_name",
    "site_address",
    "clinician_role",
    "with_clinician",
    "mode",
    "date",
    "time",
    "previous_date",
    "previous_time",
    "cancelled_by_practice",
)
ALLOWED_TAGS = frozenset({"if", "elif", "else", "endif", "firstof", "comment", "endcomment"})

_ENGINE = Engine(
    dirs=[],
    app_dirs=False,
    loaders=[],
    libraries={},
    autoescape=False,
    string_if_invalid="",
    debug=False,
)


class TemplateRejected(Exception):
    """The template text cannot be used (bad syntax or a tag that is not allowed)."""


def check_template(text: str) -> None:
    """Raise TemplateRejected unless ``text`` compiles and uses only allowed tags."""
    for token in Lexer(text).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents.split() else ""
            if name not in ALLOWED_TAGS:
                raise TemplateRejected(
                    f"The tag {{% {name} %}} is not allowed; use only "
                    f"{', '.join(sorted(ALLOWED_TAGS))}."
                )
    try:
        _ENGINE.from_string(text)
    except TemplateSyntaxError as exc:
        raise TemplateRejected(f"The template has an error: {exc}") from None


@lru_cache(maxsize=256)
def _compiled(text: str) -> Template:
    check_template(text)
    return _ENGINE.from_string(text)


def render_text(text: str, context: dict[str, str]) -> str:
    return _compiled(text).render(Context(context, autoescape=False)).strip()
