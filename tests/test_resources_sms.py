"""What a texter, a caller and an advocate get from "help near me" (issue 13).

Through the real webhooks: one lookup's first page is at most 2 SMS, every message and every
result opens neutrally, Spanish says MAS (and MORE still works), the police stay off the first
page, and the staff page shows every entry with what is known of its languages.
"""

from __future__ import annotations

import re

import pytest

from hotline.engine.segments import segment_count
from hotline.engine.text import normalize
from tests.caller import Caller
from tests.escalation_helpers import ask_for_person, only_id
from tests.phone import Texter
from tests.test_flows_words import revealing_words

NUMBERED = re.compile(r"^(\d+)\) ", re.MULTILINE)


def _first_words(text: str, n: int = 6) -> list[str]:
    return re.findall(r"[\w/]+", normalize(text))[:n]


def _lookup(texter: Texter, where: str, *, spanish: bool = False) -> list[str]:
    texter.send("ESPAÑOL" if spanish else "hello")
    texter.send("1")
    return texter.send(where)


def _results(texts: list[str]) -> list[str]:
    """The messages of the lookup itself: the ones holding numbered results."""
    return [t for t in texts if NUMBERED.search(t)]


@pytest.mark.parametrize("where", ["01852", "Lowell", "02139", "Cambridge"])
def test_first_page_is_at_most_two_discreet_sms_without_police(texter, where):
    texts = _lookup(texter, where)
    results = _results(texts)
    assert 1 <= len(results) <= 2, texts
    assert len(texts) <= 3, texts  # results (lead-in folded in) and the after-results menu
    assert all(segment_count(t) <= 2 for t in texts)
    banned = revealing_words("en")
    for text in texts:
        assert not set(_first_words(text)) & banned, text
    for text in results:
        for item in re.split(r"\n(?=\d+\) )", text):
            assert not set(_first_words(item)) & banned, item
    page = "\n".join(results)
    assert NUMBERED.findall(page) == ["1", "2", "3"]
    assert "888-373-7888 (24/7)" in page.split("\n2) ")[0]  # the 24/7 national line opens
    assert "Police" not in page and "ICE" not in page


def test_open_24_7_belongs_to_the_line_not_the_office(texter):
    page = "\n".join(_results(_lookup(texter, "01852")))
    item = page.split("1) ", 1)[1].split("\n3) ")[0]
    assert "Open 24/7" not in page
    assert "800-542-5212 (24/7" in item  # the hotline of the Center for Hope and Healing
    assert not re.search(r"978-452-7721 \([^)]*24/7", item)  # its office is not 24/7


def test_spanish_page_says_mas_and_both_mas_and_more_page_on(texter):
    texts = _lookup(texter, "01852", spanish=True)
    joined = "\n".join(texts)
    assert "MAS" in joined and "MORE" not in joined
    assert "texto al 911" not in normalize(joined)
    second = _results(texter.send("MAS"))
    assert NUMBERED.findall("\n".join(second))[0] == "4"
    third = _results(texter.send("MORE"))
    assert NUMBERED.findall("\n".join(third))[0] == "7"


def test_spanish_page_never_tells_anyone_to_text_911(client):
    for i, where in enumerate(("02139", "Pittsfield", "03060")):
        texter = Texter(client, number=f"+1978555{i:04d}")  # one number each: no slow-down
        texts = _lookup(texter, where, spanish=True)
        for _ in range(8):
            texts += texter.send("MAS")
        said = normalize("\n".join(texts))
        assert "llame al 911" in said
        assert not re.search(r"text\w*[^.;]{0,15}\b911\b", said), where


def test_voice_reads_the_crisis_lines_first(client):
    caller = Caller(client)
    caller.call()
    caller.press("1")
    caller.press("2")
    heard = caller.press("01852#")
    assert heard.startswith("1. National Human Trafficking Hotline")
    assert "Police" not in heard.split("To hear this again")[0]


def test_staff_page_keeps_every_entry_and_says_unknown_for_unknown_languages(
    ana, client, redis_client
):
    spanish = Texter(client, number="+19785550166")
    spanish.send("ESPAÑOL")
    ask_for_person(spanish, "SI", "CUALQUIERA")
    html = ana.get(f"/staff/e/{only_id(redis_client)}/resources?where=01852").get_data(as_text=True)
    items = re.findall(r"<li>(.*?)</li>", html, re.S)
    assert len(items) >= 5, html  # not emptied by the texter's language
    assert "Spanish: unknown" in html  # most entries do not record their languages
    assert "Spanish: yes" in html  # the national line does
    assert "Spanish: no" not in html and "does not speak" not in html
