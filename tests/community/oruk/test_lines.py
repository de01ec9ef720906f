"""The line-tracking JSON parser used to report import problems by line."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from community.oruk.lines import JSONSyntaxError, parse_with_lines

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


@given(json_values, st.sampled_from([None, 2]))
def test_parses_exactly_what_the_standard_parser_parses(value, indent) -> None:
    text = json.dumps(value, indent=indent)
    assert parse_with_lines(text).value == json.loads(text)


def test_records_the_line_of_each_value() -> None:
    text = '{\n  "a": [\n    1,\n    {"b": "x"}\n  ],\n  "c": null\n}'
    located = parse_with_lines(text)
    assert located.lines[("a",)] == 2
    assert located.lines[("a", 1, "b")] == 4
    assert located.lines[("c",)] == 6


def test_a_missing_path_falls_back_to_the_nearest_enclosing_value() -> None:
    located = parse_with_lines('[\n  {\n    "a": 1\n  }\n]')
    assert located.line_of((0, "missing", 3)) == 2


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('[\n  {"a": 1,}\n]', 2),
        ('{\n  "a": 1\n  "b": 2\n}', 3),
        ('{\n  "a": 1,\n  "a": 2\n}', 3),
        ("[1, 2]\n\nx", 3),
        ('[\n"unterminated', 2),
        ("", 1),
    ],
)
def test_syntax_errors_name_their_line(text, line) -> None:
    with pytest.raises(JSONSyntaxError) as error:
        parse_with_lines(text)
    assert error.value.line == line


def test_deep_nesting_is_refused_not_a_crash() -> None:
    with pytest.raises(JSONSyntaxError):
        parse_with_lines("[" * 1000 + "]" * 1000)
