"""/healthz for load balancers: database, broker, keys, checkpoint age."""

from __future__ import annotations

from operations import tasks


def test_healthy_without_a_broker_and_with_a_fresh_checkpoint(client, people):
    tasks.audit_checkpoint_job.delay()
    answer = client.get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["keys"]["ok"]
    assert body["checks"]["broker"] == {"ok": True, "mode": "in-process"}
    assert body["checks"]["checkpoint"]["ok"] is True


def test_a_broker_that_is_down_is_named_but_requests_still_succeed(client, people, settings):
    tasks.audit_checkpoint_job.delay()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    answer = client.get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "degraded"
    assert body["checks"]["broker"]["ok"] is False


def test_missing_keys_take_the_process_out_of_rotation(client, db, settings):
    settings.VAF_MASTER_KEYS = ""
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["checks"]["keys"]["ok"] is False
    assert answer.json()["status"] == "down"


def test_no_checkpoint_yet_is_reported(client, db):
    body = client.get("/healthz").json()
    assert body["checks"]["checkpoint"] == {"ok": False, "age_seconds": None}


def test_the_answer_holds_states_only(client, people):
    text = client.get("/healthz").content.decode()
    assert people.caseworker.username not in text


def test_a_reachable_redis_broker_is_reported_up(client, people, settings):
    from tests.operations.test_broker import REDIS_TEST_URL, _redis_reachable

    if not _redis_reachable():
        import pytest

        pytest.skip(f"needs Redis at {REDIS_TEST_URL} (.ci/run starts it)")
    settings.CELERY_BROKER_URL = REDIS_TEST_URL
    assert client.get("/healthz").json()["checks"]["broker"] == {"ok": True, "mode": "broker"}
