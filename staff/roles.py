"""Staff roles and the professional register each clinical role belongs to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models


class Role(models.TextChoices):
    GP = "gp", "GP"
    ANP = "anp", "Advanced nurse practitioner"
    NURSE = "nurse", "Practice nurse"
    PHYSIO = "physio", "Physiotherapist"
    HCA = "hca", "Healthcare assistant"
    PHARMACIST = "pharmacist", "Clinical pharmacist"
    LINK_WORKER = "linkworker", "Social prescribing link worker"
    RECEPTIONIST = "reception", "Receptionist / care navigator"
    PRACTICE_MANAGER = "manager", "Practice manager"


@dataclass(frozen=True)
class Register:
    body: str
    pattern: str
    example: str
    describe: str

    def matches(self, number: str) -> bool:
        return re.fullmatch(self.pattern, number) is not None


GMC = Register("GMC", r"[0-9]{7}", "1234567", "a GMC number is 7 digits")
NMC = Register(
    "NMC",
    r"[0-9]{2}[A-Z][0-9]{4}[A-Z]",
    "12A3456B",
    "an NMC PIN is 2 digits, a letter, 4 digits and a letter",
)
HCPC = Register(
    "HCPC", r"PH[0-9]{5,6}", "PH123456", "an HCPC physiotherapist number is PH then digits"
)
GPHC = Register("GPhC", r"[0-9]{7}", "2012345", "a GPhC number is 7 digits")

REGISTER_FOR_ROLE: dict[str, Register] = {
    Role.GP: GMC,
    Role.ANP: NMC,
    Role.NURSE: NMC,
    Role.PHYSIO: HCPC,
    Role.PHARMACIST: GPHC,
}

CLINICAL_ROLES = frozenset(
    {Role.GP, Role.ANP, Role.NURSE, Role.PHYSIO, Role.HCA, Role.PHARMACIST, Role.LINK_WORKER}
)
"""Roles that see patients (and so hold sessions in the appointment book)."""

ADMIN_ROLES = frozenset({Role.RECEPTIONIST, Role.PRACTICE_MANAGER})
