"""What the production server needs from the app: a deadline on reading request bodies.

gunicorn's gevent workers (gunicorn.conf.py) close a connection whose headers have not arrived
within `keepalive` seconds, but a body is read later, by the app. A client that sends a
Content-Length and then a byte a second would hold its connection for as long as it likes;
enough of them use up a worker's connections. BodyDeadline reads the whole body first, within
BODY_SECONDS, and answers 408 otherwise. Only under gevent (the production server) can a read be
interrupted like this; elsewhere (the development server, tests) it passes requests through.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterable

BODY_SECONDS = float(os.environ.get("HOTLINE_BODY_SECONDS", "10"))
MAX_BODY = 64 * 1024  # as Flask's MAX_CONTENT_LENGTH: larger bodies are Flask's to refuse (413)


class BodyDeadline:
    """WSGI middleware: the request body in full within `seconds`, or 408 Request Timeout."""

    def __init__(self, app: Callable, seconds: float = BODY_SECONDS, limit: int = MAX_BODY):
        self.app, self.seconds, self.limit = app, seconds, limit

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        monkey = sys.modules.get("gevent.monkey")
        declared = str(environ.get("CONTENT_LENGTH") or "")
        length = int(declared) if declared.isdigit() else 0
        if monkey is None or not monkey.is_module_patched("socket") or not 0 < length <= self.limit:
            return self.app(environ, start_response)
        import gevent

        try:
            with gevent.Timeout(self.seconds):
                body = environ["wsgi.input"].read(length)
        except gevent.Timeout:
            start_response("408 Request Timeout", [("Content-Type", "text/plain"),
                                                   ("Connection", "close")])  # fmt: skip
            return [b"The request took too long to arrive.\n"]
        environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)
