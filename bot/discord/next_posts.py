"""The "Next posts" button under a capped carousel: the following posts as a carousel of their own.

The worker posts it with ``custom_id`` ``nx:{job_ref}:{offset}:{first}:{last}`` (the format is
:mod:`contract.next_posts`); like the re-render menus it is a :class:`discord.ui.DynamicItem`, so it
works across restarts. The new job has the same source and options with ``posts_offset`` moved on,
and names the pressed result's job in ``rerender_of``: the worker takes the thread that job kept.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from bot.discord.carousel import reply_address, submit
from bot.discord.common import PLATFORM, tell
from bot.discord.rerender import RERENDER_GONE, may_rerender
from bot.discord.transformers import InputRejected
from contract import GENERIC_FAILURE, JobPayload
from contract.next_posts import NEXT_TEMPLATE, NextRequest

log = logging.getLogger(__name__)

QUEUED_NEXT_POSTS = "⏳ Making a carousel of {span}…"
NEXT_POSTS_REPEAT = "The carousel of {span} was asked for a moment ago, so it's on its way or already here."
NEXT_POSTS_NOT_YOURS = (
    "Only the person who asked for this carousel, or someone with Manage Server, can ask for its next posts."
)
OTHER_CHANNEL_BUTTON = "That button belongs to a carousel made in another channel, so it does nothing here."


async def next_posts(interaction: discord.Interaction[Any], request: NextRequest) -> str:
    """The carousel after job ``request.job``'s, in the same channel. Returns the new job id.

    Sentences for the person alone (the job is gone, the button was just pressed) are raised as
    :class:`InputRejected` before anything is answered.
    """
    from bot.settings_model import RERENDER_REPEAT_WINDOW_S

    store = getattr(interaction.client, "store", None)
    record = await store.job(request.job) if store is not None else None
    if store is None or record is None:
        raise InputRejected(RERENDER_GONE)
    original = JobPayload.model_validate(record.payload)
    if str(original.reply.chat_id) != str(interaction.channel_id):  # replayed elsewhere: not honoured
        raise InputRejected(OTHER_CHANNEL_BUTTON)
    if not may_rerender(interaction, original.reply.user_id):
        raise InputRejected(NEXT_POSTS_NOT_YOURS)
    if not await store.claim(f"{PLATFORM}:next:{request.job}:{request.offset}", RERENDER_REPEAT_WINDOW_S):
        raise InputRejected(NEXT_POSTS_REPEAT.format(span=request.span))

    await interaction.response.defer(thinking=True)  # a new message in the channel: the status
    options = original.options.model_copy(update={"posts_offset": request.offset})
    result = interaction.message
    payload = JobPayload(
        source=original.source,
        source_kind=original.source_kind,
        options=options,
        reply=reply_address(interaction, reply_to=result.id if result is not None else None),
        rerender_of=record.job_id,
    )
    await interaction.edit_original_response(content=QUEUED_NEXT_POSTS.format(span=request.span))
    return await submit(interaction, payload)


class NextPostsButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=NEXT_TEMPLATE):
    """The "Next posts" button under a capped result; rebuilt from its ``custom_id`` when pressed."""

    def __init__(self, request: NextRequest) -> None:
        super().__init__(discord.ui.Button(custom_id=request.data))
        self.request = request

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> NextPostsButton:
        return cls(
            NextRequest(
                job=match["ref"],
                offset=int(match["offset"]),
                first=int(match["first"]),
                last=int(match["last"]),
            )
        )

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await next_posts(interaction, self.request)
        except InputRejected as rejected:
            await tell(interaction, rejected.sentence)
        except Exception:  # discord.py only logs a failing item callback: the user hears one sentence
            log.exception("next posts of %s (from %s) failed", self.request.job, self.request.offset)
            await tell(interaction, GENERIC_FAILURE)
