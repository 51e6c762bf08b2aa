"""Failed sign-in limits: counted in the database (so every worker and server shares them), per
account and per address in a sliding window, with Retry-After; the failure write stays short."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Literal

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

import timeline
from timeline import create_app
from timeline.db import get_session, write_session
from timeline.models import SignInFailure
from timeline.services import accounts, signin_limits
from timeline.services.signin_limits import (
    DatabaseFailures,
    LimitsFailures,
    SignInLimits,
    TooManyFailures,
)

from support.app import create_user, make_app
from support.web import csrf_token, login

LIMITS = SignInLimits(per_account=3, per_address=5, window=timedelta(seconds=60))


def database_store(limits: SignInLimits = LIMITS) -> DatabaseFailures:
    return DatabaseFailures(limits, get_session, lambda: write_session(bookkeeping=True))


def failure_rows(app: Flask) -> int:
    with app.app_context():
        return int(get_session().execute(select(func.count()).select_from(SignInFailure)).scalar_one())


def test_database_store_counts_per_account_with_retry_after(app: Flask) -> None:
    start = signin_limits.now()
    with app.app_context():
        store = database_store()
        for second in range(3):
            store.check("ed", "10.0.0.1", start + timedelta(seconds=second))
            store.record("ed", "10.0.0.1", start + timedelta(seconds=second))
        with pytest.raises(TooManyFailures) as refused:
            store.check("ed", "10.0.0.9", start + timedelta(seconds=10))
        assert refused.value.scope == "account"
        assert refused.value.retry_after == 50  # the first failure leaves the window at start + 60 s
        store.check("someone-else", "10.0.0.9", start + timedelta(seconds=10))  # other accounts go on
        store.check("ed", "10.0.0.9", start + timedelta(seconds=61))  # a window later: allowed again


def test_database_store_counts_per_address(app: Flask) -> None:
    start = signin_limits.now()
    with app.app_context():
        store = database_store()
        for n in range(5):
            store.record(f"name-{n}", "10.0.0.1", start)
        with pytest.raises(TooManyFailures) as refused:
            store.check("fresh-name", "10.0.0.1", start + timedelta(seconds=1))
        assert refused.value.scope == "address" and refused.value.retry_after == 59


def test_old_failures_are_dropped(app: Flask) -> None:
    start = signin_limits.now()
    with app.app_context():
        store = database_store()
        store.record("ed", "10.0.0.1", start)
        store.record("ed", "10.0.0.1", start + timedelta(seconds=30))
        store.record("al", "10.0.0.2", start + timedelta(seconds=61))
    assert failure_rows(app) == 2  # the first one was older than the window when the last came


def test_limits_storage_store_counts_the_same_way() -> None:
    # memory:// here; redis://... in production: the same code through the `limits` library.
    store = LimitsFailures(
        SignInLimits(per_account=2, per_address=10, window=timedelta(seconds=1)), "memory://"
    )
    for _ in range(2):
        store.check("ed", "10.0.0.1", signin_limits.now())
        store.record("ed", "10.0.0.1", signin_limits.now())
    with pytest.raises(TooManyFailures) as refused:
        store.check("ed", "10.0.0.1", signin_limits.now())
    assert refused.value.scope == "account" and 1 <= refused.value.retry_after <= 2
    time.sleep(1.1)
    store.check("ed", "10.0.0.1", signin_limits.now())


def test_eleventh_failure_is_429_with_retry_after_then_the_window_passes(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_user(app, "ed")
    statuses = [login(client, "Ed ", "wrong password!").status_code for _ in range(10)]
    assert statuses == [401] * 10  # "Ed " and "ed" are one account
    refused = login(client, "ed", "wrong password!")
    assert refused.status_code == 429
    assert 890 <= int(refused.headers["Retry-After"]) <= 900
    assert "Too many failed sign-ins for this account" in refused.get_data(as_text=True)
    assert login(client, "ed").status_code == 429  # even the right password waits
    assert failure_rows(app) == 10  # refused attempts are not counted
    later = signin_limits.now() + timedelta(seconds=901)
    monkeypatch.setattr(signin_limits, "now", lambda: later)
    assert login(client, "ed").status_code == 303


def test_the_limits_follow_the_configuration(db_url: str) -> None:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": db_url,
            "SECRET_KEY": "test-secret",
            "SIGNIN_FAILURES_PER_ACCOUNT": 2,
            "SIGNIN_FAILURE_WINDOW": 30,
        }
    )
    try:
        client = app.test_client()
        assert [login(client, "ed", "wrong password!").status_code for _ in range(3)] == [401, 401, 429]
        assert 1 <= int(login(client, "ed").headers["Retry-After"]) <= 30
    finally:
        timeline.dispose(app)


def test_a_wrong_password_holds_no_write_lock_while_it_is_checked(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_user(app, "ed")

    class SlowHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:  # noqa: A002
            time.sleep(1.5)  # a slow machine, or argon2 parameters raised
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "_hasher", SlowHasher())
    client = app.test_client()
    token = csrf_token(client)
    answers: list[int] = []
    attempt = threading.Thread(
        target=lambda: answers.append(
            client.post("/login", data={"csrf_token": token, "name": "ed", "password": "wrong!"}).status_code
        )
    )
    attempt.start()
    time.sleep(0.5)  # the password is being checked now
    second = make_app(app.config["DATABASE_URL"])
    started = time.monotonic()
    with second.app_context(), write_session() as session:
        session.add(SignInFailure(account="probe", address="probe", at=signin_limits.now()))
    waited = time.monotonic() - started
    attempt.join(10)
    assert answers == [401]
    assert waited < 0.5, f"a write waited {waited:.2f} s behind a sign-in"
    assert failure_rows(app) == 2  # the probe and the failure, written after the check
