"""The 8am rush: receptionists and federation hub staff search and book the released slots.

Each client is a person at a desk with an API token. It loops: search the morning's free
slots at a site, pick one of the first few at random, book it for one of the practice's
patients; 201 or 409 (someone was quicker) are both normal. When a practice's morning is
gone, the desk moves to another practice, as the phone queue does.

Clients are written against the API contract of issue 3:
``GET /api/v1/slots/?practice=&site=&start_after=&start_before=`` (paginated,
``results[].id``; ``practice`` names another practice's book for the federation hub) and
``POST /api/v1/appointments/ {"slot", "patient"}`` -> 201 ``{"id", ...}`` or 409.
A patient-online client (``/api/v1/me/...``) slots in as another ``Desk`` kind later.
"""

from __future__ import annotations

import datetime
import json
import random
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import psycopg

from bench.load import Http, TransportError
from bench.stats import Timings

SLOTS_PATH = "/api/v1/slots/"
APPOINTMENTS_PATH = "/api/v1/appointments/"
SITE_HEADER = "X-Dovetail-Site"


@dataclass(frozen=True)
class Desk:
    """Who a client is: a token, the practice they work for and the site they sit at."""

    kind: str  # "reception" or "hub"
    token: str
    practice: int
    site: int


@dataclass
class RushPlan:
    """Everything the clients share: who can book where, and the patients to book for."""

    practices: list[int]
    sites: dict[int, list[int]]
    desks: dict[int, list[Desk]]
    hub_desks: list[Desk]
    patients: dict[int, deque[int]]
    start_after: datetime.datetime
    start_before: datetime.datetime
    pick_from: int = 5
    think_seconds: float = 0.0

    def search_path(self, practice: int, site: int) -> str:
        query = urlencode(
            {
                "practice": practice,  # the API searches the caller's own practice otherwise
                "site": site,
                "start_after": self.start_after.isoformat(),
                "start_before": self.start_before.isoformat(),
            }
        )
        return f"{SLOTS_PATH}?{query}"

    def take_patient(self, practice: int) -> int | None:
        queue = self.patients.get(practice)
        try:
            return queue.pop() if queue else None
        except IndexError:
            return None

    def give_back_patient(self, practice: int, patient: int) -> None:
        self.patients[practice].append(patient)


def load_plan(
    url: str,
    *,
    start_after: datetime.datetime,
    start_before: datetime.datetime,
    patients_per_practice: int,
    pick_from: int,
    think_seconds: float = 0.0,
) -> RushPlan:
    with psycopg.connect(url) as conn:
        sites: dict[int, list[int]] = {}
        for practice, site in conn.execute(
            "SELECT practice_id, id FROM practices_site ORDER BY practice_id, id"
        ):
            sites.setdefault(practice, []).append(site)
        desks: dict[int, list[Desk]] = {}
        hub: list[Desk] = []
        rows = conn.execute(
            """
            SELECT t.key, s.practice_id, u.username,
                   (SELECT min(site_id) FROM staff_staffmember_sites ss
                    WHERE ss.staffmember_id = s.id)
            FROM authtoken_token t JOIN auth_user u ON u.id = t.user_id
            JOIN staff_staffmember s ON s.user_id = u.id
            WHERE s.active AND u.is_active ORDER BY u.username
            """
        ).fetchall()
        for token, practice, username, site in rows:
            if username.startswith("hub"):
                hub.append(Desk("hub", token, practice, site))
            else:
                desks.setdefault(practice, []).append(Desk("reception", token, practice, site))
        # The last patients of each list: the data set's existing bookings use the first.
        patients: dict[int, deque[int]] = {}
        for practice, patient in conn.execute(
            """
            SELECT registered_practice_id, id FROM (
                SELECT registered_practice_id, id, row_number() OVER (
                    PARTITION BY registered_practice_id ORDER BY id DESC) AS rn
                FROM records_patient WHERE date_of_death IS NULL
            ) AS ranked WHERE rn <= %s ORDER BY registered_practice_id, id
            """,
            [patients_per_practice],
        ):
            patients.setdefault(practice, deque()).append(patient)
    return RushPlan(
        practices=sorted(desks),
        sites=sites,
        desks=desks,
        hub_desks=hub,
        patients=patients,
        start_after=start_after,
        start_before=start_before,
        pick_from=pick_from,
        think_seconds=think_seconds,
    )


@dataclass
class Tally:
    """What one client saw."""

    search: Timings = field(default_factory=Timings)
    book: Timings = field(default_factory=Timings)
    created: list[int] = field(default_factory=list)
    created_without_id: int = 0
    finished_early: bool = False
    no_patient: int = 0


def parse_slot_ids(body: bytes) -> list[int] | None:
    """The slot ids of a search page, in order; None when the body is not the contract's."""
    try:
        data = json.loads(body)
        return [int(item["id"]) for item in data["results"]]
    except (ValueError, KeyError, TypeError):
        return None


def parse_created_id(body: bytes) -> int | None:
    try:
        return int(json.loads(body)["id"])
    except (ValueError, KeyError, TypeError):
        return None


