"""A phone for development: signs webhooks with the app's own token and posts them in-process.

Used by `hotline sms`, `hotline call` and the simulator, so each goes through the real app,
signature checks included.
"""

from __future__ import annotations

import itertools
import time
import xml.etree.ElementTree as ET

from flask import Flask

from hotline.channels.twilio_auth import sign

_counter = itertools.count(1)


def fake_sid(prefix: str) -> str:
    return f"{prefix}{int(time.time() * 1000):016x}{next(_counter):016x}"


class DevPhone:
    def __init__(self, app: Flask):
        self.app = app
        self.client = app.test_client()
        settings = app.extensions["hotline.settings"]
        self.token = settings.twilio_auth_token
        self.base = settings.public_url or "http://localhost"

    @classmethod
    def for_cli(cls) -> DevPhone:
        import os

        from hotline.app import create_app

        os.environ.setdefault("HOTLINE_ENV", "development")
        return cls(create_app())

    def post(self, path: str, form: dict[str, str]):
        """POST a form signed for the app's public URL, as Twilio would."""
        signature = sign(self.base + path, form, self.token)
        return self.client.post(path, data=form, headers={"X-Twilio-Signature": signature})

    def text(self, body: str, sender: str, to: str = "+10000000000") -> list[str]:
        return self.exchange(body, sender, to)[0]

    def exchange(self, body: str, sender: str, to: str = "+10000000000") -> tuple[list[str], str]:
        """One text: the replies, and why there were none when the app withheld them
        (the app's X-Hotline-Withheld header, development and test only)."""
        form = {
            "From": sender,
            "To": to,
            "Body": body,
            "MessageSid": fake_sid("SM"),
            "AccountSid": "AC" + "0" * 32,
            "NumMedia": "0",
            "NumSegments": "1",
        }
        response = self.post("/sms", form)
        if response.status_code != 200:
            return [f"[HTTP {response.status_code}]"], ""
        root = ET.fromstring(response.get_data(as_text=True))
        withheld = response.headers.get("X-Hotline-Withheld", "")
        return [m.text or "" for m in root.iter("Message")], withheld
