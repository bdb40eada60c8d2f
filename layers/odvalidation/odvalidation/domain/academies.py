"""The ten Local Leadership Academies of England: reference data, not user input."""

from __future__ import annotations

from .errors import NotFound
from .models import Academy

NATIONAL_ISSUER = "NHS Leadership Academy"

ACADEMIES: tuple[Academy, ...] = tuple(
    Academy(id=i, name=n, region=r)
    for i, n, r in [
        ("north-west", "North West Leadership Academy", "North West"),
        ("north-east", "North East and North Cumbria Leadership Academy", "North East and Yorkshire"),
        ("yorkshire-humber", "Yorkshire and the Humber Leadership Academy", "North East and Yorkshire"),
        ("east-midlands", "East Midlands Leadership Academy", "Midlands"),
        ("west-midlands", "Midlands Leadership and Lifelong Learning Academy", "Midlands"),
        ("east-of-england", "East of England Leadership Academy", "East of England"),
        ("london", "London Leadership Academy", "London"),
        ("kss", "Kent, Surrey and Sussex Leadership Academy", "South East"),
        ("thames-valley-wessex", "Thames Valley and Wessex Leadership Academy", "South East"),
        ("south-west", "South West Leadership Academy", "South West"),
    ]
)

_BY_ID = {a.id: a for a in ACADEMIES}


def academy(academy_id: str) -> Academy:
    try:
        return _BY_ID[academy_id]
    except KeyError:
        known = ", ".join(sorted(_BY_ID))
        raise NotFound(f"There is no academy '{academy_id}'. Known academies: {known}.") from None
