"""Demo step: Botley Medical Centre (K84016) in OxFed, with its two sites and opening hours."""

from __future__ import annotations

import datetime

from common.demo import DemoContext
from practices.models import Federation, Locality, OpeningHours, Practice, Site

ODS_CODE = "K84016"

# Oxford has no Ofcom drama range (01632 960xxx is reserved but phonenumbers calls it invalid),
# so the sites have plausible 01865 numbers.
SITES = {
    "botley": {
        "name": "Botley Medical Centre",
        "address_line1": "Elms Road",
        "address_line2": "Botley",
        "town": "Oxford",
        "postcode": "OX2 9JS",
        "phone": "01865 960201",
    },
    "kennington": {
        "name": "Kennington Health Centre",
        "address_line1": "200 Kennington Road",
        "address_line2": "Kennington",
        "town": "Oxford",
        "postcode": "OX1 5PY",
        "phone": "01865 960202",
    },
}

_WEEKDAYS = range(0, 5)
_TUESDAY, _THURSDAY, _SATURDAY = 1, 3, 5


def _t(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


def opening_hours(key: str) -> list[tuple[int, datetime.time, datetime.time]]:
    """(weekday, opens, closes): Botley runs extended hours to 20:00 on Tue/Thu and Saturday
    morning extended access; Kennington keeps core hours."""
    hours = []
    for day in _WEEKDAYS:
        late = key == "botley" and day in (_TUESDAY, _THURSDAY)
        hours.append((day, _t("08:00"), _t("20:00" if late else "18:30")))
    if key == "botley":
        hours.append((_SATURDAY, _t("09:00"), _t("12:00")))
    return hours


def seed(ctx: DemoContext) -> None:
    federation, _ = Federation.objects.get_or_create(name="OxFed")
    locality, _ = Locality.objects.get_or_create(name="Oxford City")
    practice = Practice.objects.filter(ods_code=ODS_CODE).first()
    if practice is None:
        practice = Practice(
            name="Botley Medical Centre",
            ods_code=ODS_CODE,
            federation=federation,
            locality=locality,
        )
        practice.full_clean()
        practice.save()
    ctx.practice = practice

    for key, fields in SITES.items():
        site = Site.objects.filter(practice=practice, name=fields["name"]).first()
        if site is None:
            site = Site(practice=practice, **fields)
            site.full_clean()
            site.save()
        ctx.sites[key] = site
        for weekday, opens, closes in opening_hours(key):
            if not OpeningHours.objects.filter(site=site, weekday=weekday, opens=opens).exists():
                row = OpeningHours(site=site, weekday=weekday, opens=opens, closes=closes)
                row.full_clean()
                row.save()

    ctx.summary.append(
        f"Practice: {practice} in {federation}, {locality}; "
        f"sites: {', '.join(s.name for s in ctx.sites.values())}"
    )
