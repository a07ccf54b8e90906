"""Bounded API fuzzing with schemathesis (DESIGN.md §8).

The OpenAPI schema is generated in-process by drf-spectacular (the document
/api/v1/schema/ serves; the schema and docs views are not in it), and every
operation in it is called through the real WSGI application
(`config.wsgi.application`) with generated inputs (valid and invalid), each as
a user of every role, an `admin` and an anonymous caller, against a database
holding a little realistic data: an active case and one in assessment, a
funded fund, and payment requests in the draft, submitted and approved
states. Known object ids are mixed in with random ones so that the code
behind the 404 is reached too.

Checks on every response: no 5xx; every 4xx body is the §8 error shape (JSON
with string `code` and `detail`); the status code is one the schema documents
(DRF's 404 for a page past the end excepted) and the content type is the
documented one, and the body conforms to the documented schema.

Each request runs in a savepoint that is rolled back, so every caller sees the
same data and Hypothesis can replay and shrink an example. Bounded for CI:
VAF_FUZZ_EXAMPLES (default 10) generated inputs per operation, each sent as
7 callers, with a fixed seed so that CI runs are reproducible; set
VAF_FUZZ_SEED=random (or another number) and raise VAF_FUZZ_EXAMPLES to
explore further, e.g. VAF_FUZZ_EXAMPLES=300 VAF_FUZZ_SEED=random.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from types import SimpleNamespace

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from accounts.services import api_token_issue
from config.wsgi import application
from fund.choices import DisbursementStatus
from referrals.services import case_transition, referral_create
from tests.factories import make_user
from tests.fund.conftest import deposit, drive, make_active_case, request_payment
from tests.referrals.conftest import referral_input

ORG = "Fuzz Test Shelter"
EXAMPLES = int(os.environ.get("VAF_FUZZ_EXAMPLES", "10"))
_seed = os.environ.get("VAF_FUZZ_SEED", "20261128")
SEED = None if _seed == "random" else int(_seed)
# Callers of every request: the roles of DESIGN.md §1, then no token at all.
CALLERS = ("caseworker", "approver", "finance", "auditor", "intake_partner", "admin", None)


def _openapi_document() -> dict:
    generator = SchemaGenerator()
    return json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))


# drf-spectacular marks money as `{"type": "string", "format": "decimal"}`;
# without a strategy for the format the amounts would be random text that never
# gets past validation. Amounts up to above the case limit (DESIGN.md §5).
schemathesis.openapi.format("decimal", st.decimals(min_value="0.01", max_value="60000", places=2).map(str))

schema = schemathesis.openapi.from_dict(
    _openapi_document(),
    config=SchemathesisConfig.from_dict(
        {
            **({"seed": SEED} if SEED is not None else {}),
            "phases": {
                "examples": {"enabled": True},
                "fuzzing": {"enabled": True},
                "coverage": {"enabled": False},
                "stateful": {"enabled": False},
            },
        }
    ),
)
schema.app = application

# Query parameters of DRF's paginators: a page number past the end, or a
# cursor that does not decode, answers 404 `not_found`, which drf-spectacular
# leaves out of the schema.
PAGINATION_PARAMS = frozenset({"page", "cursor"})


@schemathesis.check
def documented_status_code(ctx, response, case):
    """The status is one the schema documents for the operation (schemathesis's
    `status_code_conformance`), or DRF's 404 for a page that does not exist."""
    if response.status_code == 404 and PAGINATION_PARAMS & set(case.query or {}):
        return None
    return schemathesis.checks.status_code_conformance(ctx, response, case)


