"""The client's real address, the one thing every throttle, lock-out and audit row keys on.

``X-Forwarded-For`` is a list any client can start: a request may arrive with
``X-Forwarded-For: 6.6.6.6`` already set, and each proxy on the way appends the address it
saw. Only the entries added by our own proxies can be believed, so the client is the entry
``TRUSTED_PROXY_COUNT`` places from the right (DRF's ``NUM_PROXIES`` rule, which
``settings.REST_FRAMEWORK["NUM_PROXIES"]`` is set to as well). With no trusted proxy (the
default) the header is ignored and the address is the socket's ``REMOTE_ADDR``.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: Any) -> str | None:
    """The address the request came from, believing only the configured trusted proxies.

    Works for Django's ``HttpRequest`` and DRF's ``Request`` (which passes ``META`` through).
    None when there is no address at all (a test client's ``force_login``).
    """
    meta = request.META
    remote = _valid(str(meta.get("REMOTE_ADDR") or ""))
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if proxies == 0:
        return remote
    forwarded = [part for part in str(meta.get("HTTP_X_FORWARDED_FOR") or "").split(",")]
    if not forwarded or forwarded == [""]:
        return remote
    # Fewer entries than proxies: the left-most is the furthest our proxies saw.
    chosen = forwarded[-min(proxies, len(forwarded))]
    return _valid(chosen) or remote
