from __future__ import annotations

from django.core.exceptions import ValidationError

from staff.roles import REGISTER_FOR_ROLE, Role


def normalise_registration(role: str, number: str) -> str:
    """Check a professional registration number against the register for ``role``."""
    number = (number or "").strip().upper().replace(" ", "")
    register = REGISTER_FOR_ROLE.get(role)
    label = Role(role).label if role in Role.values else role
    if register is None:
        if number:
            raise ValidationError(
                {"registration_number": f"A {label} has no professional registration number."}
            )
        return ""
    if not number:
        raise ValidationError(
            {
                "registration_number": f"A {label} needs their {register.body} number "
                f"(e.g. {register.example})."
            }
        )
    if not register.matches(number):
        raise ValidationError(
            {
                "registration_number": f"That is not a valid {register.body} number: "
                f"{register.describe}, e.g. {register.example}."
            }
        )
    return number
