"""Try it without a phone (issue 7): start page, browser phone simulator, flow reloading.

Development only: every view answers 404 unless HOTLINE_ENV is development (or test).
"""

from hotline.simulator.views import bp

__all__ = ["bp"]
