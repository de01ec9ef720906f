from __future__ import annotations

import pytest

from community import demo
from community.models import FollowUp, Referral, Resource

pytestmark = pytest.mark.django_db


def test_the_demo_seed_is_idempotent() -> None:
    demo.seed(None)
    counts = (Resource.objects.count(), Referral.objects.count(), FollowUp.objects.count())
    demo.seed(None)
    assert (Resource.objects.count(), Referral.objects.count(),
            FollowUp.objects.count()) == counts
    assert counts[0] == 12 and counts[1] == 4 and counts[2] == 3
    assert Resource.objects.filter(stale_since__isnull=False).count() == 5
    assert FollowUp.objects.exclude(outcome="").count() == 1
