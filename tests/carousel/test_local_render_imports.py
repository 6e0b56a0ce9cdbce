"""`carousel render` of a local file loads what rendering needs and nothing that talks to a network."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# a Redis client, the queue, HTTP, settings from the environment, the chat libraries
NOT_FOR_A_LOCAL_RENDER = ("redis", "rq", "httpx", "httpcore", "pydantic_settings", "telegram", "discord")


def test_a_local_render_imports_no_redis_no_http_no_chat_library(tmp_path: Path) -> None:
    sample = str(ROOT / "samples" / "sample-thread.json")
    probe = (
        "import sys; from carousel.cli import main; "
        f"code = main(['render', {sample!r}, '--out', {str(tmp_path)!r}]); "
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr); sys.exit(code)"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    loaded = done.stderr.split()
    assert "rendering.pipeline" in loaded and (tmp_path / "carousel.pdf").exists()  # it did render
    unneeded = [m for m in loaded if m.split(".")[0] in NOT_FOR_A_LOCAL_RENDER]
    assert unneeded == []
