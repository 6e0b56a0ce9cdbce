"""Sentences both front-ends say about jobs (failures of the job itself live in :mod:`contract.errors`).

Platform-only wording (Telegram's /commands, Discord's slash options) stays with each front-end.
"""

QUEUE_DOWN = "I can't start carousels right now, so please try again in a minute."
# Redis away: the link waits in the bot until it is back (bot/held.py)
BUSY_QUEUED = "⏳ I'm busy right now, so your carousel is queued and starts as soon as I can."
HELD_GIVEN_UP = "I still couldn't start this carousel after {minutes} minutes, so please send it again."
RATE_LIMITED = "You're going fast — try again in {seconds} s."
RERENDER_SAME = "This carousel already uses {field} {value}, so pick another one."
RERENDER_REPEAT = "The {value} version was asked for a moment ago, so it's on its way or already here."
UNKNOWN_CHOICE = "That isn't one of the choices: {choices}."

# A brand's own theme, sent as a .toml file (Telegram: /theme custom; Discord: /defaults theme_file)
THEME_FILE_SAVED = "Done — theme: “{label}” from {file}, and your next carousel uses it."
THEME_FILE_TOO_BIG = (
    "A theme file is a few dozen lines, and {file} is over {kb} KB, so please send a smaller one."
)
THEME_FILE_UNREADABLE = "The file {file} isn't UTF-8 text, so please save it as UTF-8 and send it again."
THEME_FILE_BROKEN = (
    "Your theme file no longer loads ({problem}), so please send a new one or pick a preset theme."
)
