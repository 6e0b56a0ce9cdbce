"""Configuration from the environment (or a .env file). Names are fixed: see the README."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    redis_url: str | None = None
    telegram_bot_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    discord_bot_token: str | None = None
    discord_api_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str | None = None
    fxtwitter_api_url: str = "https://api.fxtwitter.com"
    syndication_url: str = "https://cdn.syndication.twimg.com"
    tco_url: str = "https://t.co"
    bsky_api_url: str = "https://public.api.bsky.app"
    mastodon_api_url: str | None = None
    media_hosts: str | None = None
    queue_name: str = "carousel"
    carousel_cache_dir: str = "~/.cache/thread-carousel"  # CAROUSEL_CACHE_DIR
    metrics_port: int | None = None  # /healthz and /metrics (Prometheus) on this port, when set

    @property
    def extra_media_hosts(self) -> frozenset[str]:
        if not self.media_hosts:
            return frozenset()
        return frozenset(h.strip().lower() for h in self.media_hosts.split(",") if h.strip())


def redis_options(
    *, asyncio: bool = False, retries: int = 5, connect_timeout_s: float | None = None
) -> dict[str, Any]:
    """redis-py client options that ride out a Redis restart: a command that meets a connection the
    server dropped reconnects and is tried again, a few times with backoff (instead of failing once
    per pooled connection, as the default does for the first command after a restart).

    ``retries`` and ``connect_timeout_s``: a caller that must answer in time (Discord's 3 s) gives up
    sooner when Redis is away (one retry still rides out a restart's dropped connections)."""
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import ConnectionError, TimeoutError

    if asyncio:
        from redis.asyncio.retry import Retry as AsyncRetry

        retry: Any = AsyncRetry(ExponentialBackoff(cap=2.0, base=0.1), retries)
    else:
        from redis.retry import Retry

        retry = Retry(ExponentialBackoff(cap=2.0, base=0.1), retries)
    options: dict[str, Any] = {
        "retry": retry,
        "retry_on_error": [ConnectionError, TimeoutError],
        "health_check_interval": 30,
    }
    if connect_timeout_s is not None:
        options["socket_connect_timeout"] = connect_timeout_s
    return options


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

