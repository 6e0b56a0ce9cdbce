"""Sentences both front-ends say about jobs (failures of the job itself live in :mod:`contract.errors`).

Platform-only wording (Telegram's /commands, Discord's slash options) stays with each front-end.
"""

QUEUE_DOWN = "I can't start carousels right now, so please try again in a minute."
RATE_LIMITED = "You're going fast — try again in {seconds} s."
RERENDER_SAME = "This carousel already uses {field} {value}, so pick another one."
RERENDER_REPEAT = "Already on it: the {value} version is on its way."
UNKNOWN_CHOICE = "That isn't one of the choices: {choices}."
