"""Reads for community links: directory search, stale lists, caseloads, the outcomes report.

Every selector takes the already-decided scope (a locality id, a policy Q) so that no page or
endpoint can forget it, and each returns in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Prefetch, Q, QuerySet

from community.models import (
    CareTeamAssignment,
    FollowUp,
    Need,
    Outcome,
    Referral,
    ReferralContact,
    Resource,
)
from community.models.directory import resource_search_vector
from staff.models import StaffMember


def resources_search(
    *,
    locality_id: int,
    words: str = "",
    category: str = "",
    area: str = "",
    include_inactive: bool = False,
) -> QuerySet[Resource]:
    """Directory entries of a locality matching words (PostgreSQL full-text search, best
    match first), a category and an area (case-insensitive, part of the name is enough)."""
    qs = Resource.objects.filter(locality_id=locality_id).select_related("curator")
    if not include_inactive:
        qs = qs.filter(active=True)
    if category:
        qs = qs.filter(categories__contains=[category])
    if area:
        qs = qs.filter(area__icontains=area.strip())
    words = words.strip()
    if words:
        query = SearchQuery(words, config="english", search_type="websearch")
        vector = resource_search_vector()
        qs = (
            qs.annotate(search=vector)
            .filter(search=query)
            .annotate(rank=SearchRank(vector, query))
            .order_by("-rank", "name")
        )
    return qs


def resource_areas(*, locality_id: int) -> list[str]:
    return list(
        Resource.objects.filter(locality_id=locality_id, active=True)
        .exclude(area="")
        .order_by("area")
        .values_list("area", flat=True)
        .distinct()
    )


def resource_get(*, locality_id: int, pk: int) -> Resource | None:
    return (
        Resource.objects.select_related("curator", "locality")
        .filter(locality_id=locality_id, pk=pk)
        .first()
    )


def resources_stale_for_curator(*, curator_id: int, locality_id: int) -> QuerySet[Resource]:
    """The curator's entries flagged stale by the daily check, the longest unchecked first."""
    return Resource.objects.filter(
        locality_id=locality_id, curator_id=curator_id, stale_since__isnull=False
    ).order_by("last_checked", "name")


def resources_stale_by_curator(*, locality_id: int) -> dict[Any, list[Resource]]:
    """Every stale entry of a locality grouped by curator (for managers)."""
    grouped: dict[Any, list[Resource]] = defaultdict(list)
    for resource in (
        Resource.objects.filter(locality_id=locality_id, stale_since__isnull=False)
        .select_related("curator")
        .order_by("curator__last_name", "last_checked")
    ):
        grouped[resource.curator].append(resource)
    return dict(grouped)


def care_team_list(*, scope: Q) -> QuerySet[CareTeamAssignment]:
    return CareTeamAssignment.objects.filter(scope).select_related(
        "member__user", "patient"
    ).order_by("-starts_on", "pk")


def _referral_base() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "patient", "resource", "link_worker__user", "referred_by", "practice"
    )


def referrals_list(*, scope: Q, status: str = "") -> QuerySet[Referral]:
    qs = _referral_base().filter(scope)
    if status:
        qs = qs.filter(status=status)
    return qs


def caseload(*, link_worker: StaffMember) -> QuerySet[Referral]:
    """Open referrals held by a link worker, oldest first, with contacts and follow-up."""
    return (
        _referral_base()
        .filter(link_worker=link_worker, status=Referral.Status.OPEN)
        .select_related("follow_up")
        .prefetch_related(
            Prefetch(
                "contacts",
                queryset=ReferralContact.objects.select_related("recorded_by").order_by(
                    "-contacted_on", "-pk"
                ),
            )
        )
        .order_by("referred_on", "pk")
    )


def referral_get(*, scope: Q, pk: int) -> Referral | None:
    return _referral_base().select_related("follow_up").filter(scope, pk=pk).first()


def follow_ups_to_record(*, user_id: int) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(assigned_to_id=user_id, outcome="")
        .select_related("referral__patient", "referral__resource")
        .order_by("due_on", "pk")
    )