class RushClient:
    """One desk working through practices: ``order`` is the practices it will try, in turn."""

    def __init__(
        self, http: Http, plan: RushPlan, desks: list[Desk], order: list[int], seed: int
    ) -> None:
        self.http = http
        self.plan = plan
        self.desks = desks  # the desk to use for each practice in ``order`` (same index)
        self.order = order
        self.rng = random.Random(seed)
        self.tally = Tally()

    def __call__(self, stop: threading.Event) -> None:
        try:
            for desk, practice in zip(self.desks, self.order, strict=True):
                if stop.is_set():
                    return
                self._work_practice(stop, desk, practice)
            self.tally.finished_early = not stop.is_set()
        finally:
            self.http.close()

    def _work_practice(self, stop: threading.Event, desk: Desk, practice: int) -> None:
        open_sites = list(self.plan.sites.get(practice, []))
        headers = {
            "Authorization": f"Token {desk.token}",
            "Accept": "application/json",
            SITE_HEADER: str(desk.site),
        }
        while open_sites and not stop.is_set():
            site = self.rng.choice(open_sites)
            ids = self._search(practice, site, headers)
            if ids is None:
                continue
            if not ids:
                open_sites.remove(site)  # nothing left here for this desk
                continue
            slot = self.rng.choice(ids[: self.plan.pick_from])
            patient = self.plan.take_patient(practice)
            if patient is None:
                self.tally.no_patient += 1
                return
            self._book(slot, patient, practice, headers)
            if self.plan.think_seconds and stop.wait(self.plan.think_seconds):
                return

    def _search(self, practice: int, site: int, headers: dict[str, str]) -> list[int] | None:
        path = self.plan.search_path(practice, site)
        try:
            status, body, ms = self.http.call("GET", path, headers=headers)
        except TransportError:
            self.tally.search.transport_errors += 1
            return None
        self.tally.search.record(status, ms)
        if status != 200:
            return None
        ids = parse_slot_ids(body)
        if ids is None:
            self.tally.search.bad_bodies += 1
        return ids

    def _book(self, slot: int, patient: int, practice: int, headers: dict[str, str]) -> None:
        payload = {"slot": slot, "patient": patient}
        try:
            status, body, ms = self.http.call(
                "POST", APPOINTMENTS_PATH, headers=headers, payload=payload
            )
        except TransportError:
            self.tally.book.transport_errors += 1
            return
        self.tally.book.record(status, ms)
        if status == 201:
            created = parse_created_id(body)
            if created is None:
                self.tally.created_without_id += 1
            else:
                self.tally.created.append(created)
        elif status == 409:
            self.plan.give_back_patient(practice, patient)


def make_clients(
    plan: RushPlan, *, port: int, count: int, hub_share: float, rush_practices: int, seed: int
) -> list[RushClient]:
    """``count`` clients: most at reception desks, spread over the first ``rush_practices``
    practices (so many desks fight over each morning), the rest at the federation hub."""
    hub_count = round(count * hub_share) if plan.hub_desks else 0
    practices = plan.practices
    focus = max(1, min(rush_practices, len(practices)))
    clients: list[RushClient] = []
    for i in range(count - hub_count):
        start = i % focus
        order = [
            practices[(start + step * focus) % len(practices)] for step in range(len(practices))
        ]
        order = list(dict.fromkeys(order)) + [p for p in practices if p not in order]
        desks = [plan.desks[p][(i // focus) % len(plan.desks[p])] for p in order]
        clients.append(RushClient(Http(port), plan, desks, order, seed + i))
    for h in range(hub_count):
        hub = plan.hub_desks[h % len(plan.hub_desks)]
        rng = random.Random(seed + 10_000 + h)
        others = [p for p in practices if p != hub.practice]
        rng.shuffle(others)
        clients.append(RushClient(Http(port), plan, [hub] * len(others), others, seed + 10_000 + h))
    return clients


@dataclass
class CeilingTally:
    timings: Timings = field(default_factory=Timings)
    updated: int = 0
    exhausted: bool = False


class CeilingClient:
    """Claims its own slots one by one through the bare view; never the rush's slots."""

    def __init__(self, http: Http, slot_ids: list[int]) -> None:
        self.http = http
        self.slot_ids = slot_ids
        self.tally = CeilingTally()

    def __call__(self, stop: threading.Event) -> None:
        try:
            for slot in self.slot_ids:
                if stop.is_set():
                    return
                try:
                    status, body, ms = self.http.call("POST", f"/bench/ceiling/{slot}/")
                except TransportError:
                    self.tally.timings.transport_errors += 1
                    continue
                self.tally.timings.record(status, ms)
                if status == 200 and body == b"1":
                    self.tally.updated += 1
            self.tally.exhausted = not stop.is_set()
        finally:
            self.http.close()


def make_ceiling_clients(pool: list[int], *, port: int, count: int) -> list[CeilingClient]:
    return [CeilingClient(Http(port), pool[i::count]) for i in range(count)]


def describe_clients(clients: list[RushClient]) -> dict[str, Any]:
    kinds: dict[str, int] = {}
    for client in clients:
        kind = client.desks[0].kind if client.desks else "idle"
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds
