"""The arrows between the rooms (see ARCHITECTURE.md), checked on the source: a wrong one fails here.

Every ``import`` counts, wherever it is written (module top, inside a function, under
``TYPE_CHECKING``): a lazy import is still an arrow.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROOMS = ("carousel", "bot", "contract", "worker", "rendering", "themes")

# Modules of the worker every room may use: constants and configuration, importing nothing of ours.
SHARED_LEAVES = ("worker.limits", "worker.config")

# room -> what it may import besides itself (a prefix allows the module and everything below it)
ALLOWED: dict[str, tuple[str, ...]] = {
    "carousel": ROOMS,
    "bot": ("contract", "themes", "worker.queue", *SHARED_LEAVES),
    "worker": ("contract", "rendering", "themes"),
    "rendering": ("contract", "themes"),
    "contract": ("themes", *SHARED_LEAVES),
    "themes": (),
}
# the shared leaves stay leaves; the queue reaches the job function only when it runs jobs in-process
LEAF_ALLOWED: dict[str, tuple[str, ...]] = {
    "worker.limits": (),
    "worker.config": (),
    "worker.queue": ("contract", "worker.jobs", *SHARED_LEAVES),
}


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str, root: Path) -> bool:
    path = root.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def project_imports(path: Path, module: str, root: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import of one of our rooms in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from worker import jobs`` imports the module worker.jobs; ``from x.y import Name``, x.y
            names = [
                f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}", root) else base
                for alias in node.names
            ]
        for name in dict.fromkeys(names):
            if name.split(".")[0] in ROOMS:
                found.append((node.lineno, name))
    return sorted(found)


def violations(root: Path = ROOT) -> list[str]:
    """Every import in the rooms under ``root`` that goes where its room may not."""
    out: list[str] = []
    for room in ROOMS:
        for path in sorted((root / room).rglob("*.py")):
            module = _module_name(path, root)
            own = (module,) if module in LEAF_ALLOWED else (room,)
            allowed = LEAF_ALLOWED.get(module, ALLOWED[room])
            for line, name in project_imports(path, module, root):
                if not (_within(name, own) or _within(name, allowed)):
                    out.append(f"{path.relative_to(root)}:{line}: {module} imports {name}")
    return out


def test_every_package_is_a_room_with_rules() -> None:
    """A new top-level package gets its row in ALLOWED (and in ARCHITECTURE.md) before it is used."""
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert packages == set(ROOMS) == set(ALLOWED)


def test_every_import_goes_the_way_its_room_allows() -> None:
    assert violations() == []


def test_the_rule_sees_uphill_and_deep_imports(tmp_path: Path) -> None:
    """The checker itself: arrows that went the wrong way before are caught."""
    for room in ROOMS:
        (tmp_path / room).mkdir()
        (tmp_path / room / "__init__.py").write_text("")
    for name in ("jobs", "limits", "config", "queue", "sources", "delivery"):
        (tmp_path / "worker" / f"{name}.py").write_text("")
    (tmp_path / "rendering" / "options.py").write_text("")
    (tmp_path / "bot" / "app.py").write_text(
        "from worker.sources import find_link\n"
        "from worker.delivery import RERENDER_PREFIX\n"
        "from worker.queue import make_queue\n"
        "from worker.limits import X\n"
        "def f():\n    from rendering import options\n"
    )
    (tmp_path / "worker" / "cli.py").write_text("def run():\n    from bot.app import run_polling\n")
    (tmp_path / "contract" / "job.py").write_text("from rendering.options import RenderOptions\n")
    (tmp_path / "worker" / "limits.py").write_text("from contract.job import X\n")
    (tmp_path / "rendering" / "api.py").write_text("from carousel import cli\n")
    found = violations(tmp_path)
    assert found == [
        "bot/app.py:1: bot.app imports worker.sources",
        "bot/app.py:2: bot.app imports worker.delivery",
        "bot/app.py:6: bot.app imports rendering.options",
        "contract/job.py:1: contract.job imports rendering.options",
        "worker/cli.py:2: worker.cli imports bot.app",
        "worker/limits.py:1: worker.limits imports contract.job",
        "rendering/api.py:1: rendering.api imports carousel",
    ]


HEAVY = (
    "worker.sources",
    "worker.http",
    "worker.media",
    "worker.jobs",
    "worker.delivery",
    "PIL",
    "reportlab",
)


def test_the_front_ends_load_no_fetcher_no_worker_http_no_drawing() -> None:
    probe = (
        "import sys, bot.telegram.app, bot.discord.app; "
        "print('\\n'.join(sorted(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "bot.discord.app" in loaded and "contract.job" in loaded  # the probe imported what it says
    heavy = [m for m in loaded if _within(m, HEAVY)]
    assert heavy == []
