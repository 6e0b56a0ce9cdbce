"""`carousel telegram` as a process: long polling against the fake Bot API, embedded worker, no Redis."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from bot.telegram import texts
from tests.conftest import VENV_BIN
from tests.fakes.telegram_api import FakeTelegramAPI

pytestmark = pytest.mark.e2e

STARTUP_TIMEOUT_S = 30
DELIVERY_TIMEOUT_S = 120
TEXT = "Ship small\n\nListen to the people who use it.\n\nThen ship the next small thing."


def test_polling_bot_without_redis_registers_commands_and_delivers(
    fake: FakeTelegramAPI, tmp_path: Path
) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(tmp_path)),  # the rendered-font cache lives there
        "LANG": "C.UTF-8",
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.api_url,
        "TELEGRAM_FILE_URL": fake.file_url,
    }
    log_path = tmp_path / "bot.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(VENV_BIN / "carousel"), "telegram"],
            cwd=tmp_path,  # no .env, no REDIS_URL: embedded queue and in-memory settings
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        try:
            fake.wait_for("setMyCommands", timeout=STARTUP_TIMEOUT_S)
            fake.wait_for("getUpdates", timeout=STARTUP_TIMEOUT_S)
        except TimeoutError:
            pytest.fail(f"the bot did not start polling:\n{log_path.read_text(errors='replace')}")
        fake.user_message(chat_id=42, text="/help", push=True)
        fake.user_message(chat_id=42, text=TEXT, push=True)
        try:
            fake.wait_for("sendDocument", timeout=DELIVERY_TIMEOUT_S)
        except TimeoutError:
            pytest.fail(f"nothing delivered:\n{log_path.read_text(errors='replace')}")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    texts_sent = [c.params["text"] for c in fake.calls_to("sendMessage")]
    assert texts_sent[:2] == [texts.HELP, texts.QUEUED_TEXT]
    names = [c["command"] for c in fake.calls_to("setMyCommands")[0].params["commands"]]
    assert names == [name for name, _ in texts.COMMANDS]
    assert fake.calls_to("sendMediaGroup")
    assert process.returncode is not None
