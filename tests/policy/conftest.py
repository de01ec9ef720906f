"""Policy tests share the records test world (practices on both sides of the access line)
and the two-locality town of tests/community."""

from tests.community.conftest import town  # noqa: F401
from tests.records.conftest import *  # noqa: F403
