"""The staff dashboard at /staff: sign in, the queue, conversations (issue 5)."""

from hotline.staff import workspace  # noqa: F401  (its routes join the blueprint)
from hotline.staff.views import bp

__all__ = ["bp"]
