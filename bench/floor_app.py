"""The floor: a bare Flask endpoint that only checks the Twilio signature and returns fixed TwiML.

No signature-checking Flask app on this machine can be faster than this; the hotline's
throughput is reported as a ratio to it (bench/sms_load.py).
"""

from __future__ import annotations

import os

from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse


def create_floor_app() -> Flask:
    app = Flask(__name__)
    validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
    public = os.environ["HOTLINE_PUBLIC_URL"]

    @app.post("/sms")
    def sms():
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(public + "/sms", request.form.to_dict(), signature):
            abort(403)
        reply = MessagingResponse()
        reply.message("Community Info Line. Reply with a number: 1 Help near me 2 Talk to a person")
        return Response(str(reply), mimetype="text/xml")

    return app
