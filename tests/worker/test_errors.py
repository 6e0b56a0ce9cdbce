"""What users hear when something goes wrong."""

from __future__ import annotations


def test_every_user_facing_failure_is_one_sentence() -> None:
    import re

    from worker import errors

    kinds = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.UserError)]
    sentences = [errors.GENERIC_FAILURE] + [kind.message for kind in kinds]
    for sentence in sentences:
        body = sentence.rstrip(".!?…")
        assert not re.search(r"[.!?] [A-Z]", body), sentence
        assert sentence[0].isupper() and sentence[-1] in ".!?", sentence
