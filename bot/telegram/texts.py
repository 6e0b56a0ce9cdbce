"""Everything the Telegram bot says, in one place (plain text, no parse mode)."""

from __future__ import annotations

from contract.sentences import QUEUE_DOWN as QUEUE_DOWN  # the sentences both front-ends say
from contract.sentences import RATE_LIMITED as RATE_LIMITED
from contract.sentences import RERENDER_REPEAT as RERENDER_REPEAT
from contract.sentences import RERENDER_SAME as RERENDER_SAME
from contract.sentences import UNKNOWN_CHOICE as UNKNOWN_CHOICE
from worker.limits import TELEGRAM_CAPTION_MAX, TELEGRAM_MESSAGE_MAX

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "What this bot does"),
    ("help", "How to use it"),
    ("carousel", "Make a carousel: /carousel <thread link>"),
    ("theme", "Choose a theme"),
    ("ratio", "Choose the slide ratio"),
    ("format", "PNG or JPEG slides"),
    ("send", "Slides as photos, original files or a ZIP"),
    ("cta", "The last slide's call to action"),
    ("maxposts", "How many posts one carousel takes"),
    ("brand", "Your brand kit: name, @handle, avatar, logo, colour, footer"),
    ("preset", "Save and load named presets"),
    ("settings", "What the next carousel will use"),
    ("reset", "Clear your personal settings"),
    ("cancel", "Stop a question I asked you"),
)

START = (
    "👋 I turn threads into carousels: image slides plus a PDF, ready for Instagram or LinkedIn.\n"
    "Send me an X, Bluesky or Mastodon link, paste a few paragraphs, or send a .md/.txt file.\n"
    "Pick a look with /theme and /brand; /help lists everything."
)

HELP = (
    "How to use me\n"
    "• Private chat: send a thread link (X, Bluesky, Mastodon), paste a few paragraphs, or send a "
    ".md/.txt file.\n"
    "• Groups: /carousel <link>, mention me with a link, or reply /carousel to a message with a link. "
    "Admins can turn on /autolink so pasted links work too.\n\n"
    "Settings\n"
    "/theme · /ratio · /format — the look; /theme custom, then a .toml file — a theme of your own\n"
    "/cta — the last slide; /cta text <words>, /cta link <url>\n"
    "/send — how the slides arrive: an album of photos, the original files, or a ZIP (the PDF always "
    "comes too)\n"
    "/maxposts — how many posts one carousel takes, e.g. /maxposts 12; posts:1-8,11 after a link "
    "takes just those\n"
    "/brand — name, @handle, avatar, logo, colour, footer, watermark\n"
    "/preset save|load|delete NAME, /preset list — named sets of settings\n"
    "/settings — what the next carousel will use\n"
    "/reset — back to the defaults (presets are kept)\n"
    "/cancel — stop a question I asked (a name, a link…)\n\n"
    "In a group, admins choose the settings for everyone's carousels. "
    "Buttons under each result re-render it with another theme, ratio or format; "
    "📝 Caption sends a post text to paste into LinkedIn or Instagram, with each slide's alt text; "
    "under a long thread's result, “Next posts” makes the following ones."
)

QUEUED = "⏳ Queued — I'll update this message as I work on it."
QUEUED_FIRST_OF = (
    "⏳ Queued — I found {count} links and am using the first one. I'll update this message as I go."
)
QUEUED_TEXT = "⏳ Queued your text — I'll update this message as I work on it."
# a link over the rate limit waits in line ({ahead}: links of this chat before it)
LINE_NEXT = "⏳ Queued — you're next, in about {seconds} s; this message changes when I start."
LINE_PLACE = "⏳ Queued — {ahead} ahead of you; this message changes as your link moves up."
LINE_TURN = "⏳ Your turn — I'll update this message as I work on it."
LINE_FULL = "{count} links are already waiting in this chat, so send this one again in a minute."
QUEUED_RERENDER = "⏳ Re-rendering with {field} {value} — I'll update this message as I go."
RERENDER_TOAST = "On it: {field} {value}."
QUEUED_NEXT_POSTS = "⏳ Making a carousel of {span} — I'll update this message as I go."
NEXT_POSTS_TOAST = "On it: {span}."
NEXT_POSTS_REPEAT = "The carousel of {span} was asked for a moment ago, so it's on its way or already here."
NEXT_POSTS_NOT_YOURS = (
    "Only the person who asked for this carousel, or a group admin, can ask for its next posts."
)
QUEUED_POSTS = "⏳ Queued {posts} of that thread — I'll update this message as I work on it."

