"""/theme custom, then a .toml file: a theme of one's own, checked line by line, for the next carousel."""

from __future__ import annotations

from bot.settings_model import chat_scope, user_scope
from bot.settings_store import RedisSettingsStore, effective
from bot.telegram import texts
from contract.options import CUSTOM_THEME
from contract.sentences import THEME_FILE_SAVED
from tests.bot.telegram.conftest import Chat
from tests.fakes.telegram_api import FakeTelegramAPI

GROUP = -1001234567890
X_LINK = "https://x.com/jack/status/20"
GOOD = 'extends = "paper"\nlabel = "Acme"\n\n[layout]\nfamily = "swiss"\n\n[colors]\naccent = "#0A7D32"\n'
BAD = 'extends = "paper"\n\n[colors]\naccent = "blu"\n\n[layout]\nfamily = "magazine"\n'


def _document(fake: FakeTelegramAPI, chat_id: int, body: str, name: str, **kwargs: object) -> dict:
    data = body.encode()
    file_id = fake.add_file(data, kind="document", file_name=name, mime_type="application/toml")
    update = fake.user_message(chat_id=chat_id, **kwargs)  # type: ignore[arg-type]
    update["message"]["document"] = {
        "file_id": file_id,
        "file_unique_id": f"AQAD{name}",
        "file_name": name,
        "mime_type": "application/toml",
        "file_size": len(data),
    }
    return update


async def test_theme_custom_then_a_toml_file_becomes_the_theme_of_the_next_carousel(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    await chat.say(42, "/theme custom")
    assert chat.last_reply() == texts.ASK_VALUE["theme_file"].format(whose="your")
    await chat.send(_document(fake, 42, GOOD, "acme.toml"))
    assert chat.last_reply() == THEME_FILE_SAVED.format(label="Acme", file="acme.toml")
    eff = await effective(store, user_scope("telegram", 42), is_group=False)
    assert eff.value("theme") == CUSTOM_THEME and eff.value("theme_file") == GOOD

    await chat.say(42, X_LINK)
    options = chat.payloads()[-1]["options"]
    assert options["theme"] == CUSTOM_THEME and options["theme_file"] == GOOD

    await chat.say(42, "/theme mono")  # a preset again
    await chat.say(42, X_LINK)
    assert chat.payloads()[-1]["options"]["theme"] == "mono"


async def test_a_bad_theme_file_is_answered_with_each_line_and_field(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    await chat.say(42, "/theme custom")
    await chat.send(_document(fake, 42, BAD, "broken.toml"))
    reply = chat.last_reply()
    assert reply.startswith("broken.toml can't be used")
    assert "• broken.toml: line 4: colors.accent: 'blu' is not a colour" in reply
    assert "• broken.toml: line 7: layout.family: 'magazine' is not one of" in reply
    eff = await effective(store, user_scope("telegram", 42), is_group=False)
    assert eff.value("theme") != CUSTOM_THEME
    # the question stays open: the fixed file is taken
    await chat.send(_document(fake, 42, GOOD, "fixed.toml"))
    assert chat.last_reply() == THEME_FILE_SAVED.format(label="Acme", file="fixed.toml")


async def test_a_toml_file_without_asking_gets_a_hint(chat: Chat, fake: FakeTelegramAPI) -> None:
    await chat.send(_document(fake, 42, GOOD, "acme.toml"))
    assert chat.last_reply() == texts.THEME_FILE_WITHOUT_ASK
    assert not chat.payloads()


async def test_a_group_admin_sets_the_groups_theme_file_by_replying(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    fake.set_member_status(GROUP, 8, "administrator")
    await chat.say(GROUP, "/theme custom", user_id=7)  # a member may not
    assert not (await effective(store, chat_scope("telegram", GROUP), is_group=True)).value("theme_file")
    await chat.say(GROUP, "/theme custom", user_id=8)
    ask = fake.calls_to("sendMessage")[-1]
    assert ask.params["text"] == (
        texts.ASK_VALUE["theme_file"].format(whose="this group's") + " " + texts.ASK_CANCEL_HINT
    )
    await chat.send(_document(fake, GROUP, GOOD, "team.toml", user_id=8, reply_to=ask.response["result"]))
    assert chat.last_reply() == THEME_FILE_SAVED.format(label="Acme", file="team.toml")
    eff = await effective(store, chat_scope("telegram", GROUP), is_group=True)
    assert eff.value("theme") == CUSTOM_THEME and eff.sources["theme_file"].describe() == "group"
    await chat.say(GROUP, f"/carousel {X_LINK}", user_id=7)  # any member's carousel carries it
    assert chat.payloads()[-1]["options"]["theme_file"] == GOOD
