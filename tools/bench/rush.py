"""The 8am rush: patients online, reception desks and federation hub staff go for the morning.

Three kinds of client, each one person with an API token and one keep-alive connection:

- **patients** (``/api/v1/me/``): search their practice's online slots from the rush day,
  pick one of the first few of the morning, book it; 409 (someone was quicker) means search
  again, up to three tries; then the next patient of the practice takes the phone. When a
  practice's online morning is gone they go to another practice's patients.
- **reception desks** (``/api/v1/slots/`` and ``/api/v1/appointments/``) keep the morning's
  free slots at one of their sites on screen, as the reception day book does (it refreshes
  every 10 s), and book the next caller into one of the first few; a 409 makes them refresh
  at once. When a practice's morning is gone they move to another practice.
- **federation hub** staff do the same for other practices' patients, in federation slots.

Flat out (no think time) the clients measure how many bookings the system can take; with
think times they are people at a human pace, and measure what those people wait. The
booking phase (``make_booking_clients``) puts one desk at each of 64 sites, booking its own
site's day in order: the booking endpoint on its own, measured as the ceilings are (the bare
view, and the same UPDATE behind DRF and a token: ``make_ceiling_clients``).
"""

from __future__ import annotations

import datetime
import json
import math
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import psycopg

from tools.bench.load import Http, TransportError
from tools.bench.stats import Timings

SLOTS_PATH = "/api/v1/slots/"
APPOINTMENTS_PATH = "/api/v1/appointments/"
ME_SLOTS_PATH = "/api/v1/me/slots/"
ME_APPOINTMENTS_PATH = "/api/v1/me/appointments/"
SITE_HEADER = "X-Dovetail-Site"
CEILING_PATH = "/bench/ceiling/{}/"
CEILING_API_PATH = "/bench/ceiling-api/{}/"
SAME_WORK_PATH = "/bench/same-work/"  # bench.samework: the booking's writes, no framework
PATIENT_TRIES = 3


@dataclass(frozen=True)
class Desk:
    """Who a client is: a token, the practice they work for (or are registered with), the
    site a member of staff sits at, and for a patient their own record."""

    kind: str  # "reception", "hub" or "patient"
    token: str
    practice: int
    site: int | None
    patient: int | None = None


@dataclass(frozen=True)
class Pace:
    """Think times (means of exponential pauses, seconds); zero is flat out."""

    patient_think_s: float = 0.0  # reading the list before booking, and between patients
    desk_think_s: float = 0.0  # the next caller on the phone
    refresh_s: float = 10.0  # the reception day book refreshes itself this often

    def pause(self, rng: random.Random, mean: float) -> float:
        return rng.expovariate(1 / mean) if mean > 0 else 0.0


@dataclass
class RushPlan:
    """Everything the clients share: who can book where, and the patients to book for."""

    practices: list[int]
    sites: dict[int, list[int]]
    desks: dict[int, list[Desk]]
    hub_desks: list[Desk]
    patients: dict[int, deque[int]]  # booked by desks (no online account)
    online: dict[int, deque[Desk]]  # patients with an online account, by practice
    start_after: datetime.datetime
    start_before: datetime.datetime
    pick_from: int = 5  # a receptionist offers the caller one of the first few
    patient_pick_from: int = 20  # a patient picks a time that suits them from the morning
    lock: threading.Lock = field(default_factory=threading.Lock)

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

    def me_search_path(self) -> str:
        return f"{ME_SLOTS_PATH}?{urlencode({'date': self.start_after.date().isoformat()})}"

    def take_patient(self, practice: int) -> int | None:
        with self.lock:
            queue = self.patients.get(practice)
            return queue.pop() if queue else None

    def give_back_patient(self, practice: int, patient: int) -> None:
        with self.lock:
            self.patients[practice].append(patient)

    def take_account(self, practice: int) -> Desk | None:
        with self.lock:
            queue = self.online.get(practice)
            return queue.pop() if queue else None

    def give_back_account(self, account: Desk) -> None:
        with self.lock:
            self.online[account.practice].append(account)


