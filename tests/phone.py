"""A simulated texter for tests: signed Twilio Messaging webhooks in, reply texts out."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

from hotline.channels.twilio_auth import sign

TOKEN = "test-auth-token"
PUBLIC_URL = "https://hotline.example.org"
_sids = itertools.count(1)


def new_sid() -> str:
    return f"SM{next(_sids):032d}"


def message_texts(twiml: str) -> list[str]:
    root = ET.fromstring(twiml)
    assert root.tag == "Response"
    return [(m.text or "") for m in root.iter("Message")]


class Texter:
    def __init__(self, client, number: str = "+19785550123", token: str = TOKEN):
        self.client, self.number, self.token = client, number, token

    def form(self, body: str, sid: str | None = None) -> dict[str, str]:
        return {
            "From": self.number,
            "To": "+16175550100",
            "Body": body,
            "MessageSid": sid or new_sid(),
            "AccountSid": "AC" + "0" * 32,
            "NumMedia": "0",
            "NumSegments": "1",
        }

    def post(self, form: dict[str, str], signature: str | None = "auto", path: str = "/sms"):
        headers = {}
        if signature == "auto":
            signature = sign(PUBLIC_URL + path, form, self.token)
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        return self.client.post(path, data=form, headers=headers)

    def send(self, body: str, sid: str | None = None) -> list[str]:
        response = self.post(self.form(body, sid))
        assert response.status_code == 200, response.status_code
        assert response.mimetype == "text/xml"
        return message_texts(response.get_data(as_text=True))

    def reply(self, body: str) -> str:
        """All reply texts joined, for assertions on content."""
        return "\n".join(self.send(body))
