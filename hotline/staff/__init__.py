"""The staff dashboard at /staff: sign in, the queue, conversations (issue 5)."""

from hotline.staff.views import bp

__all__ = ["bp"]
