"""One policy, one style: no view, admin class, selector or service compares roles itself;
every access question is asked of ``policy/``. This test fails on a new role comparison
outside it (name the policy function instead)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROLE_COMPARISON = re.compile(
    r"""(\.role|\brole|\["[a-z_]*role"\])\s*(==|!=|not\ in|in)\s"""
    r"|\b(CLINICAL_ROLES|ADMIN_ROLES|REGISTERED_CLINICIANS)\b"
    r"|role(__in)?=Role\.",
    re.VERBOSE,
)
NOT_CODE = ("tests", "tools", "policy", ".venv", "node_modules", "migrations", "var")
NOT_ACCESS = {
    # What a role is called or how its people are addressed, not what they may do.
    ("staff/models.py", "if self.role == Role.GP and full:"),
    ("appointments/serializers.py", 'if row["clinician__role"] == Role.GP and full:'),
    ("staff/validators.py", "label = Role(role).label if role in Role.values else role"),
    ("appointments/views/reception.py", "if role and role not in Role.values:"),
    ("appointments/search.py", "for role in Role)"),
    # Creating a login: the practice manager gets the admin group (issue 14's separation of
    # duties work moves this into policy).
    ("staff/services.py", "if role == Role.PRACTICE_MANAGER:"),
    ("staff/services.py", "is_staff=role == Role.PRACTICE_MANAGER,"),
    ("staff/services.py", "is_manager = role == Role.PRACTICE_MANAGER"),
    ("staff/services.py", "if member.role == role:"),  # "no change asked", not access
    ("staff/services.py", "changes the role in the same transaction"),  # a docstring
}


def _offenders() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.split("/")[0] in NOT_CODE or "/migrations/" in relative:
            continue
        if relative == "staff/roles.py" or relative.endswith("demo.py"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if not ROLE_COMPARISON.search(line):
                continue
            if any(relative == f and snippet in line for f, snippet in NOT_ACCESS):
                continue
            found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_no_role_is_compared_outside_the_policy() -> None:
    assert _offenders() == []


def test_the_check_finds_a_role_comparison(tmp_path) -> None:
    assert ROLE_COMPARISON.search("    if actor.role == Role.PRACTICE_MANAGER:")
    assert ROLE_COMPARISON.search("staff = qs.filter(role__in=CLINICAL_ROLES)")
    assert not ROLE_COMPARISON.search("    decision = audit_view_decision(actor)")
