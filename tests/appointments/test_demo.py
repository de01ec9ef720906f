from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from appointments import demo
from appointments.models import Appointment, AppointmentType, SessionTemplate, Slot
from staff.roles import Role
from tests.factories import PatientFactory, StaffMemberFactory, UserFactory


def demo_world(world):
    sites = [world.botley, world.kennington]
    staff = {}
    for login, role in [("anp", Role.ANP), ("hca", Role.HCA), ("reception", Role.RECEPTIONIST)]:
        staff[login] = StaffMemberFactory(
            user=UserFactory(username=login), practice=world.practice, role=role, sites=sites
        )
    staff["gp"] = world.gp
    for _ in range(30):
        PatientFactory(registered_practice=world.practice)
    return SimpleNamespace(practice=world.practice, sites={}, staff=staff)


def test_seed_builds_types_rota_slots_and_bookings(world):
    demo.seed(demo_world(world))
    assert AppointmentType.objects.filter(practice=world.practice, name="HCA bloods").get().roles
    assert SessionTemplate.objects.filter(clinician__practice=world.practice).count() > 10
    assert Slot.objects.filter(practice=world.practice, online=True).exists()
    assert Slot.objects.filter(practice=world.practice, federation=True).exists()
    same_day = Slot.objects.filter(practice=world.practice, release_at__isnull=False).first()
    assert timezone.localtime(same_day.release_at).time() == datetime.time(8)
    assert (
        timezone.localtime(same_day.release_at).date() == timezone.localtime(same_day.start).date()
    )
    assert Appointment.objects.filter(site__practice=world.practice).count() > 10


def test_seed_is_idempotent(world):
    ctx = demo_world(world)
    demo.seed(ctx)
    counts = (Slot.objects.count(), Appointment.objects.count(), SessionTemplate.objects.count())
    demo.seed(ctx)
    assert (
        Slot.objects.count(),
        Appointment.objects.count(),
        SessionTemplate.objects.count(),
    ) == counts


def test_seed_finds_the_practice_by_ods_code_without_a_context(world):
    demo_world(world)
    demo.seed({})
    assert SessionTemplate.objects.filter(clinician__user__username="anp").exists()
