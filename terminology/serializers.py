"""The terminology API's shapes."""

from __future__ import annotations

from rest_framework import serializers

from terminology.selectors import SCOPES, SEARCH_LIMIT


class SearchIn(serializers.Serializer):
    q = serializers.CharField(
        min_length=2, max_length=100, trim_whitespace=True,
        help_text="What has been typed so far: every word must start a word of a term.",
        error_messages={"min_length": "Type at least 2 characters to search."},
    )
    scope = serializers.ChoiceField(
        choices=sorted(SCOPES), required=False, allow_blank=True,
        help_text="Offer only the concepts a field takes (e.g. problem, medication, allergy).",
    )
    limit = serializers.IntegerField(min_value=1, max_value=50, default=SEARCH_LIMIT)


class HitOut(serializers.Serializer):
    concept_id = serializers.CharField()
    term = serializers.CharField(help_text="The preferred term: what the entry records.")
    matched = serializers.CharField(help_text="The description the search matched.")
    fsn = serializers.CharField()
    semantic_tag = serializers.CharField()
