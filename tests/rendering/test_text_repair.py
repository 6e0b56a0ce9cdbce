"""Mojibake repair: the Greek-codepage damage real threads carry is undone, correct text is not touched."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rendering.document.repair import repair_text


def as_greek_mojibake(text: str) -> str:
    """What a tool that reads UTF-8 as windows-1253 shows (undefined bytes as windows-1252, then Latin-1)."""
    out = []
    for byte in text.encode("utf-8"):
        raw = bytes([byte])
        for codec in ("cp1253", "cp1252", "latin-1"):
            try:
                out.append(raw.decode(codec))
                break
            except UnicodeDecodeError:
                continue
    return "".join(out)


@pytest.mark.parametrize(
    ("seen", "meant"),
    [
        ("β†’", "→"),
        ("Next β†’ read on", "Next → read on"),
        ("πŸ‘‡", "👇"),
        ("Read this πŸ‘‡πŸ‘‡", "Read this 👇👇"),
        ("AΒ threadΒ is", "A thread is"),  # the no-break space already turned into a space
        ("A\u0392\u00a0thread\u0392\u00a0is", "A thread is"),  # the no-break space still there
        ("itβ€™s", "it’s"),
        ("β€œquotedβ€\x9d", "“quoted”"),
        ("fΓΌr cafΓ©", "für café"),
        ("ΞΌΞ±ΞΈΞ·ΞΌΞ±", "μαθημα"),  # Greek text itself, read through the same wrong codepage
    ],
)
def test_greek_codepage_mojibake_is_repaired(seen: str, meant: str) -> None:
    assert repair_text(seen) == meant


@pytest.mark.parametrize(
    "text",
    [
        "Here’s the plan → ship it 👇 — then rest… “Done”",
        "Ünïcödé naïve café 100 °C ± 2 © 2024",
        "👩‍👩‍👧 family, 🏳️‍🌈 flag, 1️⃣ keycap",
    ],
)
def test_round_trip_through_the_wrong_codepage_is_undone(text: str) -> None:
    assert repair_text(as_greek_mojibake(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "Καλημέρα κόσμε",
        "β-blockers lower the heart rate",
        "π ≈ 3.14 and Σ x² over n",
        "Είπε «Καλή μέρα» και έφυγε…",
        "ΤΟ’ΝΑ ΓΕΙΑ ΣΟΥ…",
        "Τάξη Β είναι καλή",
        "ΓΆΜΟΣ και ΒΆΣΗ",
        "Άγιος Νικόλαος · Ώρα 5΄",
        "Η ομάδα «ΑΕΚ» – 2 γκολ",
        "Plan B works, Αθήνα too",
        "Привет, мир",
        "東京 and 日本語のテキスト",
        "it’s “curly” and it's 'straight'",
        "ｆｕｌｌｗｉｄｔｈ ＡＢＣ stays",
    ],
)
def test_correct_text_is_unchanged(text: str) -> None:
    assert repair_text(text) == text


def test_latin1_mojibake_is_left_to_ftfy() -> None:
    assert repair_text("cafÃ© â€” done") == "café — done"


@given(st.text(alphabet=st.characters(codec="ascii", exclude_characters="\x1b")))
def test_ascii_is_returned_as_is(text: str) -> None:
    assert repair_text(text) == text


def test_terminal_escapes_and_ligatures_are_cleaned() -> None:
    assert repair_text("\x1b[31mred\x1b[0m alert") == "red alert"
    assert repair_text("ﬁne ﬂow") == "fine flow"


# Greek letters other than the accented capitals (which share byte values with UTF-8 continuation
# bytes), with ASCII spaces and punctuation: no such text is ever taken for mojibake.
_GREEK_SAFE = "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώϊϋΐΰςΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ"


@given(st.text(alphabet=_GREEK_SAFE + " .,;:!?-()'\"0123456789\n"))
def test_genuine_greek_is_never_rewritten(text: str) -> None:
    assert repair_text(text) == text
