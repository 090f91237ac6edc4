"""`hotline flows check`: each lint caught on a fixture broken in exactly one way."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from hotline.cli import main
from hotline.flows import check

FIXTURE = Path(__file__).parent / "fixtures" / "flows_min"
SHIPPED = Path(__file__).parent.parent / "flows"


@pytest.fixture()
def flows_dir(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(FIXTURE, target)
    return target


def edit(flows_dir: Path, change, name: str = "sms.yaml") -> None:
    path = flows_dir / name
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def messages(flows_dir: Path) -> list[str]:
    return [str(issue) for issue in check(flows_dir, {"program": "Info Line"})]


def test_the_fixture_and_the_shipped_flows_are_clean(flows_dir):
    assert messages(flows_dir) == []
    assert messages(SHIPPED) == []


def test_cli_exits_nonzero_with_file_and_line(flows_dir):
    edit(flows_dir, lambda d: d["nodes"]["menu"]["options"][0].update(next="nowhere"))
    result = CliRunner().invoke(main, ["flows", "check", "--dir", str(flows_dir)])
    assert result.exit_code == 1
    assert f"{flows_dir / 'sms.yaml'}:" in result.output
    assert "nodes.menu.options.0.next: unknown target 'nowhere'" in result.output


def test_cli_passes_on_shipped_flows():
    result = CliRunner().invoke(main, ["flows", "check", "--dir", str(SHIPPED)])
    assert result.exit_code == 0, result.output


def test_unknown_target(flows_dir):
    edit(flows_dir, lambda d: d["nodes"]["ask"].update(next="ghost"))
    assert any("nodes.ask.next: unknown target 'ghost'" in m for m in messages(flows_dir))


def test_unreachable_node(flows_dir):
    def add_orphan(d):
        d["nodes"]["orphan"] = {"kind": "goto", "next": "menu"}

    edit(flows_dir, add_orphan)
    assert any("nodes.orphan: unreachable" in m for m in messages(flows_dir))


def test_no_way_back_to_the_main_menu(flows_dir):
    def trap(d):
        d["nodes"]["menu"]["options"][1]["next"] = "trap"
        d["nodes"]["trap"] = {
            "kind": "menu",
            "text": {"en": "Stuck.", "es": "Atrapado."},
            "invalid": {"en": "Stuck.", "es": "Atrapado."},
            "silence": {"en": "Stuck.", "es": "Atrapado."},
            "options": [{"key": "1", "next": "trap"}],
        }
        del d["nodes"]["bye"]
        d["nodes"]["ask"]["next"] = "trap"

    edit(flows_dir, trap)
    found = messages(flows_dir)
    assert any("nodes.trap: no way back to the main menu" in m for m in found)


def test_question_without_a_path_for_an_invalid_answer(flows_dir):
    edit(flows_dir, lambda d: d["nodes"]["ask"].pop("invalid"))
    assert any("nodes.ask: no path for an invalid answer" in m for m in messages(flows_dir))


def test_question_without_a_path_for_silence(flows_dir):
    edit(flows_dir, lambda d: d["nodes"]["ask"].pop("on_silence"))
    assert any("nodes.ask: no path for silence" in m for m in messages(flows_dir))


def test_text_missing_in_a_declared_language(flows_dir):
    edit(flows_dir, lambda d: d["nodes"]["bye"]["text"].pop("es"))
    assert any(
        "nodes.bye.text: missing text in declared language 'es'" in m for m in messages(flows_dir)
    )


def test_a_new_language_is_a_data_change_the_linter_guides(flows_dir):
    edit(flows_dir, lambda d: d["languages"].update(pt={"name": "Português"}), "hotline.yaml")
    found = messages(flows_dir)
    assert any("missing text in declared language 'pt'" in m for m in found)
    assert any("no help keywords for 'pt'" in m for m in found)


def test_sms_text_longer_than_two_gsm_segments(flows_dir):
    edit(flows_dir, lambda d: d["nodes"]["bye"]["text"].update(en="a" * 307))
    assert any("nodes.bye.text.en: SMS text is 3 segments" in m for m in messages(flows_dir))


def test_two_gsm_segments_are_allowed(flows_dir):
    edit(flows_dir, lambda d: d["nodes"]["bye"]["text"].update(en="a" * 306))
    assert messages(flows_dir) == []


def test_one_non_gsm_character_makes_it_ucs2(flows_dir):
    edit(flows_dir, lambda d: d["nodes"]["bye"]["text"].update(es="á" + "a" * 134))
    assert any("nodes.bye.text.es: SMS text is 3 segments" in m for m in messages(flows_dir))
    edit(flows_dir, lambda d: d["nodes"]["bye"]["text"].update(es="á" + "a" * 133))
    assert messages(flows_dir) == []


def test_schema_error_names_file_line_node_and_field(flows_dir):
    edit(flows_dir, lambda d: d["nodes"]["menu"]["options"][0].pop("next"))
    [issue] = check(flows_dir)
    assert issue.file.name == "sms.yaml" and issue.line > 1
    assert "nodes.menu.options.0.next: Field required" in issue.message


def test_unknown_field_is_an_error(flows_dir):
    edit(flows_dir, lambda d: d["nodes"]["bye"].update(txet={"en": "typo"}))
    assert any("nodes.bye.end.txet" in m or "nodes.bye.txet" in m for m in messages(flows_dir))


def test_unknown_placeholder(flows_dir):
    edit(flows_dir, lambda d: d["nodes"]["bye"]["text"].update(en="Bye {nmae}"))
    assert any("unknown placeholder(s) ['nmae']" in m for m in messages(flows_dir))


def test_loop_without_a_question(flows_dir):
    def spin(d):
        d["nodes"]["menu"]["options"][1]["next"] = "a"
        d["nodes"]["a"] = {"kind": "goto", "next": "b"}
        d["nodes"]["b"] = {"kind": "goto", "next": "a"}

    edit(flows_dir, spin)
    assert any("loops forever" in m for m in messages(flows_dir))


def test_broken_yaml_gives_its_line(flows_dir):
    (flows_dir / "sms.yaml").write_text("id: sms\nnodes: [\n  oops: {\n")
    [issue] = check(flows_dir)
    assert "not valid YAML" in issue.message and issue.line >= 2


def _discreet(d):
    d["discretion"] = {"first_words": 4, "revealing": {"en": ["trafficking"], "es": ["trata"]}}


def test_a_reply_that_opens_with_a_revealing_word(flows_dir):
    edit(flows_dir, _discreet, "hotline.yaml")
    assert messages(flows_dir) == []
    edit(flows_dir, lambda d: d["nodes"]["bye"]["text"].update(en="Trafficking info: bye. 911."))
    assert any(
        "nodes.bye.text.en: reply opens with revealing word(s) ['trafficking']" in m
        for m in messages(flows_dir)
    )


def test_a_revealing_word_later_in_the_text_is_fine(flows_dir):
    edit(flows_dir, _discreet, "hotline.yaml")
    edit(
        flows_dir,
        lambda d: d["nodes"]["bye"]["text"].update(en="Bye for now, friend. Trafficking: 911."),
    )
    assert messages(flows_dir) == []


def test_the_program_name_counts_as_the_first_words(flows_dir):
    edit(flows_dir, _discreet, "hotline.yaml")
    edit(flows_dir, lambda d: d["nodes"]["menu"]["text"].update(en="{program}: reply 1 or 2."))
    assert messages(flows_dir) == []
    found = [str(i) for i in check(flows_dir, {"program": "Trafficking Hotline"})]
    assert any("nodes.menu.text.en: reply opens with revealing" in m for m in found)


def test_an_sms_lookup_needs_a_neutral_lead_in(flows_dir):
    def add_lookup(d):
        d["nodes"]["ask"]["next"] = "find"
        d["nodes"]["find"] = {"kind": "lookup", "where": "answer", "next": "bye",
                              "not_found_next": "ask"}  # fmt: skip

    edit(flows_dir, _discreet, "hotline.yaml")
    edit(flows_dir, add_lookup)
    assert any(
        "nodes.find: an SMS lookup needs a neutral 'found'" in m for m in messages(flows_dir)
    )
