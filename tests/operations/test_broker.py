"""A task crosses a real Redis broker to a worker and its result comes back.

Redis runs on 127.0.0.1:6379 on development and CI machines (.ci/run starts
it); `REDIS_TEST_URL` points elsewhere. Database 15 is used, and emptied."""

from __future__ import annotations

import os

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult

from operations.tasks import ping

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_app():
    """The project's configuration (config.celery) pointed at Redis, as
    production sets CELERY_BROKER_URL; a fresh app, so the in-process one the
    other tests use keeps its settings."""
    if not _redis_reachable():
        pytest.skip(f"needs Redis at {REDIS_TEST_URL} (.ci/run starts it)")
    broker_app = Celery("vaf-broker-test", set_as_current=False)
    broker_app.config_from_object("django.conf:settings", namespace="CELERY")
    broker_app.conf.update(broker_url=REDIS_TEST_URL, result_backend=REDIS_TEST_URL, task_always_eager=False)
    try:
        yield broker_app
    finally:
        broker_app.close()


def test_a_task_crosses_the_redis_broker_to_a_worker(redis_app):
    assert ping.name in redis_app.tasks  # the project's shared tasks bind to it
    with start_worker(redis_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        result = redis_app.tasks[ping.name].delay()
        assert not isinstance(result, EagerResult)  # sent through Redis, not run in place
        assert result.get(timeout=20) == "pong"
        assert result.successful()
