from tests.online.conftest import account, other_account, patient, practice  # noqa: F401
