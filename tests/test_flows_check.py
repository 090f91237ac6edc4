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


# -- issue 13: claims a language may not make ---------------------------------------------------
def test_spanish_may_not_tell_anyone_to_text_911(flows_dir):
    edit(flows_dir, lambda d: d["nodes"]["bye"]["text"].update(es="Adiós. Envíe un texto al 911."))
    assert any(
        "nodes.bye.text.es: says 'texto al 911': claim 'text_911' is not allowed in 'es'" in m
        for m in messages(flows_dir)
    )


def test_spaced_digits_and_other_fields_count_too(flows_dir):
    edit(flows_dir, lambda d: d["nodes"]["ask"]["invalid"].update(es="Mande un mensaje al 9 1 1."))
    assert any("nodes.ask.invalid.es: says" in m for m in messages(flows_dir))


def test_english_alone_may_say_call_or_text_911(flows_dir):
    edit(flows_dir, lambda d: d["nodes"]["bye"]["text"].update(en="Bye. Call or text 911."))
    assert messages(flows_dir) == []
    edit(flows_dir, lambda d: d["nodes"]["bye"]["text"].update(es="Adiós. Call or text 911."))
    assert any("nodes.bye.text.es: says 'text 911'" in m for m in messages(flows_dir))


def test_a_new_language_must_declare_how_it_would_claim_text_911(flows_dir):
    edit(flows_dir, lambda d: d["languages"].update(pt={"name": "Português"}), "hotline.yaml")
    assert any("claims.text_911.patterns: no patterns for 'pt'" in m for m in messages(flows_dir))


def test_a_claim_pattern_that_is_not_a_regex_names_its_line(flows_dir):
    edit(flows_dir, lambda d: d["claims"]["text_911"]["patterns"].update(es=["(unclosed"]),
         "hotline.yaml")  # fmt: skip
    [issue] = check(flows_dir)
    assert issue.file.name == "hotline.yaml" and issue.line > 1 and "not a regex" in issue.message


# -- issue 13: the directory as texters get it ---------------------------------------------------
def _directory(tmp_path: Path, entries: list[dict]) -> Path:
    from tests.resources_helpers import write_dir

    return write_dir(tmp_path, entries)


def _with_labels(flows_dir: Path, **changes: str) -> None:
    shutil.copy(SHIPPED / "resources.yaml", flows_dir / "resources.yaml")
    edit(flows_dir, lambda d: d["labels"]["en"].update(changes), "resources.yaml")


def directory_messages(flows_dir: Path, data: Path) -> list[str]:
    return [str(i) for i in check(flows_dir, {"program": "Info Line"}, data)]


def test_the_shipped_directory_passes_in_every_language():
    assert directory_messages(SHIPPED, SHIPPED.parent / "data") == []


def test_a_result_that_opens_with_a_revealing_word(flows_dir, tmp_path):
    from tests.resources_helpers import entry

    edit(flows_dir, _discreet, "hotline.yaml")
    _with_labels(flows_dir, item="{n}) Trafficking help: {text}")
    data = _directory(tmp_path, [entry("one")])
    found = directory_messages(flows_dir, data)
    assert any(f"{data / 'resources.yaml'}:" in m and "one: en: a result opens with revealing "
               "word(s) ['trafficking']" in m for m in found), found  # fmt: skip


def test_directory_results_may_not_tell_a_spanish_texter_to_text_911(flows_dir, tmp_path):
    from tests.resources_helpers import entry

    _with_labels(flows_dir)
    nine11 = entry("nine-one-one", phones=[{"number": "911", "kind": "emergency", "text": True}],
                   location=None, service_area={"scope": "statewide"})  # fmt: skip
    found = directory_messages(flows_dir, _directory(tmp_path, [nine11]))
    assert any("nine-one-one: es: results says 'texto al 911'" in m for m in found), found
    english_only = {**nine11, "phones": [{**nine11["phones"][0], "text_languages": ["en"]}]}
    assert directory_messages(flows_dir, _directory(tmp_path, [english_only])) == []


def test_a_page_of_results_in_more_than_two_sms(flows_dir, tmp_path):
    from tests.resources_helpers import PROVENANCE, entry

    _with_labels(flows_dir, unverified="Not yet confirmed. " * 12)
    low = {**PROVENANCE, "confidence": "low"}
    data = _directory(tmp_path, [entry(f"e{i}", provenance=low) for i in range(3)])
    found = directory_messages(flows_dir, data)
    assert any("a page of results takes 3 SMS, at most 2" in m for m in found), found


def test_cli_checks_the_directory_too(tmp_path):
    from tests.resources_helpers import entry

    bad = entry("nine-one-one", phones=[{"number": "911", "kind": "emergency", "text": True}],
                location=None, service_area={"scope": "statewide"})  # fmt: skip
    data = _directory(tmp_path, [bad])
    result = CliRunner().invoke(
        main, ["flows", "check", "--dir", str(SHIPPED), "--data", str(data)]
    )
    assert result.exit_code == 1 and f"{data / 'resources.yaml'}:2: directory:" in result.output


def test_a_new_language_must_list_its_revealing_words(flows_dir):
    edit(flows_dir, _discreet, "hotline.yaml")
    edit(flows_dir, lambda d: d["languages"].update(pt={"name": "Português"}), "hotline.yaml")
    assert any(
        "discretion.revealing: no revealing words for 'pt'" in m for m in messages(flows_dir)
    )
