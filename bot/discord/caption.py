"""The "📝 Caption" button under a delivered carousel: a ready-to-paste post text for LinkedIn or
Instagram, with the alt text of every slide, for the person who pressed it alone.

The worker posts the button with the ``custom_id`` ``caption:{job_ref}`` (:mod:`contract.rerender`);
a :class:`discord.ui.DynamicItem` answers it across restarts. The handler defers an ephemeral
response and queues a :class:`~contract.job.PostTextPayload`; a worker builds the text from what it
kept of the job and writes it into that response (follow-ups, also ephemeral, when it is longer than
one message).
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import discord

from bot.discord.carousel import reply_address
from bot.discord.common import tell
from contract import GENERIC_FAILURE
from contract.job import PostTextPayload
from contract.rerender import CAPTION_EMOJI, CAPTION_TEMPLATE, caption_data
from contract.sentences import QUEUE_DOWN

log = logging.getLogger(__name__)

CAPTION_GONE = "That carousel is too old for a post text, so please make it again with /carousel."


async def ask_post_text(interaction: discord.Interaction[Any], ref: str) -> None:
    """Defer privately, then queue the post text of job ``ref`` for this person."""
    client: Any = interaction.client
    store = getattr(client, "store", None)
    if store is not None and await store.job(ref) is None:
        await tell(interaction, CAPTION_GONE)
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    payload = PostTextPayload(job=ref, reply=reply_address(interaction))
    try:
        await asyncio.to_thread(client.queue.submit_post_text, payload)
    except Exception:
        log.exception("queueing the post text of %s failed", ref)
        await tell(interaction, QUEUE_DOWN)


class CaptionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=CAPTION_TEMPLATE):
    """The button under a result; rebuilt from its ``custom_id`` when someone presses it."""

    def __init__(self, ref: str) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label="Caption", emoji=CAPTION_EMOJI, custom_id=caption_data(ref)
        )
        super().__init__(button)
        self.ref = ref

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CaptionButton:
        return cls(match["ref"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await ask_post_text(interaction, self.ref)
        except Exception:  # discord.py only logs a failing item callback: the user hears one sentence
            log.exception("post text of %s failed", self.ref)
            await tell(interaction, GENERIC_FAILURE)
