"""Flow authors' loop: a saved change goes live once it checks; a broken one never does."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import ROOT
from tests.phone import Texter

MENU = "Reply with a number"


@pytest.fixture()
def folders(tmp_path):
    flows, data = tmp_path / "flows", tmp_path / "data"
    shutil.copytree(ROOT / "flows", flows)
    shutil.copytree(ROOT / "data", data)
    return flows, data


@pytest.fixture()
def watched(make_app, folders):
    from hotline.simulator.reload import watch

    flows, data = folders
    app = make_app(HOTLINE_FLOWS_DIR=str(flows), HOTLINE_RESOURCES_DIR=str(data))
    watch(app, interval=0)
    return app


def edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_saved_flow_change_goes_live_and_a_broken_one_keeps_the_last_good(watched, folders):
    flows, _ = folders
    texter, client = Texter(watched.test_client(), "+19785550170"), watched.test_client()
    assert MENU in texter.reply("MENU")

    edit(flows / "sms.yaml", MENU, "Pick a number")
    assert "Pick a number" in texter.reply("MENU")

    edit(flows / "sms.yaml", "start: main_menu", "start: no_such_node")
    assert "Pick a number" in texter.reply("MENU")  # the last good flows still answer
    page = client.get("/").get_data(as_text=True)
    assert "was not loaded" in page and "sms.yaml:" in page and "no_such_node" in page

    edit(flows / "sms.yaml", "start: no_such_node", "start: main_menu")
    assert "Pick a number" in texter.reply("MENU")
    assert "was not loaded" not in client.get("/").get_data(as_text=True)


def test_a_broken_resource_file_is_refused_and_shown(watched, folders):
    _, data = folders
    client = watched.test_client()
    client.get("/")
    broken = sorted(p for p in data.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))[0]
    broken.write_text(broken.read_text() + "\n  - : [unclosed\n")
    page = client.get("/").get_data(as_text=True)
    assert "was not loaded" in page


def test_watching_is_refused_outside_development(make_app):
    from hotline.simulator.reload import watch

    with pytest.raises(RuntimeError):
        watch(make_app(HOTLINE_ENV="production"))


def test_hotline_sms_interactive_keeps_a_conversation(monkeypatch, redis_url, tmp_path):
    from click.testing import CliRunner

    from hotline.cli import main
    from tests.conftest import test_environ

    env = test_environ(redis_url, tmp_path, HOTLINE_ENV="development")
    env.pop("HOTLINE_PUBLIC_URL")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(
        main, ["sms", "-i", "--from", "+19785550171"], input="hello\n2\nq\n"
    )
    assert result.exit_code == 0, result.output
    assert MENU in result.output
    assert "safe for an advocate to text you" in result.output
