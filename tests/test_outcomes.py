"""Outcome codes at resolve: a list in flows/outcomes.yaml, chosen with an optional sealed note."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from hotline.escalations import audit, outcomes, records
from hotline.flows import check
from tests.escalation_helpers import ask_for_person, only_id, post

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "flows"


def test_the_shipped_list_has_the_codes_a_hotline_reports_on():
    known = outcomes.load(SHIPPED)
    chosen = [code for code, _ in known.choices()]
    for code in ("referred", "safety_plan", "information_only", "wrong_number", "prank",
                 "no_response"):  # fmt: skip
        assert code in chosen
    assert "erased" not in chosen and "erased" in known.codes
    assert known.label("safety_plan") == "Safety plan made"
    assert known.label("safety_plan", "es") == "Plan de seguridad hecho"


def test_resolve_with_an_outcome_and_a_sealed_note(ana, texter, redis_client):
    ask_for_person(texter)
    escalation_id = only_id(redis_client)
    page = f"/staff/e/{escalation_id}"
    post(ana, f"{page}/claim")
    html = ana.get(page).get_data(as_text=True)
    assert '<option value="safety_plan">Safety plan made</option>' in html
    assert 'value="erased"' not in html
    note = "Made a plan to leave Friday with her sister"
    response = post(ana, f"{page}/resolve", outcome="safety_plan", note=note)
    assert response.status_code == 302
    record = records.load(redis_client, escalation_id)
    assert (record.status, record.outcome, record.outcome_note) == ("resolved", "safety_plan", note)
    raw = redis_client.hgetall(records.record_key(escalation_id))
    assert note not in str(raw) and raw["outcome"] == "safety_plan"
    assert not any(
        note in line for line in redis_client.lrange(records.log_key(escalation_id), 0, -1)
    )
    shown = ana.get(page).get_data(as_text=True)
    assert "Safety plan made" in shown and note in shown
    assert note not in str(audit.recent(redis_client))
    assert audit.recent(redis_client)[0]["detail"] == "safety_plan"


def test_a_code_staff_may_not_choose_is_refused_and_nothing_closes(ana, texter, redis_client):
    ask_for_person(texter)
    escalation_id = only_id(redis_client)
    page = f"/staff/e/{escalation_id}"
    post(ana, f"{page}/claim")
    for code in ("erased", "made_up", ""):
        response = post(ana, f"{page}/resolve", outcome=code)
        assert response.status_code == 409
        assert "Choose an outcome." in response.get_data(as_text=True)
    assert records.load(redis_client, escalation_id).status == "claimed"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(SHIPPED, target)
    return target


def _edit(flows_dir: Path, change) -> None:
    path = flows_dir / "outcomes.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def test_an_operator_adds_a_code_and_staff_can_choose_it(make_app, redis_client, tmp_path):
    from tests.escalation_helpers import add_staff, sign_in
    from tests.phone import Texter

    flows_dir = _copy(tmp_path)
    _edit(
        flows_dir,
        lambda d: d["outcomes"].update(
            {"legal_aid": {"label": {"en": "Sent to legal aid", "es": "Enviado a ayuda legal"}}}
        ),
    )
    app = make_app(HOTLINE_FLOWS_DIR=str(flows_dir))
    add_staff(redis_client, "ana")
    ana = app.test_client()
    sign_in(ana)
    ask_for_person(Texter(app.test_client()))
    page = f"/staff/e/{only_id(redis_client)}"
    post(ana, f"{page}/claim")
    assert '<option value="legal_aid">Sent to legal aid</option>' in ana.get(page).get_data(
        as_text=True
    )
    assert post(ana, f"{page}/resolve", outcome="legal_aid").status_code == 302
    assert records.load(redis_client, only_id_closed(redis_client)).outcome == "legal_aid"


def only_id_closed(r) -> str:
    [escalation_id] = r.zrange(records.CLOSED, 0, -1)
    return escalation_id


def test_flows_check_reports_a_broken_outcomes_file_with_its_line(tmp_path):
    flows_dir = _copy(tmp_path)

    def breaks(d):
        d["outcomes"]["Bad Code"] = {"label": {"en": "x"}}
        d["outcomes"]["prank"]["label"] = {"es": "Broma"}
        d["outcomes"]["other"]["label"]["xx"] = "x"
        d["outcomes"]["referred"]["label"]["en"] = "x" * 61
        d["outcomes"]["erased"]["choose"] = True

    _edit(flows_dir, breaks)
    found = [str(i) for i in check(flows_dir, {"program": "Info Line"})]
    text = "\n".join(found)
    assert all(line.startswith(str(flows_dir / "outcomes.yaml") + ":") for line in found), text
    for expected in (
        "outcomes.Bad Code: a code is lower_snake_case",
        "outcomes.prank: no label in en",
        "outcomes.other.label: xx is not a declared",
        "outcomes.referred.label.en: over 60",
        "`erased` (set by DELETE) must be",
    ):
        assert expected in text, text  # fmt: skip
    line = next(i for i in check(flows_dir) if "prank" in i.message).line
    lines = (flows_dir / "outcomes.yaml").read_text().splitlines()
    assert "prank:" in lines[line - 2] + lines[line - 1]  # the entry's key or its first line


def test_flows_check_needs_the_file(tmp_path):
    flows_dir = _copy(tmp_path)
    (flows_dir / "outcomes.yaml").unlink()
    [issue] = check(flows_dir, {"program": "Info Line"})
    assert "outcomes.yaml" in str(issue) and "missing" in issue.message
