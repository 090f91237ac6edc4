"""Languages as texters and operators meet them (issue 15): review status, switching a
language off, and the language found from a first message."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from hotline.cli import main as cli
from tests.conftest import ROOT
from tests.test_round_trips import round_trips


def run_check(flows_dir: Path):
    from click.testing import CliRunner

    state = tempfile.mkdtemp(prefix="hotline-state-")
    env = {"HOTLINE_ENV": "development", "HOTLINE_DATA_DIR": state}
    return CliRunner().invoke(cli, ["flows", "check", "--dir", str(flows_dir)], env=env)


def flows_copy(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", target)
    return target


# -- review status ---------------------------------------------------------------------------
def test_flows_check_lists_draft_languages_as_warnings_and_still_passes():
    result = run_check(ROOT / "flows")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "flows OK"
    assert any("warning: language 'es' (Español) is a draft" in line for line in lines[1:])
    assert all("hotline.yaml:" in line for line in lines[1:])


def test_a_reviewed_language_is_no_longer_a_warning(tmp_path):
    flows = flows_copy(tmp_path)
    path = flows / "hotline.yaml"
    text = path.read_text()
    assert "    review: {status: draft}  # written by the team" in text
    path.write_text(text.replace(
        "    review: {status: draft}  # written by the team",
        "    review: {status: reviewed, reviewer: Ana Souza, date: 2026-11-20}  #",
        1,
    ))  # fmt: skip
    result = run_check(flows)
    assert result.exit_code == 0, result.output
    assert "'es'" not in result.output


def test_a_reviewed_language_without_a_reviewer_fails_the_check(tmp_path):
    flows = flows_copy(tmp_path)
    path = flows / "hotline.yaml"
    path.write_text(path.read_text().replace(
        "    review: {status: draft}  # written by the team", "    review: {status: reviewed}  #", 1
    ))  # fmt: skip
    result = run_check(flows)
    assert result.exit_code == 1
    assert "names its reviewer and date" in result.output


def test_the_start_page_shows_each_language_with_its_review_status(make_app):
    html = make_app(HOTLINE_LANGUAGES_OFF="es").test_client().get("/").get_data(as_text=True)
    table = html.split('id="languages"', 1)[1].split("</table>", 1)[0]
    rows = {row.split('data-code="', 1)[1][:2]: row for row in table.split("<tr")[2:]}
    assert "source language" in rows["en"] and ">on<" in rows["en"]
    assert "draft: not yet reviewed" in rows["es"] and "off (HOTLINE_LANGUAGES_OFF)" in rows["es"]


# -- switched off ----------------------------------------------------------------------------
def test_a_language_switched_off_is_not_detected_offered_or_kept(make_app):
    from tests.phone import Texter

    texter = Texter(make_app(HOTLINE_LANGUAGES_OFF="es").test_client())
    first = texter.reply("hola")
    assert "Emergency" in first and "Emergencia" not in first  # not detected: English
    menu = texter.reply("6")
    assert "1 English" in menu and "Español" not in menu  # not offered
    assert "Responda" not in texter.reply("2")  # the Spanish option is gone: not understood
    assert "Responda" not in texter.reply("ESPAÑOL")  # its language keyword switches nothing


def test_keywords_of_a_language_switched_off_still_work_in_the_default(make_app):
    from tests.phone import Texter

    texter = Texter(make_app(HOTLINE_LANGUAGES_OFF="es").test_client())
    texter.send("hello")
    stopped = texter.reply("PARAR")
    assert "unsubscribed" in stopped  # the opt-out holds, said in English
    assert texter.send("hello") == []
    assert "subscribed again" in texter.reply("COMENZAR")


def test_a_session_in_a_language_switched_off_goes_on_in_the_default(make_app):
    from tests.phone import Texter

    on = make_app()
    texter = Texter(on.test_client())
    assert "Responda" in texter.reply("ESPAÑOL")
    texter.client = make_app(HOTLINE_LANGUAGES_OFF="es").test_client()  # same Redis, switched off
    assert "Reply with a number" in texter.reply("MENU")


# -- the first message -----------------------------------------------------------------------
def test_a_spanish_greeting_is_answered_in_spanish_with_a_way_back(texter):
    replies = texter.send("hola")
    assert replies[0].startswith("Community Info Line. Responda con un numero")
    assert replies[-1].endswith("English? Reply ENGLISH")
    back = texter.reply("ENGLISH")
    assert "Reply with a number" in back and "English? Reply" not in back


def test_a_spanish_sentence_is_answered_in_spanish(texter):
    reply = texter.reply("mi jefe tiene mi pasaporte, que hago")  # their own words: a person
    assert reply.startswith("Gracias por contarnos") and reply.endswith("English? Reply ENGLISH")


def test_an_english_first_message_has_no_way_back_line(texter):
    reply = texter.reply("hello")
    assert "Reply with a number" in reply and "English?" not in reply


def test_detection_runs_only_while_there_is_no_language(texter):
    texter.send("hello")
    assert "Responda" not in texter.reply("hola")  # an English session stays English


def test_a_detected_first_message_costs_at_most_two_round_trips(texter):
    for number, body in (("+19785550101", "hola"), ("+19785550102", "quien es usted")):
        texter.number = number  # a new texter each time: no language yet
        with round_trips() as count:
            assert "Responda" in texter.reply(body)  # a greeting; py3langid
        assert count[0] <= 2, body


FIRST_MESSAGES = {
    "km": "ជួយខ្ញុំផង",
    "pt": "Preciso de ajuda, por favor",
    "ht": "Mwen bezwen èd",
    "vi": "Tôi cần giúp đỡ",
    "es": "hola",
}


def language_of_reply(app, text: str) -> set[str]:
    """The languages whose flow texts (filled) open as this reply does."""
    from hotline.engine.text import fill

    with app.app_context():
        from hotline import current

        hotline, program = current.flows(), current.settings().program_name
    found = set()
    for flow in hotline.flows.values():
        texts = [*flow.messages.values()]
        for node in flow.nodes.values():
            texts += [getattr(node, f) for f in ("text", "invalid") if getattr(node, f, None)]
        for by_lang in texts:
            for lang, value in by_lang.items():
                opening = fill(value, {"program": program})[:24]
                if text.startswith(opening):
                    found.add(lang)
    return found


@pytest.mark.parametrize("lang", list(FIRST_MESSAGES))
def test_a_first_message_is_answered_in_its_language_with_a_way_back(app, lang):
    from tests.phone import Texter

    replies = Texter(app.test_client()).send(FIRST_MESSAGES[lang])
    assert lang in language_of_reply(app, replies[0]), replies
    assert "en" not in language_of_reply(app, replies[0]), replies
    assert replies[-1].endswith("English? Reply ENGLISH")


def test_khmer_and_creole_switched_off(make_app):
    from tests.phone import Texter

    texter = Texter(make_app(HOTLINE_LANGUAGES_OFF="km,ht").test_client())
    first = texter.reply("សួស្តី")  # hello
    assert first.startswith("Community Info Line. Reply with a number") and "English?" not in first
    menu = texter.reply("6")
    assert "3 Português" in menu and "ខ្មែរ" not in menu and "Kreyòl" not in menu
    assert "unsubscribed" in texter.reply("ឈប់")  # Khmer STOP still opts out, in English
    other = Texter(texter.client, number="+19785550177")
    urgent = other.reply("ជួយខ្ញុំផង")  # "help me!": danger in Khmer is still read
    assert urgent.startswith("Thanks for writing. If you are in danger now, call or text 911")


def test_switching_off_an_unknown_or_the_default_language_is_said_at_start(make_app, caplog):
    app = make_app(HOTLINE_LANGUAGES_OFF="xx,en,km")
    assert "not declared in flows/; ignored" in caplog.text and "'en' stays on" in caplog.text
    with app.app_context():
        from hotline import current

        assert "en" in current.flows().languages and "km" not in current.flows().languages
