"""hearings.rules: the tear sheet's language (N1, N1a) and the NTA's allegations (N1), pure policy."""

import pytest

from cases.models import Language
from hearings.rules import nta_allegations, tear_sheet_language

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["en", "es", "pt", "ht"])
def test_n1_n1a_each_reference_tear_sheet_language_prints_in_that_language(code):
    assert tear_sheet_language(Language.objects.get(code=code)) == code


@pytest.mark.parametrize("code", ["quc", "mam", "fr", "ar"])
def test_n1a_a_language_without_a_tear_sheet_prints_english_and_spanish(code):
    assert tear_sheet_language(Language.objects.get(code=code)) == ""


def test_n1a_a_flagged_language_without_a_catalogue_prints_english_and_spanish():
    """The flag alone does not make a sheet: without a compiled catalogue nothing would translate it."""
    french = Language.objects.get(code="fr")
    french.tear_sheet_available = True

    assert tear_sheet_language(french) == ""


def test_n1a_a_catalogue_without_the_flag_prints_english_and_spanish():
    """The set of languages is data: taking the flag off a language with a catalogue takes it off sheets."""
    creole = Language.objects.get(code="ht")
    creole.tear_sheet_available = False

    assert tear_sheet_language(creole) == ""


def test_n1a_no_language_on_record_prints_english_and_spanish():
    assert tear_sheet_language(None) == ""


def test_n1_allegations_of_an_arriving_alien():
    allegations = nta_allegations(
        citizen_of="Honduras",
        arrived_at="San Ysidro Port of Entry",
        arrived_on="March 3, 2020",
        classification="arriving",
    )

    assert allegations == [
        "You are not a citizen or national of the United States.",
        "You are a native of Honduras and a citizen of Honduras.",
        "You arrived in the United States at San Ysidro Port of Entry on or about March 3, 2020.",
        "You are an arriving alien; you were not then admitted or paroled after inspection.",
    ]


def test_n1_allegations_of_an_alien_present_without_admission():
    allegations = nta_allegations(
        citizen_of="Guatemala",
        arrived_at="Chula Vista Border Patrol Station",
        arrived_on="January 9, 2020",
        classification="present_without_admission",
    )

    assert allegations == [
        "You are not a citizen or national of the United States.",
        "You are a native of Guatemala and a citizen of Guatemala.",
        "You arrived in the United States at Chula Vista Border Patrol Station on or about January 9, 2020.",
        "You were not then admitted or paroled after inspection by an Immigration Officer.",
    ]
    assert not any("arriving alien" in line for line in allegations)
