"""DRF throttles keyed on the real client address (``common.client_ip``).

DRF's own ``get_ident`` believes the whole ``X-Forwarded-For`` header when ``NUM_PROXIES`` is
unset, so a client that sends a new forged address each time gets a new bucket each time.
"""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import ScopedRateThrottle

from common.client_ip import client_ip


class ClientAddressScopedThrottle(ScopedRateThrottle):
    def get_ident(self, request: Any) -> str:
        return client_ip(request) or "unknown"
