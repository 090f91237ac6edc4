"""The translation workflow (issue 15 item 6): export a language as a PO file, a reviewer
edits it (here with polib, as Poedit would), import it back: flows/ changes only where the
text changed, comments and layout kept, the review recorded; a bad file writes nothing."""

from __future__ import annotations

import datetime
import difflib
import shutil
from pathlib import Path

import polib
import pytest

from hotline.languages.translations import TranslationError, export_po, import_po
from tests.conftest import ROOT

CONTEXT = {"program": "Community Info Line"}
TODAY = datetime.date(2026, 11, 29)


@pytest.fixture()
def flows(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", target)
    return target


def exported(flows: Path, tmp_path: Path, language: str = "es") -> tuple[Path, polib.POFile]:
    path = tmp_path / f"{language}.po"
    export_po(flows, language).save(str(path))
    return path, polib.pofile(str(path), wrapwidth=0)


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]  # fmt: skip


def test_export_has_one_entry_per_text_with_its_place_and_drafts_fuzzy(flows, tmp_path):
    _, po = exported(flows, tmp_path)
    help_text = po.find("sms.yaml:messages.help", by="msgctxt")
    assert help_text.msgid.startswith("{program}: free, private info")
    assert help_text.msgstr.startswith("{program}: informacion gratuita")
    assert "fuzzy" in help_text.flags  # Spanish is a draft
    assert help_text.occurrences[0][0] == "flows/sms.yaml"
    assert po.find("voice.yaml:nodes.main_menu.text", by="msgctxt") is not None
    assert po.find("resources.yaml:labels.call", by="msgctxt") is not None
    assert len({e.msgctxt for e in po}) == len(po)


def test_round_trip_changes_only_the_edited_text_and_keeps_comments(flows, tmp_path):
    path, po = exported(flows, tmp_path)
    before = {name: (flows / name).read_text() for name in ("sms.yaml", "hotline.yaml")}
    entry = po.find("sms.yaml:messages.language_set", by="msgctxt")
    entry.msgstr = "Listo: español."
    po.save(str(path))
    done = import_po(path, flows, "Ana Souza", ROOT / "data", CONTEXT, TODAY)
    assert done.changed == 1 and done.review == "draft"  # entries are still fuzzy
    after = (flows / "sms.yaml").read_text()
    assert changed_lines(before["sms.yaml"], after) == [
        '-    es: "Listo, español."', '+    es: "Listo: español."',
    ]  # fmt: skip
    assert after.count("#") == before["sms.yaml"].count("#")  # every comment kept
    assert (flows / "hotline.yaml").read_text() == before["hotline.yaml"]


def test_no_entry_left_fuzzy_records_the_reviewer_and_date(flows, tmp_path):
    path, po = exported(flows, tmp_path)
    for entry in po:
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
    po.save(str(path))
    before = (flows / "hotline.yaml").read_text()
    done = import_po(path, flows, "Ana Souza", ROOT / "data", CONTEXT, TODAY)
    assert done.review == "reviewed" and done.fuzzy == 0
    after = (flows / "hotline.yaml").read_text()
    [old, new] = changed_lines(before, after)
    assert old.startswith("-    review: {status: draft}  # written by the team")
    signed = '{status: reviewed, reviewer: "Ana Souza", date: "2026-11-29"}'
    assert new.startswith(f"+    review: {signed}  # written by the team")
    from hotline.flows import load_checked

    review = load_checked(flows, CONTEXT).languages["es"].review
    assert (review.status, review.reviewer, review.date) == ("reviewed", "Ana Souza", "2026-11-29")


def test_a_bad_placeholder_is_a_file_line_error_and_nothing_is_written(flows, tmp_path):
    path, po = exported(flows, tmp_path)
    entry = po.find("sms.yaml:messages.help", by="msgctxt")
    entry.msgstr = entry.msgstr.replace("{program}", "{programa}")
    po.save(str(path))
    snapshot = {p.name: p.read_text() for p in flows.iterdir()}
    with pytest.raises(TranslationError) as caught:
        import_po(path, flows, "Ana Souza", ROOT / "data", CONTEXT, TODAY)
    line = polib.pofile(str(path)).find("sms.yaml:messages.help", by="msgctxt").linenum
    assert any(
        issue.startswith(
            f"{path}:{line}: sms.yaml:messages.help: unknown placeholder(s) ['programa']"
        )
        for issue in caught.value.issues
    ), caught.value.issues
    assert {p.name: p.read_text() for p in flows.iterdir()} == snapshot


def test_a_forbidden_claim_fails_like_flows_check_and_nothing_is_written(flows, tmp_path):
    path, po = exported(flows, tmp_path)
    entry = po.find("sms.yaml:messages.deleted", by="msgctxt")
    entry.msgstr = entry.msgstr.replace("llame al 911", "envíe un texto al 911")
    po.save(str(path))
    snapshot = (flows / "sms.yaml").read_text()
    with pytest.raises(TranslationError) as caught:
        import_po(path, flows, "Ana Souza", ROOT / "data", CONTEXT, TODAY)
    assert any("sms.yaml:" in i and "text_911" in i and f"{path}:" in i
               for i in caught.value.issues), caught.value.issues  # fmt: skip
    assert (flows / "sms.yaml").read_text() == snapshot


def test_the_cli_exports_and_imports(flows, tmp_path):
    from click.testing import CliRunner

    from hotline.cli import main as cli

    env = {"HOTLINE_ENV": "development", "HOTLINE_DATA_DIR": str(tmp_path / "state")}
    out = tmp_path / "es.po"
    result = CliRunner().invoke(cli, ["translations", "export", "es", "-o", str(out),
                                      "--dir", str(flows)], env=env)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "texts in es" in result.output
    result = CliRunner().invoke(cli, ["translations", "import", str(out), "--reviewer", "Ana",
                                      "--dir", str(flows)], env=env)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "0 text(s) written" in result.output and "review: draft" in result.output
