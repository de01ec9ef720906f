"""Account ids and passphrases for registration letters: easy to read aloud and type."""

from __future__ import annotations

import re
import secrets
from functools import cache
from pathlib import Path

from online.models import ACCOUNT_ID_ALPHABET, ACCOUNT_ID_LENGTH

WORDS_FILE = Path(__file__).with_name("wordlist.txt")
PASSPHRASE_WORDS = 4


@cache
def words() -> tuple[str, ...]:
    found = tuple(
        sorted({w.strip() for w in WORDS_FILE.read_text().split() if w.strip().isalpha()})
    )
    if len(found) < 512:
        raise RuntimeError(f"{WORDS_FILE} has {len(found)} words; at least 512 are needed.")
    return found


def new_account_id() -> str:
    return "".join(secrets.choice(ACCOUNT_ID_ALPHABET) for _ in range(ACCOUNT_ID_LENGTH))


def new_passphrase() -> str:
    return "-".join(secrets.choice(words()) for _ in range(PASSPHRASE_WORDS))


def normalise_account_id(value: str) -> str:
    """``abcde-fghjk`` and ``ABCDE FGHJK`` are the same id."""
    return re.sub(r"[\s\-]", "", value or "").upper()


def normalise_passphrase(value: str) -> str:
    """Words in order, case and separators ignored: ``Apple tree-Cloud  river`` matches."""
    return "-".join(re.findall(r"[a-z]+", (value or "").lower()))


def normalise_surname(value: str) -> str:
    """Case- and space-insensitive surname comparison (``Mc Donald`` == ``mcdonald``)."""
    return re.sub(r"\s+", "", value or "").casefold()