def follow_ups_list(*, scope: Q, recorded: bool | None = None) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.filter(
        referral__in=Referral.objects.filter(scope).values("pk")
    ).select_related("referral__patient", "referral__resource", "assigned_to")
    if recorded is not None:
        qs = qs.exclude(outcome="") if recorded else qs.filter(outcome="")
    return qs


# --- Outcomes report ----------------------------------------------------------------------


def share(part: int, whole: int) -> str:
    """'35 of 131 (27%)': percentages rounded half up, to whole numbers."""
    if whole == 0:
        return "0 of 0"
    percent = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP)
    return f"{part} of {whole} ({percent}%)"


@dataclass
class ReportRow:
    key: str
    label: str
    referred: int = 0
    followed_up: int = 0
    engaged: int = 0

    @property
    def engaged_share(self) -> str:
        return share(self.engaged, self.referred)

    @property
    def followed_up_share(self) -> str:
        return share(self.followed_up, self.referred)

    @property
    def engaged_percent(self) -> int:
        if not self.referred:
            return 0
        return int((Decimal(self.engaged) * 100 / self.referred).quantize(1, ROUND_HALF_UP))


@dataclass
class OutcomesReport:
    start: datetime.date | None
    end: datetime.date | None
    total: ReportRow = field(default_factory=lambda: ReportRow("all", "All referrals"))
    by: dict[str, list[ReportRow]] = field(default_factory=dict)

    DIMENSIONS = (
        ("practice", "Practice"),
        ("locality", "Locality"),
        ("resource", "Resource"),
        ("need", "Need"),
    )


def outcomes_report(
    *, scope: Q, start: datetime.date | None = None, end: datetime.date | None = None
) -> OutcomesReport:
    """Referrals made in [start, end] (by referral date), how many were followed up (an
    outcome recorded) and how many were still engaged (still attending) at follow-up, per
    practice, locality, resource and need. A referral with several needs counts once under
    each need. Declined referrals count as referrals made. One query."""
    qs = Referral.objects.filter(scope)
    if start:
        qs = qs.filter(referred_on__gte=start)
    if end:
        qs = qs.filter(referred_on__lte=end)
    rows = qs.values_list(
        "practice_id",
        "practice__name",
        "locality_id",
        "locality__name",
        "resource_id",
        "resource__name",
        "needs",
        "follow_up__outcome",
    )
    report = OutcomesReport(start=start, end=end)
    tables: dict[str, dict[str, ReportRow]] = {name: {} for name, _ in report.DIMENSIONS}
    need_labels = dict(Need.choices)

    def count(table: str, key: str, label: str, followed: bool, engaged: bool) -> None:
        row = tables[table].setdefault(key, ReportRow(key, label))
        row.referred += 1
        row.followed_up += followed
        row.engaged += engaged

    for practice_id, practice, locality_id, locality, resource_id, resource, needs, outcome \
            in rows:
        followed = bool(outcome)
        engaged = outcome == Outcome.STILL_ATTENDING
        report.total.referred += 1
        report.total.followed_up += followed
        report.total.engaged += engaged
        count("practice", str(practice_id), practice, followed, engaged)
        count("locality", str(locality_id or ""), locality or "No locality", followed, engaged)
        count(
            "resource",
            str(resource_id or ""),
            resource or "Link worker only (no resource)",
            followed,
            engaged,
        )
        for need in needs or []:
            count("need", need, str(need_labels.get(need, need)), followed, engaged)
    report.by = {
        name: sorted(tables[name].values(), key=lambda r: (-r.referred, r.label))
        for name, _ in report.DIMENSIONS
    }
    return report




def directory_export(*, locality_id: int) -> dict[str, Any]:
    """The locality's directory as an ORUK API page of services (inactive entries too)."""
    from community.oruk.mapping import resource_to_service

    services = [
        resource_to_service(r)
        for r in Resource.objects.filter(locality_id=locality_id).order_by("name", "pk")
    ]
    return {
        "totalElements": len(services),
        "totalPages": 1,
        "number": 1,
        "size": len(services),
        "first": True,
        "last": True,
        "content": services,
    }
