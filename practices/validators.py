from __future__ import annotations

import re

from django.core.exceptions import ValidationError

ODS_PRACTICE_CODE = re.compile(r"^[A-Z][0-9]{5}$")
ODS_PATTERN_SQL = r"^[A-Z][0-9]{5}$"


def normalise_ods_code(value: str) -> str:
    """A GP practice ODS code is one letter and five digits, e.g. K84016."""
    code = (value or "").strip().upper()
    if not ODS_PRACTICE_CODE.match(code):
        raise ValidationError(
            "A practice ODS code is one letter followed by five digits, like K84016.",
            code="invalid_ods_code",
        )
    return code
