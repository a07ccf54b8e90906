"""A task crosses a real Redis broker to a worker and its result comes back.

Redis runs on 127.0.0.1:6379 on development and CI machines (.ci/run starts
it); `REDIS_TEST_URL` points elsewhere. Database 15 is used, and emptied."""

from __future__ import annotations

import os

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult

from config.celery import app
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
    if not _redis_reachable():
        pytest.skip(f"needs Redis at {REDIS_TEST_URL} (.ci/run starts it)")
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=REDIS_TEST_URL, result_backend=REDIS_TEST_URL, task_always_eager=False)
    try:
        yield app
    finally:
        app.conf.update(saved)
        app.pool.force_close_all()


def test_a_task_crosses_the_redis_broker_to_a_worker(redis_app):
    with start_worker(redis_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        result = ping.delay()
        assert not isinstance(result, EagerResult)  # sent through Redis, not run in place
        assert result.get(timeout=20) == "pong"
        assert result.successful()