NOT_A_THREAD_LINK = "That's not a link I can read — send a link to an X (Twitter), Bluesky or Mastodon post."
NO_LINK_IN_COMMAND = (
    "Send /carousel followed by a thread link, or reply with /carousel to a message that has one."
)
PRIVATE_HINT = (
    "Send me a thread link (X, Bluesky or Mastodon), paste a few paragraphs of text, or send a "
    ".md/.txt file. /help shows everything I can do."
)
ERROR = "Sorry, something went wrong on my side — please try again."

TEXT_FILE_TOO_BIG = "That file is too big for me — send a text file under {kb} KB."
TEXT_FILE_UNREADABLE = "I couldn't read that file as text. Send a UTF-8 .md or .txt file."
TEXT_TOO_LONG = "That text is too long for one carousel — keep it under {chars:,} characters."
TEXT_FILE_TYPE = "I can lay out .md and .txt files. Send a text file, or paste the text."

ADMINS_ONLY = "Only this group's admins can change its settings."
# what a member who is not an admin sees instead of pickers they could not use
GROUP_CHOICE_BY_ADMINS = "This group's admins choose the {label}: carousels here use {value}."
GROUP_MAX_POSTS_BY_ADMINS = "This group's admins choose how many posts a carousel takes: {value} here."
GROUP_DELIVERY_BY_ADMINS = "This group's admins choose how the slides arrive: here they come as {value}."
DELIVERY_AS = {"album": "an album of photos", "files": "the original files", "zip": "one ZIP of the slides"}
GROUP_BRAND_BY_ADMINS = "This group's brand kit, set by its admins:\n{lines}"
GROUP_SETTINGS_BY_ADMINS = "Only this group's admins can change these."
GROUP_PRESETS_NONE = "This group has no presets; its admins can save one with /preset save NAME."
GROUP_SETTINGS_NOTE = "(group settings: they apply to everyone's carousels here)"

CHOOSE_THEME = "Choose a theme{scope}:"
CHOOSE_RATIO = "Choose the slide ratio{scope}:"
CHOOSE_FORMAT = "Choose the image format{scope}:"
CHOOSE_DELIVERY = (
    "Choose how your slides arrive{scope}:\n"
    "An album of photos is quick to look at, but Telegram recompresses photos; original files and a "
    "ZIP keep every slide exactly as made, ready to post elsewhere. The PDF always comes too."
)
CHOOSE_CTA = (
    "Choose the call to action on the last slide{scope}:\n"
    "Set its wording with /cta text <words>; /cta link <url> sets a link and chooses Link."
)
CTA_LINK_SET = "Done — the last slide now links to {link}."
CTA_LINK_NEEDED = (
    "Link needs an address first: send /cta link followed by it, e.g. /cta link example.com/newsletter."
)
SET_DONE = "Done — {label}: {value}"
CHOOSE_MAX_POSTS = (
    "Choose how many of a thread's posts one carousel takes{scope} — now {current}, or send /maxposts "
    "with any number from 1 to {ceiling}; the rest of a longer thread comes with a “Next posts” button."
)
MAX_POSTS_DONE = "Done — {label}: {value}; the rest of a longer thread comes with a “Next posts” button."
SET_CLEARED = "Done: {label} cleared."
CTA_USAGE = "Use /cta to choose the kind, /cta text <words> for its wording, /cta link <url> for its link."

BRAND_TITLE = "Brand kit{scope}:\n{lines}\n\nTap a button to change a value, or use /brand <field> <value>."
BRAND_USAGE = (
    "Use /brand name <name>, /brand handle @you, /brand accent #RRGGBB, /brand footer <text>, "
    "/brand watermark on|off, /brand avatar or /brand logo (then send a picture), /brand clear."
)
# {whose}: "your" in a private chat, "this group's" in a group
ASK_VALUE = {
    "brand.name": "Send the name to show on {whose} slides.",
    "brand.handle": "Send the @handle to show on {whose} slides.",
    "brand.avatar": "Send the picture to use as {whose} avatar (a photo or an image file).",
    "brand.logo": "Send {whose} logo (a photo, or a PNG file to keep transparency).",
    "brand.accent": "Send an accent colour as #RRGGBB, e.g. #1D9BF0.",
    "brand.footer": "Send the footer text for {whose} slides.",
    "cta_text": "Send the call-to-action wording for the last slide.",
    "cta_link": "Send the link for the last slide.",
    "theme_file": (
        "Send {whose} theme as a .toml file. Start from a preset with extends = \"paper\" and change "
        "what you like ([colors], [layout] family, [typography]); the README lists every key."
    ),
}
ASK_CANCEL_BUTTON = "✖ Cancel"
ASK_CANCEL_HINT = "Reply /cancel to stop."  # groups: the question's reply field leaves no room for a button
CANCELLED = "Cancelled — I'm no longer waiting for the {what}."
NOTHING_TO_CANCEL = "Nothing to cancel — I wasn't waiting for an answer from you."
THEME_FILE_WITHOUT_ASK = "To use a theme file, send /theme custom first, then the .toml file."
WHOSE_PRIVATE = "your"
WHOSE_GROUP = "this group's"
BRAND_CLEARED = "Brand kit cleared."
PICTURE_WITHOUT_ASK = "Nice picture! To use it in your carousels, send /brand avatar or /brand logo first."
PICTURE_SAVED = "Saved your {what}. It will appear on your next carousel."
PICTURE_SAVED_GROUP = "Saved this group's {what}. It will appear on every carousel made here."
PICTURE_STILL_WAITING = "I'm still waiting for the {what}: send it as a photo or an image file, or /cancel."

