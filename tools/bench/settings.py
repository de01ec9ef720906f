"""The application's settings plus the bench-only URLs (the ceiling view). Bench use only."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tools.bench.urls"
