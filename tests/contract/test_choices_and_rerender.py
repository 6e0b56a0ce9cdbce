"""Choices and the re-render controls: one table each, read the same way by every side."""

from __future__ import annotations

import re
import uuid

import pytest

from contract.choices import CHOICE_FIELDS, choice_label, choices, typed_choice
from contract.options import CTAS, FORMATS, RATIOS, RenderOptions
from contract.rerender import (
    RERENDER_FIELDS,
    RERENDER_TEMPLATE,
    RerenderRequest,
    job_ref,
    parse_rerender,
    rerender_custom_id,
    rerender_data,
    rerender_fits,
    telegram_rerender_keyboard,
)
from themes import list_themes
from worker.limits import DISCORD_CUSTOM_ID_MAX, TELEGRAM_CALLBACK_DATA_MAX_BYTES


def test_every_choice_field_offers_exactly_the_values_the_options_accept() -> None:
    assert [v for v, _ in choices("ratio")] == list(RATIOS)
    assert [v for v, _ in choices("format")] == list(FORMATS)
    assert [v for v, _ in choices("cta")] == list(CTAS)
    assert [v for v, _ in choices("theme")] == [t.name for t in list_themes()]
    for field in CHOICE_FIELDS:
        for value, _ in choices(field):
            RenderOptions.model_validate({field: value})  # each one is a valid option


@pytest.mark.parametrize(
    ("field", "typed", "value"),
    [
        ("ratio", "4x5", "4:5"),
        ("ratio", "Square", "1:1"),
        ("ratio", "wide", "16:9"),
        ("ratio", "16:9 landscape", "16:9"),
        ("format", "JPG", "jpeg"),
        ("cta", "Follow", "follow"),
    ],
)
def test_typed_choices_mean_their_value(field: str, typed: str, value: str) -> None:
    assert typed_choice(field, typed) == value


def test_labels_read_in_a_sentence() -> None:
    assert choice_label("ratio", "9:16") == "9:16 story"
    assert choice_label("format", "jpeg") == "JPEG"
    assert choice_label("theme", list_themes()[0].name) == list_themes()[0].label


def test_rerender_data_round_trips_within_telegram_and_discord_limits() -> None:
    job_id = str(uuid.uuid4())  # RQ's job ids
    ref = uuid.UUID(job_id).hex
    assert job_ref(job_id) == ref and job_ref("not-a-uuid") == "not-a-uuid"
    assert parse_rerender(rerender_data(job_id, "ratio", "16:9")) == RerenderRequest(ref, "ratio", "16:9")
    assert parse_rerender(rerender_data(job_id)) == RerenderRequest(ref)
    assert parse_rerender("rr:abc:colour:red") is None
    assert parse_rerender("set:theme:paper") is None
    for field in RERENDER_FIELDS:
        custom_id = rerender_custom_id(job_id, field)
        assert len(custom_id) <= DISCORD_CUSTOM_ID_MAX
        match = re.fullmatch(RERENDER_TEMPLATE, custom_id)
        assert match is not None and (match["ref"], match["field"]) == (ref, field)
        for value, _ in choices(field):
            assert rerender_fits(job_id, field, value)
            assert len(rerender_data(job_id, field, value).encode()) <= TELEGRAM_CALLBACK_DATA_MAX_BYTES
    rows = telegram_rerender_keyboard(job_id)["inline_keyboard"]
    assert [b["callback_data"] for b in rows[0]] == [f"rr:{ref}:{f}" for f in RERENDER_FIELDS]
    with pytest.raises(ValueError):
        rerender_data(job_id, "theme", "x" * TELEGRAM_CALLBACK_DATA_MAX_BYTES)