@schemathesis.check
def error_body_shape(ctx, response, case):
    """A 4xx answers `{"code": str, "detail": str, ...}` as JSON (DESIGN.md §8)."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"{response.status_code} body is not JSON: {response.content[:200]!r}") from None
    if not (isinstance(body, dict) and isinstance(body.get("code"), str) and isinstance(body.get("detail"), str)):
        raise AssertionError(f"{response.status_code} body lacks string `code` and `detail`: {body!r}"[:400])
    return None


CHECKS = [
    schemathesis.checks.not_a_server_error,
    error_body_shape,
    documented_status_code,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def _wsgi_on_test_connection():
    """Keep the WSGI handler from closing the test's database connection.

    Django closes "old" connections when a request starts and finishes; inside
    the test transaction that would drop it. Django's own test client
    disconnects the same receiver around each request.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, _wsgi_on_test_connection):
    """One user of each role and their API tokens; an active case with payment
    requests (draft, submitted, approved by two approvers) on a funded fund; a
    second case in assessment. Built through the services, as in
    tests/fund/conftest.py."""
    users = {role: make_user(role, organisation=ORG) for role in CALLERS if role}
    people = SimpleNamespace(
        **users, approver2=make_user("approver", organisation=ORG), finance2=make_user("finance", organisation=ORG)
    )

    active = make_active_case(users["caseworker"], users["approver"])
    referred = referral_create(actor=users["caseworker"], referral=referral_input())
    in_assessment = case_transition(case=referred, actor=users["caseworker"], name="start_assessment")
    deposit(users["finance"])
    disbursements = [
        drive(request_payment(active, users["caseworker"], amount=amount), people, state)
        for amount, state in (
            ("250.00", DisbursementStatus.DRAFT),
            ("1000.00", DisbursementStatus.SUBMITTED),
            ("7500.00", DisbursementStatus.APPROVED),
        )
    ]
    tokens = {role: api_token_issue(username=user.username) for role, user in users.items()}
    return {
        "tokens": tokens,
        "case_ids": [str(active.pk), str(in_assessment.pk)],
        "disbursement_ids": [str(d.pk) for d in disbursements],
    }


def _pick(generated, known: list[str]):
    """The generated value, or one of the known ids: a choice that depends on the
    generated value only, so Hypothesis can replay and shrink the example."""
    choice = int(hashlib.sha256(repr(generated).encode()).hexdigest(), 16) % (len(known) + 1)
    return generated if choice == len(known) else known[choice]


def _use_known_ids(case, world) -> None:
    """Most of the time, point the request at objects that exist."""
    path = case.path_parameters
    for name, known in (("case_id", world["case_ids"]), ("disbursement_id", world["disbursement_ids"])):
        if isinstance(path, dict) and name in path:
            path[name] = _pick(path[name], known)
    if case.operation.path == "/api/v1/disbursements/" and isinstance(case.body, dict) and "case" in case.body:
        case.body["case"] = _pick(case.body["case"], world["case_ids"])


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_fuzz(case, world):
    _use_known_ids(case, world)
    for role in CALLERS:
        headers = {"Authorization": f"Token {world['tokens'][role]}"} if role else {}
        errors = _Collect()
        logging.getLogger().addHandler(errors)
        try:
            with transaction.atomic():
                response = case.call(headers=headers)
                transaction.set_rollback(True)
        finally:
            logging.getLogger().removeHandler(errors)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except BaseException as failure:
            failure.add_note(f"Caller: {role or 'anonymous (no token; maybe made-up credentials)'}")
            for record in errors.records:
                if record.exc_info:
                    failure.add_note(logging.Formatter().formatException(record.exc_info))
            raise


# Inputs the fuzzer found a server error with, kept as plain regression tests.


@pytest.mark.django_db
def test_finding_nul_byte_in_disbursement_status_filter(world):
    """GET /api/v1/disbursements/?status=<text with a NUL byte> reached the
    database unvalidated, and PostgreSQL refuses NUL in text: 500. An unknown
    status now matches nothing."""
    client = Client(HTTP_AUTHORIZATION=f"Token {world['tokens']['caseworker']}")
    response = client.get("/api/v1/disbursements/", {"status": "c\x00\xdc"})
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0
