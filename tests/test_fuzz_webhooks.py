"""Arbitrary form bodies at the webhooks: always well-formed TwiML with status 200 or 403."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.channels.twilio_auth import sign
from tests.phone import PUBLIC_URL, TOKEN

FIELDS = ["From", "To", "Body", "MessageSid", "AccountSid", "NumMedia", "CallSid", "Digits",
          "SpeechResult", "CallStatus", "Confidence"]  # fmt: skip
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
forms = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=20), text, max_size=8)
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def well_formed(response) -> None:
    assert response.status_code in (200, 403), response.status_code
    root = ET.fromstring(response.get_data())
    assert root.tag == "Response"


def webhook_paths(app) -> list[str]:
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    return [path for path in ("/sms", "/voice") if path in rules]


@FUZZ
@given(form=forms, signed=st.booleans(), pick=st.integers(min_value=0, max_value=1))
def test_any_form_gets_twiml(app, form, signed, pick):
    client = app.test_client()
    paths = webhook_paths(app)
    path = paths[pick % len(paths)]
    headers = {"X-Twilio-Signature": sign(PUBLIC_URL + path, form, TOKEN)} if signed else {}
    response = client.post(path, data=form, headers=headers)
    well_formed(response)
    if not signed:
        assert response.status_code == 403


@FUZZ
@given(body=text)
def test_any_body_from_a_texter_gets_an_answer(texter, body):
    texts = texter.send(body)
    assert isinstance(texts, list)
