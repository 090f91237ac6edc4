"""REDIS_URL: one server, a Sentinel-watched service (redis-py's Sentinel), never a cluster."""

from __future__ import annotations

import subprocess
import sys

import pytest
import redis

from hotline.store import RedisConfigError, connect, limiter_storage, parse_url
from tests import conftest
from tests.processes import ROOT, free_port, production_env
from tests.redis_servers import Server


def test_a_sentinel_url_names_its_sentinels_service_database_and_passwords():
    target = parse_url(
        "redis+sentinel://:s%40cret@10.0.0.1:26379,10.0.0.2,sentinel-3.internal:26380"
        "/hotline/2?sentinel_password=watch"
    )
    assert target.sentinel
    assert target.sentinels == (("10.0.0.1", 26379), ("10.0.0.2", 26379),
                                ("sentinel-3.internal", 26380))  # fmt: skip
    assert (target.service, target.db) == ("hotline", 2)
    assert (target.username, target.password, target.sentinel_password) == (None, "s@cret", "watch")
    assert not target.ssl


def test_rediss_sentinel_uses_tls_with_its_options_and_a_user():
    target = parse_url("rediss+sentinel://app:pw@h1:26379/main?ssl_cert_reqs=required")
    assert target.ssl and target.ssl_options == {"ssl_cert_reqs": "required"}
    assert (target.username, target.password, target.db) == ("app", "pw", 0)
    uri, options = limiter_storage("rediss+sentinel://app:pw@h1:26379/main")
    assert uri == "redis+sentinel://h1:26379/main"
    assert options["password"] == "pw" and options["ssl"] is True
    assert options["use_replicas"] is False  # sign-in counts never read from a lagging replica


@pytest.mark.parametrize(
    "url", ["redis+sentinel://h1:26379", "redis+sentinel:///svc", "redis+sentinel://h1/svc/x",
            "redis+sentinel://h1:port/svc"],
)  # fmt: skip
def test_a_malformed_sentinel_url_is_refused_with_its_form(url):
    with pytest.raises(RedisConfigError, match="host:port|Sentinel address"):
        parse_url(url)


def test_plain_urls_go_to_redis_py_unchanged():
    for url in ("redis://localhost:6379/0", "rediss://:pw@host:6380/1", "unix:///tmp/r.sock"):
        assert parse_url(url).url == url and not parse_url(url).sentinel


@pytest.mark.parametrize("url", ["redis+cluster://h1:7000,h2:7001", "rediss+cluster://h1:7000"])
def test_a_cluster_url_fails_at_start_with_a_clear_message(url, tmp_path, redis_url):
    from hotline.app import create_app

    with pytest.raises(RedisConfigError, match="Redis Cluster.*redis\\+sentinel"):
        create_app(environ=conftest.test_environ(redis_url, tmp_path, REDIS_URL=url))
    env = production_env(url, tmp_path)
    for command in (["worker"], ["purge"]):
        done = subprocess.run([sys.executable, "-m", "hotline.cli", *command], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert done.returncode == 1
        assert "Redis Cluster" in done.stderr and "Traceback" not in done.stderr


def test_a_server_in_cluster_mode_is_refused_at_start(tmp_path):
    from hotline.app import create_app

    # the cluster bus listens on port + 10000, so the port must leave room for it
    port = free_port(below=65536 - 10000)
    server = Server(tmp_path, "cluster", port=port).start("--cluster-enabled", "yes")
    try:
        url = f"redis://127.0.0.1:{server.port}/0"
        with pytest.raises(RedisConfigError, match="cluster mode on"):
            create_app(environ=conftest.test_environ(url, tmp_path))
    finally:
        server.stop()


def test_a_sentinel_client_follows_the_master_sentinel_names(replicated):
    client = connect(replicated.url, timeout=2.0)
    client.set("hotline:probe", "1")
    master = replicated.node(replicated.master_port())
    with master.client() as direct:
        assert direct.get("hotline:probe") == "1"
        assert direct.execute_command("ROLE")[0] == "master"
    replica = next(n for n in replicated.nodes if n is not master)
    with pytest.raises(redis.ResponseError):  # the replica refuses writes: not where we wrote
        replica.client().set("hotline:probe", "2")
