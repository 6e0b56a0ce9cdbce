"""Configuration from the environment (or a .env file). Names are fixed: see the README."""

from __future__ import annotations

from functools import lru_cache

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

    @property
    def extra_media_hosts(self) -> frozenset[str]:
        if not self.media_hosts:
            return frozenset()
        return frozenset(h.strip().lower() for h in self.media_hosts.split(",") if h.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

