"""The menus under a delivered carousel: pick another theme, ratio or format, get it re-rendered.

The menus are Discord select menus: the list opens for the person using it and nothing in the shared
message changes, so they already are per-person pickers; only the person who asked for the carousel
(or someone with Manage Server) may re-render it, others are told so privately.

The worker posts the result with three select menus whose ``custom_id`` is ``rr:{job_ref}:{field}``
(the format is :mod:`contract.rerender`). They outlive the bot process, so they are
answered by a :class:`discord.ui.DynamicItem` that matches the ``custom_id`` template rather than by a
view kept in memory. The job behind the menu is found in the settings store's job record (saved
when the job was submitted); the new job names it in ``rerender_of``, so the worker renders the
thread it saved instead of fetching the source again.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from redis.exceptions import RedisError

from bot.discord.carousel import reply_address, submit
from bot.discord.common import PLATFORM, tell
from bot.discord.transformers import InputRejected
from contract import GENERIC_FAILURE, JobPayload, RenderOptions
from contract.choices import choices
from contract.options import FIELD_LABELS
from contract.rerender import RERENDER_TEMPLATE, rerender_custom_id
from contract.sentences import QUEUE_DOWN, RERENDER_REPEAT, RERENDER_SAME

log = logging.getLogger(__name__)

RERENDER_GONE = "That carousel is too old to re-render, so please make it again with /carousel."
UNKNOWN_CHOICE = "I don't know that {field}. Pick one from the menu."
QUEUED_RERENDER = "⏳ Re-rendering with the {value} {field}…"
NOT_YOURS = "Only the person who asked for this carousel, or someone with Manage Server, can re-render it."
OTHER_CHANNEL = "That menu belongs to a carousel made in another channel, so it does nothing here."


def may_rerender(interaction: discord.Interaction[Any], requester: int | str | None) -> bool:
    """In a server, a result is re-rendered by the person who asked for it or by its managers (the
    Manage Server permission, as for the server's settings); in a DM only its one person is there."""
    if interaction.guild_id is None or str(interaction.user.id) == str(requester):
        return True
    permissions = interaction.permissions
    return permissions.manage_guild or permissions.administrator


async def rerender(interaction: discord.Interaction[Any], ref: str, field: str, value: str) -> str:
    """Re-render job ``ref`` with ``field`` set to ``value``, in the same channel. Returns the new job id.

    Sentences the user should read (the job is gone, the carousel already uses that value, the
    same choice was just made) are raised as :class:`InputRejected` before anything is answered, so
    they reach the person alone.
    """
    from bot.settings_model import RERENDER_REPEAT_WINDOW_S

    store = getattr(interaction.client, "store", None)
    record = await store.job(ref) if store is not None else None
    if store is None or record is None:
        raise InputRejected(RERENDER_GONE)
    original = JobPayload.model_validate(record.payload)
    if str(original.reply.chat_id) != str(interaction.channel_id):  # a menu replayed elsewhere: not honoured
        raise InputRejected(OTHER_CHANNEL)
    if not may_rerender(interaction, original.reply.user_id):
        raise InputRejected(NOT_YOURS)
    labels = dict(choices(field))
    if value not in labels:
        raise InputRejected(UNKNOWN_CHOICE.format(field=field))
    if getattr(original.options, field) == value:
        raise InputRejected(RERENDER_SAME.format(field=FIELD_LABELS[field], value=labels[value]))
    if not await store.claim(f"{PLATFORM}:rerender:{ref}:{field}:{value}", RERENDER_REPEAT_WINDOW_S):
        raise InputRejected(RERENDER_REPEAT.format(value=labels[value]))

    await interaction.response.defer(thinking=True)  # a new message in the channel: the status
    options = RenderOptions.model_validate({**original.options.model_dump(), field: value})
    result = interaction.message
    queued = QUEUED_RERENDER.format(field=field, value=labels[value])
    response = await interaction.edit_original_response(content=queued)
    payload = JobPayload(
        source=original.source,
        source_kind=original.source_kind,
        options=options,
        reply=reply_address(
            interaction, reply_to=result.id if result is not None else None, response_id=response.id
        ),
        rerender_of=record.job_id,
        text_author=original.text_author,  # pasted text keeps its author's credit
    )
    return await submit(interaction, payload)


class RerenderMenu(discord.ui.DynamicItem[discord.ui.Select[Any]], template=RERENDER_TEMPLATE):
    """One of the three menus under a result; rebuilt from its ``custom_id`` when someone uses it."""

    def __init__(self, ref: str, field: str) -> None:
        super().__init__(discord.ui.Select(custom_id=rerender_custom_id(ref, field)))
        self.ref = ref
        self.field = field

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RerenderMenu:
        return cls(match["ref"], match["field"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        chosen = self.item.values[0] if self.item.values else ""
        try:
            await rerender(interaction, self.ref, self.field, chosen)
        except InputRejected as rejected:
            await tell(interaction, rejected.sentence)
        except RedisError as exc:  # Redis away (a restart, an outage): say so, the next pick works
            log.warning("re-render of %s: Redis unreachable (%s)", self.ref, exc.__class__.__name__)
            await tell(interaction, QUEUE_DOWN)
        except Exception:  # discord.py only logs a failing item callback: the user hears one sentence
            log.exception("re-render of %s (%s=%s) failed", self.ref, self.field, chosen)
            await tell(interaction, GENERIC_FAILURE)
