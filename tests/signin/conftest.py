from tests.online.conftest import (  # noqa: F401
    account,
    other_account,
    patient,
    practice,
    request_reset,
)
