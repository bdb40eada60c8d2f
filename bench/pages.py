"""The web pages a person views along a journey, so the round-trips benchmark meters pages as well
as the API routes the journey is driven through.

The journeys themselves are driven through the JSON API (local.scenario, as the end-to-end tests
do); at the moments a person would look, each looks at the pages of that moment in a signed-in
browser session (requests, with the session cookie and CSRF token the sign-in form gives).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import requests

from local import scenario
from local.stack import LocalStack
from odvalidation.domain.frameworks import framework

from .meter import Meter


class Tour:
    """Signs each person in once (the sign-in pages are metered too) and views pages as them."""

    def __init__(self, stack: LocalStack, meter: Meter | None = None) -> None:
        self.meter = meter
        self.base = stack.base_url.rstrip("/")
        self.sessions: dict[str, requests.Session] = {}
        self.statuses: list[tuple[str, int]] = []

    def session(self, who: scenario.Person) -> requests.Session:
        if who.email not in self.sessions:
            s = requests.Session()
            form = s.get(f"{self.base}/sign-in", timeout=30)
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
            s.post(
                f"{self.base}/sign-in",
                data={
                    "email": who.email,
                    "password": scenario.PASSWORD,
                    "csrf_token": token.group(1) if token else "",
                },
                allow_redirects=False,
                timeout=30,
            )
            self.sessions[who.email] = s
        return self.sessions[who.email]

    @contextmanager
    def harness(self) -> Iterator[None]:
        """The tour's own look-ups through the API (a claim's level, a certificate's id) are the
        harness's, not a person's: metered apart, as the harness's polling is."""
        if self.meter is not None:
            self.meter.polling.set()
        try:
            yield
        finally:
            if self.meter is not None:
                self.meter.polling.clear()

    def view(self, who: scenario.Person, *paths: str) -> None:
        for path in paths:
            r = self.session(who).get(f"{self.base}{path}", allow_redirects=False, timeout=30)
            self.statuses.append((path, r.status_code))


@contextmanager
def viewing_pages(stack: LocalStack, meter: Meter | None = None) -> Iterator[Tour]:
    """While a branch runs, view the pages of each moment: the decision page before deciding, the claim
    pages before submitting, the panel's pages after reviewing; the end pages are `end_of_journey`."""
    tour = Tour(stack, meter)
    originals: dict[str, Callable[..., Any]] = {
        name: getattr(scenario, name) for name in ("decide", "submit", "review")
    }

    def decide(c: scenario.Cast, journey_id: str, *args: Any, **kwargs: Any) -> Any:
        tour.view(c.practitioner, "/home", f"/journeys/{journey_id}", f"/journeys/{journey_id}/decision")
        return originals["decide"](c, journey_id, *args, **kwargs)

    def submit(c: scenario.Cast, journey_id: str) -> Any:
        with tour.harness():
            level = c.practitioner.api.journey(journey_id)["claim"]["level"]
        element = framework(c.framework_key).elements_for(level)[0].id
        tour.view(
            c.practitioner,
            f"/journeys/{journey_id}",
            f"/journeys/{journey_id}/claim",
            f"/journeys/{journey_id}/claim/{element}",
            f"/journeys/{journey_id}/check",
        )
        return originals["submit"](c, journey_id)

    def review(c: scenario.Cast, journey_id: str, *args: Any, **kwargs: Any) -> Any:
        panel = originals["review"](c, journey_id, *args, **kwargs)
        chair = next(s["member_id"] for s in panel["seats"] if s["chair"])
        member = {**scenario.PANEL, **{m.id: m for m in c.panel}}[chair]
        tour.view(member, "/panel", f"/panel/{journey_id}/review", f"/panel/{journey_id}/reviews")
        tour.view(c.lead, "/lead", f"/lead/assignments/{journey_id}")
        return panel

    for name, fn in (("decide", decide), ("submit", submit), ("review", review)):
        setattr(scenario, name, fn)
    try:
        yield tour
    finally:
        for name, fn in originals.items():
            setattr(scenario, name, fn)


def end_of_journey(tour: Tour, c: scenario.Cast, journey_id: str) -> None:
    """What each person looks at once the journey has ended: its page, the certificate, the lead's views."""
    tour.view(c.practitioner, "/home", f"/journeys/{journey_id}")
    with tour.harness():
        certificate = c.practitioner.api.journey(journey_id).get("certificate_id")
    if certificate:
        tour.view(c.practitioner, f"/certificates/{certificate}", f"/verify/{certificate}")
    tour.view(c.lead, "/lead", f"/lead/cohorts/{c.cohort_id}", "/reports")
