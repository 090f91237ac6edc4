"""The staff dashboard at /staff: sign in, the queue, conversations (issue 5)."""

from hotline.staff import admin, reports, workspace  # noqa: F401,E402 - their routes join the blueprint
from hotline.staff.views import bp

__all__ = ["bp"]
