"""Typed values: what each parser keeps, and the sentence it answers with otherwise."""

from __future__ import annotations

import pytest

from contract.values import (
    ACCENT_INVALID,
    HANDLE_INVALID,
    LINK_INVALID,
    POSTS_INVALID,
    ValueRejected,
    parse_accent,
    parse_handle,
    parse_link,
    parse_posts,
    parse_setting,
)
from worker.limits import BRAND_TEXT_MAX, CTA_TEXT_MAX, SOURCE_MAX_POSTS


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("#1d9bf0", "#1D9BF0"), ("1D9BF0", "#1D9BF0"), (" #19f ", "#1199FF"), ("#19ff", "#1199FF")],
)
def test_accent_colours_are_kept_as_rrggbb(typed: str, kept: str) -> None:
    assert parse_accent(typed) == kept


@pytest.mark.parametrize("typed", ["blue", "#12345", "#1D9BF080", "#19f8", ""])
def test_a_non_colour_or_a_see_through_accent_is_refused_with_its_sentence(typed: str) -> None:
    with pytest.raises(ValueRejected) as refused:
        parse_accent(typed)
    assert refused.value.sentence == ACCENT_INVALID


def test_handles_lose_their_at_and_odd_ones_are_refused() -> None:
    assert parse_handle("@carousel.bot") == "carousel.bot"
    with pytest.raises(ValueRejected) as refused:
        parse_handle("ada lovelace")
    assert refused.value.sentence == HANDLE_INVALID


def test_links_get_a_scheme_and_non_links_are_refused() -> None:
    assert parse_link("example.com/launch") == "https://example.com/launch"
    assert parse_link("http://example.com") == "http://example.com"
    for typed in ("not a link", "ftp://example.com", "localhost"):
        with pytest.raises(ValueRejected) as refused:
            parse_link(typed)
        assert refused.value.sentence == LINK_INVALID


def test_wording_is_trimmed_and_held_to_its_limit() -> None:
    assert parse_setting("brand.name", "  Ada  ") == "Ada"
    assert parse_setting("cta_text", "x" * CTA_TEXT_MAX) == "x" * CTA_TEXT_MAX
    with pytest.raises(ValueRejected) as refused:
        parse_setting("brand.name", "x" * (BRAND_TEXT_MAX + 1))
    assert str(BRAND_TEXT_MAX) in refused.value.sentence


@pytest.mark.parametrize(
    ("typed", "numbers"),
    [("1-8,11", (1, 2, 3, 4, 5, 6, 7, 8, 11)), ("3", (3,)), (" 5 - 6 , 2 ", (2, 5, 6)), ("2,2,1-2", (1, 2))],
)
def test_a_post_selection_is_numbers_in_thread_order(typed: str, numbers: tuple[int, ...]) -> None:
    assert parse_posts(typed) == numbers


@pytest.mark.parametrize("typed", ["", "0", "8-1", "1-", "a-b", "1;2", f"1-{SOURCE_MAX_POSTS + 1}"])
def test_anything_else_is_not_a_post_selection(typed: str) -> None:
    with pytest.raises(ValueRejected) as refused:
        parse_posts(typed)
    assert refused.value.sentence == POSTS_INVALID
