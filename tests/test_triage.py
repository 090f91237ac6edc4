"""Danger triage on the shipped lexicon: what must trigger, and near-misses that must not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hotline.safety.triage import Lexicon, Triage, assess

LEXICON = Lexicon.model_validate(
    yaml.safe_load((Path(__file__).parent.parent / "flows" / "danger.yaml").read_text())
)


@pytest.mark.parametrize(
    "text",
    [
        "he will hurt me",
        "HE WILL HURT ME!!!",
        "I'm locked in the back room",
        "they took my passport",
        "they took my pasport and I can't leave",
        "I cant leave",
        "call 911",
        "he has a gun",
        "he said he will kill me",
        "help me now",
        "please help, right now",
        "she beats me",
        "me va a matar",
        "Me quitó el pasaporte",
        "no me dejan salir",
        "estoy encerrada",
        "tengo miedo, ayúdame ahora",
        "AYUDAME AHORA",
        "hay una pistola",
    ],
)
def test_danger_triggers(text):
    verdict = assess(LEXICON, text)
    assert verdict.urgent, (text, verdict)
    assert verdict.matched


@pytest.mark.parametrize(
    "text",
    [
        "I am not in danger",
        "I'm not in danger, just asking",
        "no estoy en peligro",
        "I live on Gun Hill Road",
        "meet me at gun hill",
        "can you help me find a shelter",
        "help me with my visa",
        "what are my rights",
        "01852",
        "Lowell",
        "I was just killing time",
        "nunca en peligro",
        "ayudame a encontrar un abogado",
        "hello",
        "",
    ],
)
def test_near_misses_do_not_trigger(text):
    verdict = assess(LEXICON, text)
    assert not verdict.urgent, (text, verdict)


def test_matched_phrases_are_lexicon_phrases_not_the_message():
    verdict = assess(LEXICON, "My boss Tom took my passport, 12 Main St")
    assert verdict.matched == ("took my passport",)
    assert "Tom" not in " ".join(verdict.matched)


# -- the mechanisms (issue 10): scoped negation, windows, echoes, idioms, emphasis --------------
def test_negation_cancels_only_what_it_governs_in_its_clause():
    assert not assess(LEXICON, "I am not in danger").urgent
    assert not assess(LEXICON, "nobody is hurting me").urgent
    assert not assess(LEXICON, "no me va a matar").urgent
    for text in (
        "No, he will kill me if he sees this",
        "Please, no! He locked me in the basement",
        "no no no he is hurting me",
        "I'm not sure what to do but he is going to kill me",
        "he won't stop hitting me",
        "No, me quiere matar",
        "no deja de pegarme",
    ):
        assert assess(LEXICON, text).urgent, text


def test_a_split_disclosure_counts_when_the_new_message_completes_it():
    earlier = ["I am scared, my employer took my"]
    assert not assess(LEXICON, earlier[0]).urgent
    assert assess(LEXICON, "passport last week and I have nowhere to go", earlier).urgent
    assert not assess(LEXICON, "passport last week and I have nowhere to go").urgent


def test_the_window_does_not_flag_again_what_it_already_flagged():
    assert not assess(LEXICON, "ok", ["he will kill me"]).urgent


def test_a_no_in_one_message_does_not_negate_the_next():
    assert assess(LEXICON, "me va a golpear si se entera", ["no puedo hablar"]).urgent


def test_the_hotlines_own_words_quoted_back_never_count():
    hotline_texts = ["Emergency: call or text 911. 24/7: 1-888-373-7888",
                     "Thanks for writing. If you are in danger now, call or text 911."]  # fmt: skip
    triage = Triage.build(LEXICON, hotline_texts)
    assert not triage.assess("Emergency: call or text 911. 24/7: 1-888-373-7888").urgent
    assert not triage.assess("If you are in danger now, call or text 911").urgent
    assert triage.assess("call 911").urgent and triage.assess("emergency!").urgent


@pytest.mark.parametrize(
    "text",
    ["this job is killing me", "my back is killing me", "lol my mom is going to kill me",
     "this exam will kill me", "me muero de risa", "el calor me mata", "jaja me va a matar",
     "I'd kill for a coffee", "he used to hit me years ago", "what if I call the police?"],
)  # fmt: skip
def test_idioms_jokes_and_the_past_are_not_danger_now(text):
    assert not assess(LEXICON, text).urgent, assess(LEXICON, text)


def test_a_stretched_cry_is_emphasis():
    assert assess(LEXICON, "heeelp me").urgent and assess(LEXICON, "auxilioooo").urgent
    assert assess(LEXICON, "helppppp").urgent
    assert not assess(LEXICON, "help").urgent  # the HELP keyword answers it


def test_disclosures_are_flagged_apart_from_danger():
    verdict = assess(LEXICON, "my boss keeps my passport and I owe him for the trip")
    assert verdict.disclosed and not verdict.urgent
    assert verdict.disclosure_flag.startswith("disclosure words:")
    assert not assess(LEXICON, "my boss gave me my passport back").disclosed


def test_staff_see_only_lexicon_words_never_names_or_numbers():
    verdict = assess(LEXICON, "Tom from 12 Main St said he will kill me")
    assert "kill me" in verdict.flag
    assert "tom" not in verdict.flag.lower() and "12" not in verdict.flag


def test_a_pattern_that_cannot_be_read_is_a_file_line_error(tmp_path):
    from hotline.flows import FlowLoadError, load_hotline, load_lexicon

    flows = Path(__file__).parent.parent / "flows"
    for name in ("hotline.yaml", "sms.yaml", "voice.yaml"):
        (tmp_path / name).write_text((flows / name).read_text())
    broken = (flows / "danger.yaml").read_text().replace('"in danger": 1.0', '"(in danger": 1.0')
    (tmp_path / "danger.yaml").write_text(broken)
    hotline, _ = load_hotline(tmp_path)
    with pytest.raises(FlowLoadError) as error:
        load_lexicon(tmp_path, hotline)
    assert "danger.yaml:" in str(error.value) and "(in danger" in str(error.value)


# -- issue 10, red-team round 1: kinds, not instances ----------------------------------------
@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        ("hes hiting me", "hitting"),  # a doubled letter left out
        ("he has a gunn", "gun"),  # one typed twice
        ("he chokd me", "choked"),  # a dropped "e" of -ed
        ("me kiere matar", "quiere"),  # "qu" typed as "k"
        ("me puso una golpisa", "golpiza"),  # "z" typed as "s"
        ("estoy enserrada", "encerr"),  # a stem: "encerr*"
        ("she got a knif", "knife"),  # a silent "e" left off
        ("he treatened to kill me", "threatened"),  # "th" typed as "t"
        ("me golpio muy feo", "golpeo"),  # "e" before a vowel typed as "i"
        ("they tyed me up", "tied"),  # "ie" typed as "ye"
        ("he is threatning my kids", "threatening"),  # the "e" of -ening left out
        ("me bolvio a pegar", "volvio"),  # "v" typed as "b"
    ],
)
def test_a_misspelt_word_is_read_as_the_lexicon_word_it_sounds_like(text, read_as):
    verdict = assess(LEXICON, text)
    assert verdict.urgent, text
    assert any(read_as in phrase for phrase in verdict.matched), verdict.matched


@pytest.mark.parametrize(
    "text",
    [
        "my phone is tapped",  # a real word is never read as another ("taped")
        "the mosquitos are eating me alive",  # nor "eating" as "beating"
        "i bet he will call",
        "vamos a la casa de mi abuela",
    ],
)
def test_real_words_are_not_read_as_lexicon_words(text):
    assert not assess(LEXICON, text).urgent


def test_a_spanish_no_governs_the_verb_after_it_not_the_next_clause():
    assert assess(LEXICON, "no me llames me va a matar si se entera").urgent
    assert assess(LEXICON, "no tengo a nadie me esta golpeando").urgent  # "a nadie": an object
    assert assess(LEXICON, "no aguanto mas me pega todos los dias").urgent
    assert not assess(LEXICON, "no me va a matar").urgent
    assert not assess(LEXICON, "nadie me esta pegando").urgent


@pytest.mark.parametrize(
    "text",
    [
        "me dio una madriza",
        "me agarro a golpes",
        "me van a quebrar",
        "me encañonó",
        "he put hands on me again",
        "he got a strap",
        "he's strapped and mad",
        "my man been beating on me",
        "im getting beated",  # a regularised past
        "he finna kill me",  # text-speak for "going to"
        "he kiled my dog and says im next",  # a pet hurt
        "me rompio la madre",
        "me sonaron bien feo",
        "he whooped me bad",
        "he roughed me up",
        "he came at me with a bat",
        "he said hes gonna end me",
        "hes gonna shot me",  # a past form after "gonna"
        "he rapped me",  # a real word, but not with a person after it
        "me cacheteo y me jalo del pelo",
        "me levantaron y me tienen en una casa",
        "me acaba de pegar",
        "ayuda!!! por favor",  # shouting is emphasis, like "ayudaaa"
        "hes chocking me",
        "he beat my ass",
        "he tried to off me",
        "he got me by the throat",
        "me partio la cara",
        "me agarro del cuello",
        "me aventaron contra la pared",
        "me van a echar bala",
        "ta armado y borracho",
        "hes bashing my head in",
        "he sliced my arm",
        "i got jumped by my pimp and his friends",
        "he broke down the door",
        "me esta dando de golpes",
        "nos tienen en una traila",
        "tumbo la puerta",
        "me quiere meter a la fuerza al carro",
    ],
)
def test_slang_for_beatings_killing_and_guns(text):
    assert assess(LEXICON, text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "mi jefe me mata con tanto trabajo",
        "lol he's killing me with these jokes",
        "did u see the news a woman was kidnapped in lowell",
        "viste la noticia del secuestro en lowell",
        "that movie where the guy gets kidnapped was so good",
        "me mata la curiosidad",
        "el me pegaba hace años pero ya estoy bien",
        "he used to hit me years ago but now im safe",
        "me suena bien",
        "i cant quite remember",
        "kill me now this meeting is so long",
        "we watched a horror movie with a guy with a knife",
        "hit me with the details",
        "we rapped all night lol",
        "me levanto temprano",
        "they will end soon",  # "end" is a threat only with a person after it
        "i will pop by later",
        "tiktok about kidnapping scams",
        "vi un video de secuestros falsos",
        "a whopping twenty dollars",
        "esta fila tan larga me esta matando",
        "the knife set i bought was cheap",
        "me tienen en espera hace una hora",
    ],
)
def test_jokes_about_work_and_the_news_are_not_danger_now(text):
    assert not assess(LEXICON, text).urgent


def test_danger_words_short_of_urgent_are_a_concern_for_a_person():
    verdict = assess(LEXICON, "scared")
    assert not verdict.urgent and verdict.concerned
    assert verdict.concern_flag == "danger words: scared"
    assert not assess(LEXICON, "what are your hours").concerned


def test_a_spelling_fix_of_several_words_replaces_the_whole_run_never_its_first_word():
    """ "2nite" is read as "2 nite": as a fix of its first word it rewrote every "2" (a menu
    answer) as "tonight"."""
    data = yaml.safe_load((Path(__file__).parent.parent / "flows" / "danger.yaml").read_text())
    data["languages"]["en"]["spelling"]["2nite"] = "tonight"
    lexicon = Lexicon.model_validate(data)
    assert not assess(lexicon, "2").matched
    assert "tonight" in assess(lexicon, "he is coming back 2nite").matched
