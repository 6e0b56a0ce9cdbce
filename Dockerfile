FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    CAROUSEL_CACHE_DIR=/app/cache \
    PATH="/app/.venv/bin:$PATH"

RUN pip install --no-cache-dir uv
WORKDIR /app

COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project

COPY carousel ./carousel
COPY bot ./bot
COPY contract ./contract
COPY worker ./worker
COPY rendering ./rendering
COPY themes ./themes
COPY samples ./samples
RUN uv sync --frozen --no-dev \
 && python -c "import os; from rendering.fonts import use_cache_root, warm_fonts; c = os.environ.get('CAROUSEL_CACHE_DIR'); c and use_cache_root(c); warm_fonts()"

CMD ["carousel", "--help"]
