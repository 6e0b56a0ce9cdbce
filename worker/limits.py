"""Platform and product limits, named once. Sources: ../shared/facts/platform-limits.md."""

# Telegram Bot API
TELEGRAM_MEDIA_GROUP_MIN = 2
TELEGRAM_MEDIA_GROUP_MAX = 10
TELEGRAM_PHOTO_MAX_BYTES = 10_000_000
TELEGRAM_PHOTO_MAX_DIMENSION_SUM = 10_000
TELEGRAM_PHOTO_MAX_RATIO = 20
TELEGRAM_DOCUMENT_MAX_BYTES = 50_000_000
TELEGRAM_CAPTION_MAX = 1024
TELEGRAM_MESSAGE_MAX = 4096
TELEGRAM_CALLBACK_DATA_MAX_BYTES = 64
TELEGRAM_ANSWER_CALLBACK_MAX = 200

# Discord
DISCORD_DEFER_WITHIN_S = 3.0
DISCORD_REDIS_RETRIES = 1  # the Discord bot's settings calls give up on Redis away in about a second,
DISCORD_REDIS_CONNECT_TIMEOUT_S = 0.8  # so a command or menu read before answering still gets its sentence
DISCORD_FILES_PER_MESSAGE = 10
DISCORD_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
DISCORD_FOLLOWUP_WINDOW_S = 15 * 60
DISCORD_REQUEST_MAX_BYTES = 25 * 1024 * 1024  # all files of one message together
DISCORD_MESSAGE_MAX = 2000  # content characters
DISCORD_ALT_TEXT_MAX = 1024  # attachment description
DISCORD_CHOICES_MAX = 25  # choices (or autocomplete suggestions) per option
DISCORD_OPTION_TEXT_MAX = 100  # choice name / string value length
DISCORD_HTTP_RETRIES = 5  # 429 or 5xx answers retried per request before giving up
DISCORD_RETRY_AFTER_MAX_S = 60.0  # a longer 429 wait on a bot-token call is not slept through
DISCORD_WAIT_SHOWN_S = 5.0  # a 429 wait this long while posting the result is told in the status
DISCORD_JOB_MARGIN_S = 15.0  # a 429 wait on an interaction webhook ends this long before the job's timeout
DISCORD_SLIDE_SCALES = (0.75, 0.5)  # a slide too large even as a JPEG is tried at these sizes
DISCORD_BACKOFF_BASE_S = 0.5  # 5xx retries wait this, doubled each time
DISCORD_TOKEN_MARGIN_S = 60  # stop using an interaction token this long before it expires
DISCORD_CTA_TEXT_MAX = 100  # closing-slide text typed into a slash-command option
DISCORD_CUSTOM_ID_MAX = 100  # a message component's custom_id (characters)
DISCORD_SELECT_OPTIONS_MAX = 25  # options of one select menu

# Product
DEFAULT_MAX_POSTS = 20
MAX_POSTS_CEILING = 100
JOB_TIMEOUT_S = 300
JOB_RESULT_TTL_S = 3600
JOB_FAILURE_TTL_S = 7 * 24 * 3600
THREAD_CACHE_TTL_S = 6 * 3600
PROMPT_EXPIRES_S = 5 * 60  # a question the bot asked (brand name, CTA link…) waits this long for its answer

# Media downloads
MEDIA_MAX_BYTES = 15 * 1024 * 1024
MEDIA_MAX_PIXELS = 40_000_000  # an image's size in its header (a JPEG is decoded at a reduced scale)
MEDIA_MAX_DECODED_PIXELS = 16_000_000  # pixels one image may decode to (about 64 MB as RGBA)
MEDIA_JOB_MAX_PIXELS = 48_000_000  # decoded pixels all images of one job may add up to
MEDIA_MAX_ASPECT = 20  # a longer side more than this many times the shorter one is refused
HTTP_TIMEOUT_S = 15.0

# HTTP to thread sources
HTTP_CONNECT_TIMEOUT_S = 5.0
HTTP_MAX_ATTEMPTS = 3  # first try + retries on 429/5xx/timeouts
HTTP_BACKOFF_BASE_S = 0.5  # doubled per retry when the server gives no Retry-After
HTTP_RETRY_AFTER_MAX_S = 10.0  # a longer Retry-After is not waited for: the user hears "rate-limited"
HTTP_MAX_CONNECTIONS = 16
FETCH_DEADLINE_S = 20.0  # one source request, connection, retries and body included
SOURCE_MAX_BYTES = 8 * 1024 * 1024  # one decoded API answer (a 250-post thread is well under 2 MB)
SOURCE_MAX_POSTS = 250  # the longest thread any source unrolls (before the render cap)
SOURCE_MAX_FETCHES = 60  # API calls one unroll may make (walks, continuations, embeds)
ARTICLE_MAX_EMBEDDED_POSTS = 10  # posts embedded in an X Article fetched for display
SHORT_LINK_MAX_HOPS = 3  # t.co short links followed to a post link, at most this many redirects
SHORT_LINK_MAX_BYTES = 64 * 1024  # of a short-link answer read (its HTML names the target)
TEXT_MAX_CHARS = 100_000  # pasted text or a local text file
LOCAL_JSON_MAX_BYTES = 8 * 1024 * 1024  # a local FxTwitter-shaped .json given to `carousel render`
TEXT_SINGLE_POST_MIN_CHARS = 280  # one pasted paragraph is a thread only when at least this long

