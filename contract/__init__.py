"""The contract between the chat front-ends and the workers: the whole interface between them.

The front-ends (``bot``) import this package and ``worker.queue``, nothing else of the worker; the
worker reads the same types back from a job's JSON; ``rendering`` takes its option types from here.
Nothing here fetches, draws or talks to a chat platform.

* :mod:`contract.options` — render options and the names of the settings (``RenderOptions``, ``Brand``)
* :mod:`contract.choices` — theme / ratio / format / CTA choices, their labels and typed aliases
* :mod:`contract.values` — typed values (accent colour, handle, link, wording), each with its sentence
* :mod:`contract.links` — which links are thread links (pure string work)
* :mod:`contract.text` — when pasted text is a thread, and how it splits into posts
* :mod:`contract.job` — the job's dotted path, its payload and the reply address
* :mod:`contract.rerender` — the re-render controls under a result, and ``job_ref``
* :mod:`contract.errors` — failures a user hears about, one sentence each
* :mod:`contract.sentences` — other sentences both sides say
"""

from contract.errors import GENERIC_FAILURE, UserError
from contract.job import FAILURE_CALLBACK_PATH, JOB_PATH, TELEGRAM_FILE_PREFIX, JobPayload, ReplyAddress
from contract.options import Brand, RenderOptions

__all__ = [
    "FAILURE_CALLBACK_PATH",
    "GENERIC_FAILURE",
    "JOB_PATH",
    "TELEGRAM_FILE_PREFIX",
    "Brand",
    "JobPayload",
    "RenderOptions",
    "ReplyAddress",
    "UserError",
]
