"""Demo step: 22 staff of every role across both sites, and one login per role."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from common.demo import DemoContext
from staff.models import StaffMember
from staff.roles import REGISTER_FOR_ROLE, Role
from staff.services import staff_member_create

BOTH = ("botley", "kennington")
BOTLEY = ("botley",)
KENNINGTON = ("kennington",)


@dataclass(frozen=True)
class DemoStaff:
    role: Role
    first_name: str
    last_name: str
    sites: tuple[str, ...]
    login: str = ""
    """The demo login (named after the role) for the first person of each role."""

    @property
    def username(self) -> str:
        return self.login or f"{self.first_name}.{self.last_name}".lower().replace("'", "")


ROSTER = [
    DemoStaff(Role.GP, "Sarah", "Whitfield", BOTH, login="gp"),
    DemoStaff(Role.GP, "James", "Okafor", BOTLEY),
    DemoStaff(Role.GP, "Priya", "Raman", KENNINGTON),
    DemoStaff(Role.GP, "Thomas", "Hale", BOTLEY),
    DemoStaff(Role.GP, "Eleanor", "Fitzgerald", KENNINGTON),
    DemoStaff(Role.GP, "Mohammed", "Siddiqui", BOTH),
    DemoStaff(Role.ANP, "Rachel", "Dunmore", BOTLEY, login="anp"),
    DemoStaff(Role.ANP, "Karen", "Ashby", KENNINGTON),
    DemoStaff(Role.NURSE, "Helen", "Marsh", BOTLEY, login="nurse"),
    DemoStaff(Role.NURSE, "Grace", "Adeyemi", KENNINGTON),
    DemoStaff(Role.NURSE, "Lucy", "Pembroke", BOTLEY),
    DemoStaff(Role.PHYSIO, "Daniel", "Carver", BOTH, login="physio"),
    DemoStaff(Role.HCA, "Amy", "Collins", BOTLEY, login="hca"),
    DemoStaff(Role.HCA, "Joanne", "Price", KENNINGTON),
    DemoStaff(Role.HCA, "Sophie", "Turner", BOTLEY),
    DemoStaff(Role.PHARMACIST, "Imran", "Hussain", BOTH, login="pharmacist"),
    DemoStaff(Role.LINK_WORKER, "Beth", "Lawson", BOTH, login="linkworker"),
    DemoStaff(Role.RECEPTIONIST, "Claire", "Bennett", BOTH, login="reception"),
    DemoStaff(Role.RECEPTIONIST, "Mandy", "Hughes", BOTLEY),
    DemoStaff(Role.RECEPTIONIST, "Tariq", "Ahmed", KENNINGTON),
    DemoStaff(Role.RECEPTIONIST, "Janet", "Fowler", BOTLEY),
    DemoStaff(Role.PRACTICE_MANAGER, "Alison", "Reeve", BOTH, login="manager"),
]

EMAIL_DOMAIN = "botley-medical.example"  # .example is reserved: no mail reaches anyone


def registration_number(role: str, index: int) -> str:
    """A well-formed, deterministic number for the ``index``-th person of a clinical role."""
    register = REGISTER_FOR_ROLE.get(role)
    if register is None:
        return ""
    if register.body == "GMC":
        return f"{7_040_000 + 137 * index:07d}"
    if register.body == "NMC":
        index += 5 if role == Role.NURSE else 0  # nurses and ANPs share the NMC register
        year, month = 2 + 3 * index, "ABCDEFGHIJKL"[index % 12]
        check = "ABCDEFGHJKLMNPRTUWXY"[(7 * index + len(role)) % 20]
        return f"{year:02d}{month}{4_210 + 53 * index:04d}{check}"
    if register.body == "HCPC":
        return f"PH{61_200 + 91 * index}"
    if register.body == "GPhC":
        return f"{2_071_500 + 29 * index:07d}"
    raise ValueError(f"No demo numbers for {register.body}.")


def seed(ctx: DemoContext) -> None:
    practice = ctx.require_practice()
    users = get_user_model()
    per_role: dict[str, int] = {}
    created = 0
    new_logins: list[int] = []
    for person in ROSTER:
        index = per_role.get(person.role, 0)
        per_role[person.role] = index + 1
        existing = users.objects.filter(username=person.username).first()
        if existing is not None:
            member = StaffMember.objects.filter(user=existing).first()
            if member is None:
                raise ValidationError(
                    f"User {person.username!r} exists but is not a member of staff: "
                    "remove or rename it, then seed again."
                )
        else:
            member = staff_member_create(
                username=person.username,
                first_name=person.first_name,
                last_name=person.last_name,
                email=f"{person.username}@{EMAIL_DOMAIN}",
                password=None,  # the logins get the demo password below, hashed once
                practice=practice,
                role=person.role,
                registration_number=registration_number(person.role, index),
                sites=[ctx.sites[key] for key in person.sites],
            )
            created += 1
            if person.login:
                new_logins.append(member.user_id)
        ctx.staff[person.username] = member
        if person.login:
            where = " and ".join(ctx.sites[key].name for key in person.sites)
            ctx.logins[person.login] = f"{member.display_name}, {Role(person.role).label}, {where}"
    if new_logins:
        # One salted hash of the published password for every demo login: PBKDF2 costs about
        # half a second per hash, and nine identical hashes would protect nothing more.
        validate_password(ctx.password)
        users.objects.filter(pk__in=new_logins).update(password=make_password(ctx.password))
    ctx.summary.append(f"Staff: {len(ROSTER)} across {len(per_role)} roles ({created} new)")