PRESET_USAGE = "Use /preset save NAME, /preset load NAME, /preset list or /preset delete NAME."
PRESET_NAME_INVALID = (
    "Preset names are 1–{limit} letters, digits, - or _ (no spaces), e.g. /preset save launch-week."
)
PRESET_SAVED = "Saved preset “{name}” and made it active."
PRESET_UPDATED = "Updated preset “{name}” and made it active."
PRESET_LOADED = "Loaded preset “{name}”. Your next carousel uses it (personal tweaks on top were cleared)."
PRESET_DELETED = "Deleted preset “{name}”."
PRESET_MISSING = "There's no preset called “{name}”. /preset list shows yours."
PRESET_NONE = "No presets yet. Set things up, then /preset save NAME."
PRESET_LIST = "Presets{scope} (✓ = active):\n{lines}"
PRESET_TOO_MANY = "You have {limit} presets already — delete one first."

RESET_DONE = "Personal settings cleared (presets are kept). Your next carousel uses the defaults."
RESET_GROUP_DONE = "Group settings cleared (presets are kept). Carousels here use the defaults again."

NOT_SET = "not set"
SETTINGS_NOT_SET = "Not set: {labels}."
SETTINGS_PRIVATE = "Your next carousel will use:"
SETTINGS_GROUP = "Carousels in this group will use:"
SETTINGS_PRECEDENCE_PRIVATE = "Order: default ← preset ← personal (later wins)."
SETTINGS_PRECEDENCE_GROUP = (
    "Order: default ← group preset ← group (later wins). Members' personal settings are not used here."
)
AUTOLINK_STATE = "Auto-link (any pasted link starts a carousel): {state}"

AUTOLINK_USAGE = "Use /autolink to see it, /autolink on or /autolink off to change it (group admins only)."
AUTOLINK_MEMBER = "{state}\n\nOnly this group's admins can change it."
AUTOLINK_COMMAND = ("autolink", "Admins: let any pasted thread link make a carousel")  # groups' menu only
AUTOLINK_PRIVATE = "Auto-link is a group setting: in our private chat every link already works."
AUTOLINK_ON = "Auto-link is on: any thread link pasted here starts a carousel."
AUTOLINK_OFF = "Auto-link is off: use /carousel <link> or mention me with a link."
AUTOLINK_PRIVACY = (
    "Note: with privacy mode on I only see messages that mention me or reply to me — make me an admin "
    "here or turn privacy mode off in @BotFather so I can see pasted links."
)

RERENDER_GONE = "That carousel is too old to re-render — send the link again."
RERENDER_OTHER_CHAT = "That button belongs to a carousel made in another chat, so it does nothing here."
UNKNOWN_BUTTON = "That button no longer does anything — send the link again for a fresh carousel."
UNKNOWN_COMMAND = "I don't know that command — /help lists what I can do."
NOT_UNDERSTOOD = (
    "Send me a link to an X, Bluesky or Mastodon thread, or paste some text, and I'll make a carousel."
)
RERENDER_CHOOSE = "Choose a {field} below."
# groups: a result belongs to the person who asked for it (and the group's admins)
RERENDER_NOT_YOURS = "Only the person who asked for this carousel, or a group admin, can re-render it."
PICKER_FOR = "{name}, choose a {field} for this carousel:"
PICKER_NOT_YOURS = "These buttons are {name}'s, so they do nothing for you."
PICKER_SENT = "Your {field} choices are just below."

CAPTION_TOAST = "✍️ Writing the post text — it arrives in a moment."
CAPTION_REPEAT = "The post text is on its way."
CAPTION_GONE = "That carousel is too old for a post text — send the link again."

THEME_PREVIEW_CAPTION = "The themes, side by side. Tap one below."


def fit_message(text: str) -> str:
    """Trim a message to Telegram's 4096-character limit."""
    return text if len(text) <= TELEGRAM_MESSAGE_MAX else text[: TELEGRAM_MESSAGE_MAX - 1] + "…"


def fit_caption(text: str) -> str:
    """Trim a caption to Telegram's 1024-character limit."""
    return text if len(text) <= TELEGRAM_CAPTION_MAX else text[: TELEGRAM_CAPTION_MAX - 1] + "…"
