"""The failed sign-in limit holds across workers and servers: two gunicorn servers (two workers each)
on one database count the same failures."""

from __future__ import annotations

import http.client
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from support.server import PASSWORD, Gunicorn, Http, create_editor, server_env

WINDOW = 30  # seconds: long enough for ten sign-ins on a busy machine, short enough to wait out


def _request(base_url: str, method: str, path: str, **kwargs: Any) -> Any:
    """One request on a connection of its own, closed after it."""
    http = Http(base_url)
    try:
        return http.request(method, path, **kwargs)
    finally:
        http.close()


class Browser:
    """One visitor (one cookie jar) talking to any of the servers: they share the secret key."""

    def __init__(self) -> None:
        self.cookie = ""
        self.token = ""

    def _remember(self, headers: http.client.HTTPMessage) -> None:
        for value in headers.get_all("Set-Cookie") or []:
            self.cookie = value.split(";", 1)[0]

    def open(self, base_url: str) -> None:
        status, body, headers = _request(base_url, "GET", "/login")
        assert status == 200
        self._remember(headers)
        match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body)
        assert match
        self.token = match.group(1).decode()

    def sign_in(self, base_url: str, name: str, password: str) -> tuple[int, dict[str, str]]:
        body = urlencode({"csrf_token": self.token, "name": name, "password": password, "next": ""})
        status, _body, headers = _request(
            base_url,
            "POST",
            "/login",
            body=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": self.cookie},
        )
        self._remember(headers)
        return status, dict(headers.items())


def test_eleventh_failure_across_two_servers_is_refused(db_url: str, tmp_path: Path) -> None:
    env = {**server_env(db_url), "TIMELINE_SIGNIN_FAILURE_WINDOW": str(WINDOW)}
    create_editor(env, "ed")
    with (
        Gunicorn(env, tmp_path / "a.log", workers=2) as first,
        Gunicorn(env, tmp_path / "b.log", workers=2) as second,
    ):
        servers = [first.base_url, second.base_url]
        browser = Browser()
        browser.open(servers[0])
        started = time.monotonic()
        statuses = [browser.sign_in(servers[n % 2], "ed", "wrong password!")[0] for n in range(10)]
        took = time.monotonic() - started
        assert statuses == [401] * 10
        print(f"ten failed sign-ins across two servers took {took:.2f} s")
        assert took < WINDOW / 2, f"ten sign-ins took {took:.1f} s: the window is too short to test"
        status, headers = browser.sign_in(servers[0], "ed", "wrong password!")
        assert status == 429, status
        retry_after = int(headers["Retry-After"])
        assert 1 <= retry_after <= WINDOW
        # The other server, with the right password: refused as well, until the window has passed.
        assert browser.sign_in(servers[1], "ed", PASSWORD)[0] == 429
        time.sleep(retry_after + 0.5)
        status, headers = browser.sign_in(servers[1], "ed", PASSWORD)
        assert status == 303, (status, first.log_text()[-2000:], second.log_text()[-2000:])