# Media downloads (more)
MEDIA_MAX_SIDE = 2160  # decoded images are downscaled to this long side
MEDIA_MAX_FILES = 200
MEDIA_PARALLEL = 6
MEDIA_MAX_REDIRECTS = 3
MEDIA_DEADLINE_S = 30.0  # wall time for one image, however slowly it trickles

# Chat front-ends (requests per user and per chat, fixed windows)
CAROUSELS_PER_USER = 5
CAROUSELS_PER_USER_WINDOW_S = 60
CAROUSELS_PER_CHAT = 20
CAROUSELS_PER_CHAT_WINDOW_S = 60
WAITING_LINKS_PER_CHAT = 10  # links over those limits wait their turn in line, at most this many per chat
TEXT_UPLOAD_MAX_BYTES = 512 * 1024  # a .md/.txt document sent to the bot to lay out as a text carousel

# Delivery to Telegram (worker/delivery/telegram.py)
TELEGRAM_HTTP_TIMEOUT_S = 60.0  # uploads of a 20-slide album can take a while on a slow link
TELEGRAM_HTTP_CONNECT_TIMEOUT_S = 10.0
TELEGRAM_MESSAGES_PER_SECOND = 30  # the whole bot, all chats together (Bot FAQ)
TELEGRAM_GROUP_MESSAGES_PER_MINUTE = 20  # one group; a private chat takes short bursts (Bot FAQ)
TELEGRAM_FLOOD_RETRIES = 4  # 429 answers waited out before giving up
TELEGRAM_RETRY_AFTER_MAX_S = 60.0  # a longer flood wait is not slept through (a worker hands it on)
TELEGRAM_TRANSIENT_RETRIES = 3  # a 5xx answer or a failed connection is tried again this many times
TELEGRAM_TRANSIENT_BACKOFF_S = 0.5  # the first pause before trying again, doubled each time
TELEGRAM_SEND_PROBE_SPAN = 12  # message ids after the last known one checked for a send without answer
TELEGRAM_STATUS_EDIT_INTERVAL_S = 1.0  # progress edits of the status message, at most one per second
TELEGRAM_JPEG_QUALITIES = (92, 85, 75, 65)  # tried in turn when a slide must be re-encoded to fit
PDF_FILENAME_MAX_CHARS = 60
# The ready-to-paste post text ("📝 Caption"): a hook, a few sentences, hashtags, credit, alt texts
INSTAGRAM_HASHTAGS_MAX = 30  # Instagram refuses a caption with more
POST_TEXT_HOOK_MAX_CHARS = 120  # the first line: a title, not a paragraph
POST_TEXT_SENTENCES = 3  # sentences from the thread under the hook…
POST_TEXT_BODY_MAX_CHARS = 400  # …two when three would run longer than this
POST_TEXT_SENTENCE_MAX_CHARS = 240  # a longer sentence is not quoted
POST_TEXT_SLIDE_ALT_MAX_CHARS = 500  # one slide's description: what a screen reader needs, not the essay
RERENDER_TTL_S = 7 * 24 * 3600  # how long re-theme buttons under a result keep working without re-fetching
FILE_ID_TTL_S = 30 * 24 * 3600  # Telegram file_ids of delivered results, reused for identical requests
JOB_REPORTED_TTL_S = 24 * 3600  # the "the user already heard about this job's failure" mark
DELIVERY_FILES_TTL_S = 3600  # encoded slides and PDF kept in Redis for a delivery handed to a later job
DELIVERY_MAX_DEFERRALS = 30  # a delivery handed on this many times (pacing, flood waits) gives up

# Chat front-ends: typed values
BRAND_TEXT_MAX = 80  # brand name (characters)
CTA_TEXT_MAX = 140  # CTA wording and brand footer (characters)

# Surviving deaths and outages (worker/runner.py, worker/queue.py)
JOB_RETRIES = 1  # a job whose work horse dies is run once more; dying twice makes it a poison job
WORKER_MONITOR_INTERVAL_S = 5  # the worker checks on its work horse and heartbeats this often
WORKER_HEARTBEAT_GRACE_S = 15  # a job whose worker missed heartbeats this long is abandoned (re-run)
WORKER_MAINTENANCE_INTERVAL_S = 15  # abandoned jobs are looked for this often (RQ's default: 10 minutes)
WORKER_TTL_S = 30  # an idle worker wakes from waiting on the queue every half of this, for maintenance
REDIS_RECONNECT_FIRST_S = 0.5  # first wait before reconnecting to Redis, doubled each time
REDIS_RECONNECT_MAX_S = 15.0  # the longest wait between reconnection attempts
DELIVERED_MARK_PATIENCE_S = 60.0  # how long a job waits for Redis to record that it was delivered
JOB_WATCH_INTERVAL_S = 30.0  # the front-end checks that the jobs it submitted still exist this often
JOB_WATCH_TTL_S = JOB_TIMEOUT_S * 3  # a submitted job is watched at most this long
JOB_MEMORY_MAX_BYTES = 1536 * 1024 * 1024  # address space of one work horse (RLIMIT_AS)
HELD_LINKS_MAX = 200  # links a bot process keeps while Redis is away (started once it is back)
HELD_LINKS_PER_CHAT = 5  # of those, from one chat or channel (its rate limit lives in Redis too)
HELD_LINK_MAX_AGE_S = 600  # a link held longer is given up with a sentence (a Discord token lasts 15 min)
HELD_RETRY_FIRST_S = 1.0  # first wait before trying held links again, doubled each round
HELD_RETRY_MAX_S = 8.0  # the longest wait between rounds while Redis stays away
