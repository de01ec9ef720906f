"""Term search as you type, for any coded field of any client. Thin: parse, ask, answer."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import PermissionRefused
from policy.actor import actor_for_request
from policy.terminology import terminology_search_decision
from terminology import serializers as s
from terminology.selectors import concept_search


class ConceptSearchView(APIView):
    @extend_schema(parameters=[s.SearchIn], responses=s.HitOut(many=True))
    def get(self, request: Request) -> Response:
        decision = terminology_search_decision(actor_for_request(request))
        if not decision.allowed:
            raise PermissionRefused(decision.message)
        params = s.SearchIn(data=request.query_params)
        params.is_valid(raise_exception=True)
        hits = concept_search(
            query=params.validated_data["q"],
            scope=params.validated_data.get("scope", ""),
            limit=params.validated_data["limit"],
        )
        return Response(s.HitOut(hits, many=True).data)
