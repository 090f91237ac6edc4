"""X-Twilio-Signature checks, through the twilio package's RequestValidator only."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from flask import Response, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from hotline import current

log = logging.getLogger(__name__)


def public_url() -> str:
    """The URL Twilio called: HOTLINE_PUBLIC_URL's origin behind a proxy, else what Flask saw."""
    base = current.settings().public_url
    if not base:
        return request.url
    query = request.query_string.decode()
    return base + request.path + (f"?{query}" if query else "")


def signature_valid() -> bool | None:
    """True/False for a signed request; None when there is no signature at all."""
    signature = request.headers.get("X-Twilio-Signature")
    if signature is None:
        return None
    validator = RequestValidator(current.settings().twilio_auth_token)
    return validator.validate(public_url(), request.form.to_dict(), signature)


def twilio_only(view: Callable) -> Callable:
    """403 (with an empty TwiML document) for a bad or missing signature.

    In development an unsigned request passes, with a warning each time.
    """

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        valid = signature_valid()
        if valid is None and current.settings().env == "development":
            log.warning("UNSIGNED request to %s accepted: development mode only", request.path)
        elif not valid:
            log.warning("rejected request to %s: bad or missing Twilio signature", request.path)
            return Response(str(MessagingResponse()), status=403, mimetype="text/xml")
        return view(*args, **kwargs)

    return wrapped


def sign(url: str, params: dict[str, str], token: str) -> str:
    """The signature Twilio would send (for the CLI, simulator and tests)."""
    return RequestValidator(token).compute_signature(url, params)