def _staff_desks(conn: psycopg.Connection[Any]) -> list[Desk]:
    """Every active member of staff with an API token, by username: hub or reception, with
    the first site they work at."""
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
    return [
        Desk("hub" if username.startswith("hub") else "reception", token, practice, site)
        for token, practice, username, site in rows
    ]


def load_plan(
    url: str,
    *,
    start_after: datetime.datetime,
    start_before: datetime.datetime,
    patients_per_practice: int,
    pick_from: int,
    patient_pick_from: int = 20,
) -> RushPlan:
    with psycopg.connect(url) as conn:
        sites: dict[int, list[int]] = {}
        for practice, site in conn.execute(
            "SELECT practice_id, id FROM practices_site ORDER BY practice_id, id"
        ):
            sites.setdefault(practice, []).append(site)
        desks: dict[int, list[Desk]] = {}
        hub: list[Desk] = []
        for desk in _staff_desks(conn):
            if desk.kind == "hub":
                hub.append(desk)
            else:
                desks.setdefault(desk.practice, []).append(desk)
        online: dict[int, deque[Desk]] = {}
        for token, practice, patient in conn.execute(
            """
            SELECT t.key, p.registered_practice_id, p.id
            FROM patients_patientaccount pa JOIN records_patient p ON p.id = pa.patient_id
            JOIN authtoken_token t ON t.user_id = pa.user_id
            WHERE p.date_of_death IS NULL ORDER BY p.id
            """
        ):
            online.setdefault(practice, deque()).append(
                Desk("patient", token, practice, None, patient)
            )
        # Desks book the last patients of each list without an online account (the data
        # set's existing bookings use the first ones; the accounts are the very last).
        patients: dict[int, deque[int]] = {}
        for practice, patient in conn.execute(
            """
            SELECT registered_practice_id, id FROM (
                SELECT p.registered_practice_id, p.id, row_number() OVER (
                    PARTITION BY p.registered_practice_id ORDER BY p.id DESC) AS rn
                FROM records_patient p
                WHERE p.date_of_death IS NULL AND NOT EXISTS (
                    SELECT 1 FROM patients_patientaccount pa WHERE pa.patient_id = p.id)
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
        online=online,
        start_after=start_after,
        start_before=start_before,
        pick_from=pick_from,
        patient_pick_from=patient_pick_from,
    )


@dataclass
class Tally:
    """What one client saw."""

    kind: str
    search: Timings = field(default_factory=Timings)
    book: Timings = field(default_factory=Timings)
    created: list[int] = field(default_factory=list)
    created_without_id: int = 0
    finished_early: bool = False
    no_patient: int = 0


def parse_slots(body: bytes) -> list[tuple[int, datetime.datetime]] | None:
    """(id, start) of a search page's results, in order; None when the body is not the
    contract's."""
    try:
        data = json.loads(body)
        return [
            (int(item["id"]), datetime.datetime.fromisoformat(item["start"]))
            for item in data["results"]
        ]
    except (ValueError, KeyError, TypeError):
        return None


def parse_created_id(body: bytes) -> int | None:
    try:
        return int(json.loads(body)["id"])
    except (ValueError, KeyError, TypeError):
        return None


class _Client:
    """A person at a desk or on their phone, working through ``order`` (practices)."""

    def __init__(
        self, http: Http, plan: RushPlan, order: list[int], seed: int, pace: Pace, kind: str
    ) -> None:
        self.http = http
        self.plan = plan
        self.order = order
        self.rng = random.Random(seed)
        self.pace = pace
        self.tally = Tally(kind)

    def _first_pause(self, stop: threading.Event, mean: float) -> bool:
        """At a human pace people do not all press the button in the same millisecond:
        start somewhere in a first think time. True if the run ended meanwhile."""
        return mean > 0 and stop.wait(self.rng.uniform(0, mean))

    def _search(self, path: str, headers: dict[str, str]) -> list[tuple[int, Any]] | None:
        try:
            status, body, ms = self.http.call("GET", path, headers=headers)
        except TransportError:
            self.tally.search.transport_errors += 1
            return None
        self.tally.search.record(status, ms)
        if status != 200:
            return None
        found = parse_slots(body)
        if found is None:
            self.tally.search.bad_bodies += 1
        return found

    def _book(self, path: str, payload: dict[str, int], headers: dict[str, str]) -> int | None:
        try:
            status, body, ms = self.http.call("POST", path, headers=headers, payload=payload)
        except TransportError:
            self.tally.book.transport_errors += 1
            return None
        self.tally.book.record(status, ms)
        if status == 201:
            created = parse_created_id(body)
            if created is None:
                self.tally.created_without_id += 1
            else:
                self.tally.created.append(created)
        return status


class DeskClient(_Client):
    """Reception or federation hub: books callers from the day book on screen."""

    def __init__(
        self,
        http: Http,
        plan: RushPlan,
        desks: list[Desk],
        order: list[int],
        seed: int,
        pace: Pace,
        only_site: int | None = None,
        book_path: str = APPOINTMENTS_PATH,
    ) -> None:
        super().__init__(http, plan, order, seed, pace, desks[0].kind if desks else "reception")
        self.desks = desks  # the desk to use for each practice in ``order`` (same index)
        self.only_site = only_site  # book this site's slots only (the booking phase)
        self.book_path = book_path  # the booking endpoint, or the same-work ceiling

    def __call__(self, stop: threading.Event) -> None:
        try:
            if self._first_pause(stop, self.pace.desk_think_s):
                return
            for desk, practice in zip(self.desks, self.order, strict=True):
                if stop.is_set():
                    return
                self._work_practice(stop, desk, practice)
            self.tally.finished_early = not stop.is_set()
        finally:
            self.http.close()

    def _work_practice(self, stop: threading.Event, desk: Desk, practice: int) -> None:
        open_sites = [
            site
            for site in self.plan.sites.get(practice, [])
            if self.only_site is None or site == self.only_site
        ]
        headers = {
            "Authorization": f"Token {desk.token}",
            "Accept": "application/json",
            SITE_HEADER: str(desk.site),
        }
        page: list[int] = []
        shown_at = 0.0
        while open_sites and not stop.is_set():
            if not page or time.monotonic() - shown_at > self.pace.refresh_s:
                site = self.rng.choice(open_sites)
                found = self._search(self.plan.search_path(practice, site), headers)
                if found is None:
                    stop.wait(0.05)  # an error answer (counted): do not hammer the server
                    continue
                if not found:
                    open_sites.remove(site)  # nothing left here for this desk
                    page = []
                    continue
                page, shown_at = [slot for slot, _start in found], time.monotonic()
            slot = self.rng.choice(page[: self.plan.pick_from])
            page.remove(slot)
            patient = self.plan.take_patient(practice)
            if patient is None:
                self.tally.no_patient += 1
                return
            status = self._book(self.book_path, {"slot": slot, "patient": patient}, headers)
            if status != 201:
                self.plan.give_back_patient(practice, patient)
            if status == 409:
                page = []  # the book moved on: look again
            if stop.wait(self.pace.pause(self.rng, self.pace.desk_think_s)):
                return


class PatientClient(_Client):
    """Patients of one practice after another, each booking one morning slot online."""

    def __init__(
        self, http: Http, plan: RushPlan, order: list[int], seed: int, pace: Pace
    ) -> None:
        super().__init__(http, plan, order, seed, pace, "patient")

    def __call__(self, stop: threading.Event) -> None:
        try:
            if self._first_pause(stop, self.pace.patient_think_s):
                return
            for practice in self.order:
                while not stop.is_set():
                    account = self.plan.take_account(practice)
                    if account is None:
                        self.tally.no_patient += 1
                        break  # every patient of this practice with an account has tried
                    if self._one_patient(stop, account) == "sold out":
                        self.plan.give_back_account(account)
                        break
                if stop.is_set():
                    return
            self.tally.finished_early = True
        finally:
            self.http.close()

    def _one_patient(self, stop: threading.Event, account: Desk) -> str:
        headers = {"Authorization": f"Token {account.token}", "Accept": "application/json"}
        for _ in range(PATIENT_TRIES):
            found = self._search(self.plan.me_search_path(), headers)
            if found is None:
                return "error"
            # The page runs on into the afternoon and later days: the rush is the morning.
            morning = [slot for slot, start in found if start < self.plan.start_before]
            if not morning:
                return "sold out"
            if stop.wait(self.pace.pause(self.rng, self.pace.patient_think_s)):
                return "stopped"
            slot = self.rng.choice(morning[: self.plan.patient_pick_from])
            status = self._book(ME_APPOINTMENTS_PATH, {"slot": slot}, headers)
            if status != 409:
                break  # booked, or refused for a reason trying again will not change
        stop.wait(self.pace.pause(self.rng, self.pace.patient_think_s))  # the next patient
        return "done"


RushClient = DeskClient | PatientClient


def make_clients(
    plan: RushPlan,
    *,
    port: int,
    count: int,
    hub_share: float,
    patient_share: float,
    rush_practices: int,
    seed: int,
    pace: Pace | None = None,
) -> list[RushClient]:
    """``count`` clients: patients online, reception desks spread over the first
    ``rush_practices`` practices (so many fight over each morning), and hub staff."""
    pace = pace or Pace()
    practices = plan.practices
    focus = max(1, min(rush_practices, len(practices)))
    hub_count = round(count * hub_share) if plan.hub_desks else 0
    patient_count = round(count * patient_share) if plan.online else 0
    desk_count = max(count - hub_count - patient_count, 0)
    clients: list[RushClient] = []

    def order_from(start: int) -> list[int]:
        order = [practices[(start + step * focus) % len(practices)] for step in range(focus)]
        return list(dict.fromkeys(order)) + [p for p in practices if p not in order]

    for i in range(patient_count):
        order = order_from(i % focus)
        clients.append(PatientClient(Http(port), plan, order, seed + 20_000 + i, pace))
    for i in range(desk_count):
        order = order_from(i % focus)
        desks = [plan.desks[p][(i // focus) % len(plan.desks[p])] for p in order]
        clients.append(DeskClient(Http(port), plan, desks, order, seed + i, pace))
    for h in range(hub_count):
        hub = plan.hub_desks[h % len(plan.hub_desks)]
        rng = random.Random(seed + 10_000 + h)
        others = [p for p in practices if p != hub.practice]
        rng.shuffle(others)
        clients.append(
            DeskClient(Http(port), plan, [hub] * len(others), others, seed + 10_000 + h, pace)
        )
    return clients


def make_people(
    plan: RushPlan, *, port: int, patients: int, pace: Pace, seed: int
) -> list[RushClient]:
    """The federation's 8am at a human pace: ``patients`` patients online spread over every
    practice, every reception desk at its own practice, and the hub."""
    practices = plan.practices
    clients: list[RushClient] = []
    for i in range(patients):
        start = i % len(practices)
        order = practices[start:] + practices[:start]
        clients.append(PatientClient(Http(port), plan, order, seed + 20_000 + i, pace))
    for practice in practices:
        for n, desk in enumerate(plan.desks[practice]):
            clients.append(
                DeskClient(Http(port), plan, [desk], [practice], seed + practice * 100 + n, pace)
            )
    for h, hub in enumerate(plan.hub_desks):
        rng = random.Random(seed + 10_000 + h)
        others = [p for p in practices if p != hub.practice]
        rng.shuffle(others)
        clients.append(
            DeskClient(Http(port), plan, [hub] * len(others), others, seed + 10_000 + h, pace)
        )
    return clients


def make_booking_clients(
    plan: RushPlan, *, port: int, count: int, seed: int, book_path: str = APPOINTMENTS_PATH
) -> list[RushClient]:
    """The booking endpoint on its own, as the ceiling runs its UPDATE (ADR 0043): ``count``
    reception desks, each alone at one site, booking that site's day in order for its
    practice's callers. No two desks want the same slot (no 409s) and a desk searches only
    when the 50 slots on its screen are used up, so nearly every request is a booking. Needs
    ``plan.pick_from == 1`` to book in order, and at least ``count`` sites. With
    ``book_path=SAME_WORK_PATH`` the same clients measure the same-work ceiling."""
    places = [(p, site) for p in plan.practices for site in plan.sites.get(p, [])]
    if len(places) < count:
        raise ValueError(f"the booking phase needs a site per client: {len(places)} < {count}")
    spread = random.Random(seed).sample(places, count)
    steady = Pace(refresh_s=math.inf)
    clients: list[RushClient] = []
    for i, (practice, site) in enumerate(spread):
        desk = plan.desks[practice][i % len(plan.desks[practice])]
        clients.append(
            DeskClient(
                Http(port), plan, [desk], [practice], seed + i, steady, only_site=site,
                book_path=book_path,
            )
        )
    return clients


def staff_tokens(url: str, limit: int) -> list[tuple[str, int | None]]:
    """(token, site) of reception staff, for the API ceiling's clients."""
    with psycopg.connect(url) as conn:
        reception = [desk for desk in _staff_desks(conn) if desk.kind == "reception"]
    return [(desk.token, desk.site) for desk in reception[:limit]]


@dataclass
class CeilingTally:
    timings: Timings = field(default_factory=Timings)
    updated: int = 0
    updated_at: list[float] = field(default_factory=list)  # when each claiming request went
    exhausted: bool = False


class CeilingClient:
    """Claims its own slots one by one through a ceiling view (the bare one, or the API one
    with a token); never the rush's slots."""

    def __init__(
        self,
        http: Http,
        slot_ids: list[int],
        path: str = CEILING_PATH,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.http = http
        self.slot_ids = slot_ids
        self.path = path
        self.headers = headers
        self.tally = CeilingTally()

    def __call__(self, stop: threading.Event) -> None:
        try:
            for slot in self.slot_ids:
                if stop.is_set():
                    return
                try:
                    status, body, ms = self.http.call(
                        "POST", self.path.format(slot), headers=self.headers
                    )
                except TransportError:
                    self.tally.timings.transport_errors += 1
                    continue
                self.tally.timings.record(status, ms)
                if status == 200 and body == b"1":
                    self.tally.updated += 1
                    self.tally.updated_at.append(self.tally.timings.sent_at[-1])
            self.tally.exhausted = not stop.is_set()
        finally:
            self.http.close()


def make_ceiling_clients(
    pool: list[int],
    *,
    port: int,
    count: int,
    tokens: list[tuple[str, int | None]] | None = None,
) -> list[CeilingClient]:
    """The bare view's clients, or with ``tokens`` the API ceiling's (one token each)."""
    if tokens is None:
        return [CeilingClient(Http(port), pool[i::count]) for i in range(count)]
    if not tokens:
        raise ValueError("the API ceiling needs at least one staff token")
    clients = []
    for i in range(count):
        token, site = tokens[i % len(tokens)]
        headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        if site is not None:
            headers[SITE_HEADER] = str(site)
        clients.append(CeilingClient(Http(port), pool[i::count], CEILING_API_PATH, headers))
    return clients


def describe_clients(clients: list[RushClient]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for client in clients:
        kinds[client.tally.kind] = kinds.get(client.tally.kind, 0) + 1
    return kinds
