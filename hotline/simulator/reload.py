"""Flow authors' loop: reload flows/ and data/ when their files change, if they still check.

A change is looked for at most once a second, on a request, in development only. The new
flows go live only after `load_checked` (the same lint as `hotline flows check`) and the
resource index build both succeed; otherwise the last good flows stay and the start page
shows the errors.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis
from flask import Flask

from hotline import flows as flow_files
from hotline.flows import FlowLoadError, load_checked
from hotline.resources import ensure_index, load_labels
from hotline.resources.directory import DirectoryError
from hotline.resources.format import LABELS_FILE

log = logging.getLogger(__name__)
EXTENSION = "hotline.reload"


def stamp(*folders: Path) -> tuple:
    """Every file's path, size and modification time: any edit, add or delete changes it."""
    files = []
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                info = path.stat()
                files.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(files)


@dataclass
class FlowWatcher:
    """Swaps app.extensions["hotline.flows"] when flows/ or data/ change and still check."""

    app: Flask
    interval: float = 1.0
    errors: list[str] = field(default_factory=list)
    loaded_at: float = field(default_factory=time.time)
    reloads: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._checked = time.monotonic()
        self._stamp = stamp(*self._folders())

    def _folders(self) -> tuple[Path, Path]:
        settings = self.app.extensions["hotline.settings"]
        return Path(settings.flows_dir), Path(settings.resources_dir)

    def poll(self) -> None:
        """Reload if a file changed since the last look (at most one look per interval)."""
        now = time.monotonic()
        if now - self._checked < self.interval or not self._lock.acquire(blocking=False):
            return
        try:
            self._checked = now
            current = stamp(*self._folders())
            if current != self._stamp:
                self._stamp = current
                self.reload()
        finally:
            self._lock.release()

    def reload(self) -> bool:
        """Load and check everything; go live only if all of it passes."""
        settings = self.app.extensions["hotline.settings"]
        flows_dir, resources_dir = self._folders()
        try:
            hotline = load_checked(flows_dir, {"program": settings.program_name}, resources_dir)
            companions = self._companions(flows_dir, hotline)
            ensure_index(self.app.extensions["hotline.redis"], resources_dir)
        except FlowLoadError as exc:
            return self._failed([str(issue) for issue in exc.issues])
        except DirectoryError as exc:
            return self._failed(str(exc).splitlines())
        except redis.RedisError:
            return self._failed(["Redis unavailable: the resource index was not rebuilt"])
        except Exception as exc:  # noqa: BLE001 - an author's broken file must not break serving
            return self._failed([f"{type(exc).__name__}: {exc}"])
        self.app.extensions.update({"hotline.flows": hotline, **companions})
        self.errors, self.loaded_at, self.reloads = [], time.time(), self.reloads + 1
        log.info("flows and resource directory reloaded")
        return True

    @staticmethod
    def _companions(flows_dir: Path, hotline) -> dict:
        """What create_app derives from the flows besides them (the danger lexicon, if any),
        and the directory's words (flows/resources.yaml), read again."""
        load_lexicon = getattr(flow_files, "load_lexicon", None)
        out = {"hotline.lexicon": load_lexicon(flows_dir, hotline)} if load_lexicon else {}
        if (Path(flows_dir) / LABELS_FILE).exists():
            out["hotline.resource_labels"] = load_labels(Path(flows_dir))
        return out

    def _failed(self, errors: list[str]) -> bool:
        self.errors = errors
        log.warning("flow reload refused (%d problem(s)); the last good flows stay", len(errors))
        return False


def watch(app: Flask, interval: float = 1.0) -> FlowWatcher:
    """Install the watcher (development only) as a before-request hook."""
    if not app.extensions["hotline.settings"].development:
        raise RuntimeError("flow reloading is for development only")
    watcher = FlowWatcher(app, interval)
    app.extensions[EXTENSION] = watcher
    app.before_request(watcher.poll)
    return watcher
