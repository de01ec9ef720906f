"""The community policy tests share the two-locality town of tests/community."""

from tests.community.conftest import fast_passwords, town  # noqa: F401
