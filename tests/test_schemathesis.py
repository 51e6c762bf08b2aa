"""The OpenAPI description is kept true: schemathesis drives the live app, no 5xx, every response conforms."""

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from timeline.db import write_session
from timeline.services import accounts

from support.app import create_user, load_doc
from support.data import small_doc

# with plain Hypothesis: the same checks (no server error, status, content type and body per the schema).
EXAMPLES = 25


def test_api_conforms_to_its_description(app: Flask) -> None:
    load_doc(app, small_doc())
    create_user(app, "robot")
    with app.app_context(), write_session() as session:
        token = accounts.issue_token(session, "robot")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    results = list(schema.get_all_operations())
    assert all(isinstance(result, Ok) for result in results), results  # every operation parses
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == 20  # with GET /export.json and GET /review/quotes.json
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case) -> None:
            # Positive-data acceptance is left out on purpose: a schema-valid body can still name an actor
            # that does not exist or an impossible date (2021-02-30); those answer 422, as documented.
            # Its WSGI transport does not decode Content-Encoding: ask for plain bodies (compressed
            # answers are tested in test_compression.py).
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"},
                excluded_checks=[positive_data_acceptance],
            )

        try:
            check()
        except Exception as exc:
            raise AssertionError(f"{operation.label}: {exc}") from exc
