"""Share the records test world (practices on both sides of the access line)."""

from tests.records.conftest import *  # noqa: F403
