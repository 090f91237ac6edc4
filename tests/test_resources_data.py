"""The shipped directory: valid, sourced, and free of the facts the research says to leave out."""

from __future__ import annotations

import re

import pytest

from hotline.resources import load_directory
from hotline.resources.views import to_doc
from tests.resources_helpers import DATA, ROOT

RESEARCH = ROOT.parent / "shared" / "research"


@pytest.fixture(scope="module")
def directory():
    return load_directory(DATA)


def _research_digits() -> str:
    files = ["resources-facts.md", "resources-facts-2.md"]
    text = "\n".join((RESEARCH / f).read_text() for f in files if (RESEARCH / f).exists())
    return re.sub(r"\D", "", text)


def test_shipped_data_loads_without_errors(directory):
    assert len(directory) >= 25
    assert not [p for p in directory.problems if p.severity == "error"]


@pytest.mark.skipif(not RESEARCH.exists(), reason="research fact sheets not checked out")
def test_every_full_phone_number_appears_in_the_fact_sheets(directory):
    digits = _research_digits()
    for res in directory.resources:
        for phone in res.phones:
            national = re.sub(r"\D", "", phone.number)[-10:]
            assert national in digits, f"{res.id}: {phone.number} is not in the research"


def test_numbers_the_research_says_to_leave_out_are_absent():
    found = re.findall(
        r"\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}", (DATA / "resources.yaml").read_text()
    )
    text = " ".join(re.sub(r"\D", "", n) for n in found)
    assert "8005425212" in text  # the pattern does find numbers
    for banned in ("7813050399", "7812814066", "8777852022", "6177275200", "8009922600"):
        assert banned not in text


def test_nonexistent_organisations_are_not_listed(directory):
    names = " ".join(r.name.lower() for r in directory.resources)
    for ghost in ("rescue and restore", "coalition to end", "women's center for wellness",
                  "cambridge human trafficking initiative"):  # fmt: skip
        assert ghost not in names


def test_statewide_and_national_lines_are_present(directory):
    wide = {r.id for r in directory.resources if r.wide}
    assert {"emergency-911", "national-human-trafficking-hotline", "lifeline-988", "safelink",
            "dcf-child-at-risk-hotline", "mass-211"} <= wide  # fmt: skip


def test_confidential_shelters_never_carry_an_address(directory):
    confidential = [r for r in directory.resources if r.location and r.location.confidential]
    assert {"alternative-house", "transition-house"} <= {r.id for r in confidential}
    for res in confidential:
        assert res.location.address is None
        assert to_doc(res)["address"] is None
        assert res.location.coordinates in (None, "town-centroid")


def test_low_confidence_entries_are_unverified(directory):
    by_id = directory.by_id()
    for ident in ("atask", "eva-center", "northeast-legal-aid", "ago-fair-labor-line"):
        assert not by_id[ident].verified


def test_every_entry_has_a_dated_record_and_nobody_has_phoned_yet(directory):
    for res in directory.resources:
        assert res.provenance.sources and res.provenance.recorded
        assert res.provenance.confirmed_by_phone is None
