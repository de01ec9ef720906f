"""Demo data for community links: ``seed(ctx)`` is called by ``manage.py seed_demo``.

Idempotent: run it twice and nothing is duplicated. It uses practice K84016 and the user
``linkworker`` from the main demo seed, and creates them (minimally) if they are missing.
All patients are in the 999 NHS number range.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from community.models import (
    CareTeamAssignment,
    CommunityMember,
    CommunityRole,
    FollowUp,
    Outcome,
    Referral,
    Resource,
)
from community.services.directory import resources_flag_stale
from community.services.follow_ups import follow_ups_create_due
from patients.models import Patient
from patients.nhs_number import make_nhs_number
from practices.models import Locality, Practice, Site
from staff.models import StaffMember
from staff.roles import Role

_NS = uuid.UUID("0d5d1c1e-54a8-4b0e-9a7c-3f2e1d0c9b8a")

# name, categories, area, description, suits, when, cost, referral, months since checked
RESOURCES: list[tuple[str, list[str], str, str, str, str, str, str, int]] = [
    ("Botley health walks", ["activity", "isolation"], "Botley",
     "Free 45-minute led walks on flat paths, finishing with tea at the library.",
     "Adults of any fitness level", "Tuesdays 10am from Botley library", "Free", "self", 1),
    ("Carers Oxfordshire drop-in", ["carers", "mental_wellbeing"], "City centre",
     "Information, a carer's assessment and a monthly peer group for unpaid carers.",
     "Anyone looking after a relative or friend", "First Monday of the month, 2-4pm",
     "Free", "phone", 2),
    ("Oxford Food Bank partner pantry", ["food"], "Cowley",
     "Emergency food parcels with a voucher, and a weekly low-cost community pantry.",
     "People in food crisis", "Wednesdays and Fridays 11am-1pm", "Free with a voucher",
     "form", 3),
    ("Citizens Advice Oxford debt clinic", ["finance", "housing"], "City centre",
     "Free, confidential debt and benefits advice, including help with bills and arrears.",
     "Anyone worried about money", "Weekdays 10am-4pm by appointment", "Free", "phone", 9),
    ("Blackbird Leys men's shed", ["isolation", "volunteering"], "Blackbird Leys",
     "A workshop where men meet to make and mend things, and talk.",
     "Men who would like company and something to do", "Mondays and Thursdays 10am-3pm",
     "£2 a session", "self", 4),
    ("Age UK Oxfordshire befriending", ["isolation"], "Oxford City",
     "A volunteer visits or phones once a week.", "People over 60 living alone",
     "Weekly, arranged with the volunteer", "Free", "form", 11),
    ("Cowley Road community choir", ["arts", "mental_wellbeing"], "Cowley",
     "A friendly choir that needs no auditions and no reading of music.",
     "Anyone who enjoys singing", "Thursdays 7-9pm", "£3 a session", "self", 2),
    ("Oxford Mind wellbeing service", ["mental_wellbeing"], "Headington",
     "Wellbeing workshops, peer support groups and a listening line.",
     "Adults with low mood or anxiety", "Weekdays 9am-5pm", "Free", "self", 8),
    ("Aspire employment coaching", ["employment", "volunteering"], "East Oxford",
     "One-to-one coaching, CV help and paid work placements.",
     "People who have been out of work or homeless", "Weekdays by appointment", "Free",
     "form", 5),
    ("Oxford City Council housing advice", ["housing", "finance"], "City centre",
     "Advice on homelessness, tenancy problems and housing applications.",
     "Oxford residents with housing problems", "Weekdays 9am-5pm", "Free", "phone", 7),
    ("Rose Hill allotment group", ["activity", "isolation"], "Rose Hill",
     "Shared community allotment with tools, seeds and tea provided.",
     "Anyone, including wheelchair users (raised beds)", "Saturdays 10am-1pm", "Free",
     "self", 1),
    ("Headington parkrun walk and talk", ["activity"], "Headington",
     "A weekly free 5km you can walk, jog or run, with a volunteer tail walker.",
     "Anyone", "Saturdays 9am, Bury Knowle Park", "Free", "self", 13),
]


def _say(ctx: Any, message: str) -> None:
    out = getattr(ctx, "stdout", None)
    if out is not None:
        out.write(message + "\n")


def _user(username: str, first: str, last: str) -> Any:
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last}
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
    return user


def _practice(locality: Locality) -> Practice:
    practice, _ = Practice.objects.get_or_create(
        ods_code="K84016", defaults={"name": "Botley Medical Centre", "locality": locality}
    )
    if practice.locality_id is None:
        practice.locality = locality
        practice.save(update_fields=["locality"])
    if not practice.sites.exists():
        Site.objects.create(practice=practice, name="Botley", address_line1="Elms Road",
                            town="Oxford", postcode="OX2 9JS")
    return practice


def _link_worker(practice: Practice) -> StaffMember:
    user = _user("linkworker", "Priya", "Shah")
    staff, _ = StaffMember.objects.get_or_create(
        user=user, defaults={"practice": practice, "role": Role.LINK_WORKER}
    )
    if not staff.sites.exists():
        staff.sites.set(practice.sites.all())
    return staff


def _patients(practice: Practice) -> list[Patient]:
    patients = list(Patient.objects.filter(registered_practice=practice).order_by("pk")[:4])
    people = [("Margaret", "Hughes", 1946), ("Tom", "Bailey", 1988), ("Aisha", "Khan", 1972),
              ("George", "Evans", 1939)]
    serial = 880_000
    while len(patients) < 4:
        given, family, born = people[len(patients)]
        number = None
        while number is None:
            serial += 1
            number = make_nhs_number(serial)
        patient, _ = Patient.objects.get_or_create(
            nhs_number=number,
            defaults={"given_name": given, "family_name": family, "sex": "unknown",
                      "date_of_birth": datetime.date(born, 5, 1), "address_line1": "1 West Way",
                      "town": "Oxford", "postcode": "OX2 0JB", "registered_practice": practice,
                      "registration_date": datetime.date(2015, 1, 1)},
        )
        if patient not in patients:
            patients.append(patient)
    return patients


def _resources(locality: Locality, curator: Any, today: datetime.date) -> dict[str, Resource]:
    found = {}
    for name, categories, area, description, suits, when, cost, method, months in RESOURCES:
        external_id = str(uuid.uuid5(_NS, name))
        resource = Resource.objects.filter(locality=locality, external_id=external_id).first()
        if resource is None:
            resource = Resource.objects.create(
                locality=locality, external_id=external_id, name=name, description=description,
                categories=categories, suits=suits, area=area, town="Oxford",
                opening_times=when, cost=cost, referral_method=method,
                organisation_id=uuid.uuid5(_NS, f"org/{name}"),
                organisation_name=name.split(" ")[0] + " community partners",
                curator=curator, last_checked=today - datetime.timedelta(days=30 * months),
            )
        found[name] = resource
    return found


@transaction.atomic
def seed(ctx: Any) -> None:
    today = timezone.localdate()
    locality, _ = Locality.objects.get_or_create(name="Oxford City")
    practice = _practice(locality)
    link_worker = _link_worker(practice)
    resources = _resources(locality, link_worker.user, today)
    resources_flag_stale(today=today)

    nurse_user = _user("communitynurse", "Helen", "Okafor")
    nurse, _ = CommunityMember.objects.get_or_create(
        user=nurse_user,
        defaults={"locality": locality, "role": CommunityRole.COMMUNITY_NURSE,
                  "organisation": "Oxford Health NHS Foundation Trust"},
    )
    patients = _patients(practice)
    if not CareTeamAssignment.objects.filter(member=nurse, patient=patients[0]).exists():
        CareTeamAssignment.objects.create(
            member=nurse, patient=patients[0], starts_on=today - datetime.timedelta(days=20),
            reason="Leg ulcer dressings at home", assigned_by=link_worker.user,
        )

    plans = [
        (patients[0], ["isolation", "activity"], "Botley health walks", 45,
         "Demo: lonely since her husband died; keen to get out more."),
        (patients[1], ["finance", "housing"], "Citizens Advice Oxford debt clinic", 35,
         "Demo: rent arrears after losing his job."),
        (patients[2], ["carer", "mental_wellbeing"], "Carers Oxfordshire drop-in", 30,
         "Demo: caring for her mother with dementia."),
        (patients[3], ["isolation"], None, 8, "Demo: referred to the link worker to talk."),
    ]
    for patient, needs, resource_name, days_ago, note in plans:
        if Referral.objects.filter(patient=patient, note=note).exists():
            continue
        Referral.objects.create(
            patient=patient, practice=practice, locality=locality,
            referred_by=link_worker.user, referred_on=today - datetime.timedelta(days=days_ago),
            link_worker=link_worker,
            resource=resources[resource_name] if resource_name else None,
            needs=needs, note=note,
        )
    follow_ups_create_due(today=today)
    first = FollowUp.objects.filter(referral__patient=patients[0], outcome="").first()
    if first is not None:
        FollowUp.objects.filter(pk=first.pk).update(
            outcome=Outcome.STILL_ATTENDING, recorded_by=link_worker.user,
            recorded_at=timezone.now(), wellbeing_scale="ons4", ons4_satisfied=6,
            ons4_worthwhile=7, ons4_happy=6, ons4_anxious=4,
        )
    _say(ctx, f"community: {len(resources)} resources in Oxford City, "
              f"{Referral.objects.filter(locality=locality).count()} referrals")
