"""`hotline resources ...` through click's runner, against the test Redis."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from hotline.resources import cli
from tests.resources_helpers import DATA, entry, write_dir


@pytest.fixture()
def runner(redis_client, monkeypatch):
    monkeypatch.setattr(cli, "_redis", lambda: redis_client)
    return CliRunner()


def test_check_passes_on_shipped_data(runner):
    out = runner.invoke(cli.resources_cli, ["check", "--dir", str(DATA)])
    assert out.exit_code == 0, out.output
    assert "0 errors" in out.output and "not yet confirmed by phone" in out.output


def test_check_fails_on_bad_data(runner, tmp_path):
    folder = write_dir(tmp_path, [entry("bad", categories=["nope"])])
    out = runner.invoke(cli.resources_cli, ["check", "--dir", str(folder)])
    assert out.exit_code == 1 and "(bad)" in out.output


@pytest.mark.parametrize(("zip_code", "expected"), [("01852", "Center for Hope and Healing"),
                                                    ("02139", "Transition House")])  # fmt: skip
def test_search_prints_real_sourced_organisations(runner, zip_code, expected):
    out = runner.invoke(cli.resources_cli, ["search", zip_code, "--limit", "8", "--dir", str(DATA)])
    assert out.exit_code == 0, out.output
    assert expected in out.output and "sources:" in out.output


def test_search_filters_and_unknown_place(runner):
    out = runner.invoke(
        cli.resources_cli,
        ["search", "01852", "--category", "shelter", "--language", "es", "--dir", str(DATA)],
    )
    assert out.exit_code == 0 and "SafeLink" in out.output
    bad = runner.invoke(cli.resources_cli, ["search", "00000", "--dir", str(DATA)])
    assert bad.exit_code != 0 and "unknown ZIP" in bad.output


def test_load_and_import(runner, tmp_path):
    out = runner.invoke(cli.resources_cli, ["load", "--dir", str(DATA)])
    assert out.exit_code == 0 and "indexed" in out.output
    target = tmp_path / "out.yaml"
    fixture = str(DATA.parent / "tests" / "fixtures" / "hsds")
    out = runner.invoke(cli.resources_cli, ["import", fixture, "--out", str(target)])
    assert out.exit_code == 0 and "imported 2 entries" in out.output and "6 skipped" in out.output
    assert target.exists()
