"""What users hear when something goes wrong: one sentence each, whichever side says it."""

from __future__ import annotations

import re

from contract import errors, sentences, values


def _one_sentence(sentence: str) -> bool:
    sentence = re.sub(r"^[^\w\s]+\s", "", sentence)  # a status sentence may open with its emoji ("⏳ I'm…")
    body = sentence.rstrip(".!?…")
    return not re.search(r"[.!?] [A-Z]", body) and sentence[0].isupper() and sentence[-1] in ".!?…"


def test_every_user_facing_failure_is_one_sentence() -> None:
    kinds = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.UserError)]
    failures = [errors.GENERIC_FAILURE] + [kind.message for kind in kinds]
    assert len(failures) > 10
    for sentence in failures:
        assert _one_sentence(sentence), sentence


def test_shared_sentences_and_value_errors_are_one_sentence_each() -> None:
    shared = [v for k, v in vars(sentences).items() if k.isupper() and isinstance(v, str)]
    rejected = [
        v
        for k, v in vars(values).items()
        if k.isupper() and isinstance(v, str) and k.endswith(("_INVALID", "_LONG", "_RANGE"))
    ]
    assert len(shared) >= 5 and len(rejected) >= 6
    for sentence in shared + rejected:
        assert _one_sentence(sentence), sentence
