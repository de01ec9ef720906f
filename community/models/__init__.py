"""Community links: locality teams, the shared resource directory, social prescribing."""

from community.models.directory import Category, ReferralMethod, Resource
from community.models.referrals import (
    ContactMethod,
    FollowUp,
    Need,
    Outcome,
    Referral,
    ReferralContact,
    WellbeingScale,
)
from community.models.teams import CareTeamAssignment, CommunityMember, CommunityRole

__all__ = [
    "CareTeamAssignment",
    "Category",
    "CommunityMember",
    "CommunityRole",
    "ContactMethod",
    "FollowUp",
    "Need",
    "Outcome",
    "Referral",
    "ReferralContact",
    "ReferralMethod",
    "Resource",
    "WellbeingScale",
]
