"""A page's reading held back: answered as of when the page asked, delivered when the test says.

Each screen reads a list, an incident or a status on several triggers (a reconnect, a push, a
tap), and a reading that set out before a change may arrive after a newer one. The browser tests
that show a screen keeps the newer state (clinical safety H56, H58, H61, H62) hold the first such
reading, make the change, and only then deliver it."""
from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import Page


def wait_until(page: Page, what: str, check, timeout_s: float = 20) -> None:
    """Poll `check` while the page goes on handling its events."""
    deadline = time.time() + timeout_s
    while not check():
        if time.time() > deadline:
            raise AssertionError(f"never: {what}")
        page.wait_for_timeout(100)


class HeldReading:
    """The page's first GET of a URL that `matches`, fetched from the server at once and held;
    every later request goes through."""

    def __init__(self, page: Page, matches: Callable[[str], bool]):
        self.page, self.matches, self.held = page, matches, []
        page.route(matches, self._hold)

    def _hold(self, route) -> None:
        if self.held or route.request.method != "GET":
            route.continue_()
        else:
            self.held.append((route, route.fetch()))

    def answer(self, what: str) -> dict | list:
        """Waits for the page to ask (`what` names the reading in a failure); the answer as read."""
        wait_until(self.page, what, lambda: self.held)
        return self.held[0][1].json()

    def deliver(self) -> None:
        """The held answer reaches the page, nothing more is held, and the page has had time to
        draw it, were it to draw it."""
        route, read = self.held[0]
        with self.page.expect_response(lambda r: self.matches(r.url)):
            route.fulfill(response=read)
        self.page.unroute(self.matches)
        self.page.wait_for_timeout(500)
