"""gunicorn settings for `web` in the Procfile. Why each one: README, "Serving".

gevent workers: a connection costs a greenlet, not a thread or a process, so clients that send
their headers a byte a second cannot occupy every worker; the head of each request must arrive
within `keepalive` seconds (gunicorn's async workers bound it so) or the connection is closed.
argon2 sign-ins run in gevent's thread pool, one at a time per worker (accounts.py), and
wrong passwords are throttled per address and name (staff/auth.py), so a sign-in flood cannot
take the CPU the webhooks need. A buffering reverse proxy in front (nginx, Caddy, a platform's
router) is still recommended: README.

Health (hotline/health.py): point the load balancer at GET /readyz (503 until a worker process
has loaded the app and reaches Redis), a supervisor at /livez, monitoring at /healthz.
"""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '5000')}"
wsgi_app = "hotline.app:create_app()"
worker_class = "gevent"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_connections = int(os.environ.get("HOTLINE_WORKER_CONNECTIONS", "1000"))
keepalive = 5  # seconds: also the limit for a request's headers to arrive in full
timeout = 30  # a worker silent this long is restarted
graceful_timeout = 20
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190
# Request lines without their query string (a staff page's ?where= is where someone is).
accesslog = os.environ.get("HOTLINE_ACCESS_LOG", "-")
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
