"""The response cache never serves stale data: every write bumps the data version, in every worker."""

from flask import Flask

from support.app import create_user, load_doc
from support.data import SEED_FILE, small_doc
from support.server import Gunicorn, create_editor, flask_cli, get_text, issue_token, send_json, server_env


def test_etag_and_304_then_fresh_data_after_a_write(app: Flask, client) -> None:
    load_doc(app, small_doc())
    first = client.get("/actors/russia.json")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get("/actors/russia.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.get_data()
    doc = small_doc()
    doc["events"][1]["title"] = "Changed through an import"
    load_doc(app, doc)
    changed = client.get("/actors/russia.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Changed through an import" in changed.get_data(as_text=True)
    for path in (
        "/actors/russia",
        "/topics/jcpoa",
        "/topics/jcpoa.json",
        "/",
        "/actors/russia.timelinejs.json",
    ):
        assert "Changed through an import" in client.get(path).get_data(as_text=True), path


def test_signed_in_editors_are_never_served_a_shared_page(app: Flask, editor) -> None:
    load_doc(app, small_doc())
    anonymous = app.test_client()
    anonymous.get("/actors/russia")  # fills the cache
    page = editor.get("/actors/russia")
    assert "ETag" not in page.headers and "Sign out" in page.get_data(as_text=True)


def test_every_worker_sees_a_write_at_once(db_url: str, tmp_path) -> None:
    env = server_env(db_url)
    flask_cli(env, "import", str(SEED_FILE))
    create_editor(env, "writer")
    token = issue_token(env, "writer")
    with Gunicorn(env, tmp_path / "gunicorn.log", workers=2) as server:
        _every_worker_sees(server.base_url, token)


def _every_worker_sees(base: str, token: str) -> None:
    pages = ["/actors/russia", "/actors/russia.json", "/topics/jcpoa", "/topics/jcpoa.json"]
    for _ in range(10):  # warm both workers' caches
        for path in pages:
            get_text(base + path)
    event = {
        "actor": "russia",
        "kind": "statement",
        "title": "Fresh everywhere",
        "date": "2021-01",
        "stances": [{"topic": "jcpoa", "score": 1}],
    }
    created = send_json(f"{base}/api/v1/events", token, "POST", event)
    for _ in range(10):  # each request may land on either worker: all must see it
        for path in pages:
            assert "Fresh everywhere" in get_text(base + path), path
    send_json(
        f"{base}/api/v1/events/{created['id']}",
        token,
        "PUT",
        {**event, "title": "Edited everywhere", "version": created["version"]},
    )
    for _ in range(10):
        for path in pages:
            text = get_text(base + path)
            assert "Edited everywhere" in text and "Fresh everywhere" not in text, path
    send_json(f"{base}/api/v1/events/{created['id']}", token, "DELETE")
    for _ in range(10):
        for path in pages:
            assert "Edited everywhere" not in get_text(base + path), path


def test_bookkeeping_writes_keep_the_cache_but_data_writes_do_not(app: Flask, client, tmp_path) -> None:
    from timeline import jobs
    from timeline.db import write_session
    from timeline.services import jobqueue

    from support.web import login

    load_doc(app, small_doc())
    create_user(app, "ed")
    etag = client.get("/actors/russia.json").headers["ETag"]
    app.config["SNAPSHOT_DIR"] = str(tmp_path)
    with app.app_context(), write_session(bookkeeping=True) as session:
        jobqueue.enqueue(session, "snapshot", None)  # a queued run, then the scheduler's own records
    jobs._dispatch_queued(app)
    assert len(list(tmp_path.glob("snapshot-*.json"))) == 1
    login(app.test_client(), "ed")  # records the last sign-in
    assert client.get("/actors/russia.json").headers["ETag"] == etag
    doc = small_doc()
    doc["events"][0]["title"] = "A real change"
    load_doc(app, doc)
    assert client.get("/actors/russia.json").headers["ETag"] != etag


def test_repeated_pages_come_from_the_store_with_every_header(app: Flask, client, monkeypatch) -> None:
    load_doc(app, small_doc())
    first = client.get("/actors/russia.json?topic=jcpoa")
    assert first.status_code == 200

    def must_not_run(*_args, **_kwargs):
        raise AssertionError("the view ran although its answer was stored")

    monkeypatch.setattr("timeline.services.reads.actors.actor_timeline", must_not_run)
    again = client.get("/actors/russia.json?topic=jcpoa")
    assert again.status_code == 200 and again.get_data() == first.get_data()
    for header in (
        "Content-Type",
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "ETag",
    ):
        assert again.headers[header] == first.headers[header], header
    assert "Set-Cookie" not in again.headers
    assert int(again.headers["Content-Length"]) == len(first.get_data())
    assert (
        client.get(
            "/actors/russia.json?topic=jcpoa", headers={"If-None-Match": first.headers["ETag"]}
        ).status_code
        == 304
    )
    # A reader holding a session cookie that signs nobody in is served the same bytes.
    with_cookie = app.test_client()
    with_cookie.set_cookie("session", "not-a-signed-in-user")
    assert with_cookie.get("/actors/russia.json?topic=jcpoa").get_data() == first.get_data()
    # Another query string is another page; a write makes every stored page old.
    assert client.get("/actors/russia.json?kind=statement").status_code == 500  # the view ran
    doc = small_doc()
    doc["events"][0]["title"] = "After the store was filled"
    load_doc(app, doc)
    assert client.get("/actors/russia.json?topic=jcpoa").status_code == 500


def test_the_store_is_bounded_in_bytes_and_drops_the_least_recently_used() -> None:
    from timeline.web.cache import Entry, Store

    store = Store(max_bytes=1000)
    keys = [("h", f"/p{i}", "") for i in range(4)]
    for key in keys[:3]:
        store.put(key, Entry([], b"x" * 300, ()))
    assert store.get(keys[0]) is not None  # now the most recently used
    store.put(keys[3], Entry([], b"y" * 300, ()))
    assert store.get(keys[1]) is None and store.get(keys[0]) is not None
    assert store.size <= 1000
    store.put(("h", "/huge", ""), Entry([], b"z" * 2000, ()))  # larger than the whole store: not kept
    assert store.get(("h", "/huge", "")) is None and store.size <= 1000
