"""schemathesis against the check-in API's own OpenAPI schema, in process (WSGI), with a real device token.

Every operation gets generated requests (valid and schema-violating ones); every response must be a non-5xx
that conforms to the documented schema (status code, content type, body), and invalid requests must be refused.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from checkin.services import devices
from registration.services import badges, tokens
from tests.registration.factories_checkin import CheckinRegistrationFactory

SCHEMA_PATH = "/api/checkin/v1/openapi.json"

# "Nothing to undo" is a documented 400 answer to a well-formed /annul (the desk has no recent check-in);
# everywhere else a schema-valid request must not be refused with 400.
CONFIG = schemathesis.Config.from_dict({
    "operations": [{
        "include-path": "/api/checkin/v1/annul",
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404"]}},
    }],
})


@pytest.fixture
def api_schema(db):
    from eventsite.wsgi import application

    # As Django's test client does: the test's transaction must survive the end of each request.
    tokens.forget_cached_keys()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(SCHEMA_PATH, application, config=CONFIG)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        tokens.forget_cached_keys()


@pytest.fixture
def scanner(db):
    """A real device of an event with one approved, badged registration; returns the device's token."""
    registration = CheckinRegistrationFactory(full_name="Trần Thị Bích Ngọc")
    badges.ensure_badge(registration)
    _device, token = devices.create_device(event=registration.event, name="Máy quét cổng B")
    return token


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_schema(api_schema, scanner, mode):
    """Every operation, a bounded number of generated requests each; the first failure of each is reported."""
    headers = {"Authorization": f"Bearer {scanner}"}
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
        @settings(max_examples=25, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate(headers=headers)

        try:
            run()
        except Unsatisfiable:  # an operation with no inputs (GET /status) has no schema-violating request
            assert mode == GenerationMode.NEGATIVE and not operation.query and not operation.body
        except AssertionError as failure:  # schemathesis's FailureGroup / CheckFailed are AssertionErrors
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
    assert not failures, "\n\n".join(failures)


def test_schema_lists_every_operation(api_schema):
    """The run above covers the whole API: if an endpoint is added, it is in the schema and gets tested."""
    operations = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert {("POST", "/redeem"), ("POST", "/annul"), ("GET", "/status"), ("GET", "/revocations"),
            ("GET", "/keys")} <= {(method, path.removeprefix("/api/checkin/v1")) for method, path in operations}
