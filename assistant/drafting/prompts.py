"""Prompt templates as files in prompts/: `<task>.<language>.md` with a versioned front matter.

Loaded once per process. A template has a `## system` and a `## user` section, formatted with
str.format (literal braces doubled in the files).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import CrisisError

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
LANGUAGE_NAMES = {"en": "English", "fr": "French (français)"}


@dataclass(frozen=True)
class Prompt:
    task: str
    language: str
    version: str
    system: str
    user: str

    def render(self, **values: Any) -> tuple[str, str]:
        values.setdefault("language_name", LANGUAGE_NAMES.get(self.language, self.language))
        return self.system.format(**values), self.user.format(**values)


def _parse(path: Path) -> Prompt:
    raw = path.read_text(encoding="utf-8")
    _, front, body = raw.split("---", 2)
    meta = yaml.safe_load(front)
    sections: dict[str, list[str]] = {}
    current = None
    for line in body.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        elif current:
            sections[current].append(line)
    return Prompt(task=meta["task"], language=meta["language"], version=meta["version"],
                  system="\n".join(sections["system"]).strip(), user="\n".join(sections["user"]).strip())


@lru_cache(maxsize=1)
def load_prompts(directory: Path = PROMPTS_DIR) -> dict[tuple[str, str], Prompt]:
    if not directory.is_dir():
        raise CrisisError(f"prompt folder not found: {directory}")
    prompts = {}
    for path in sorted(directory.glob("*.md")):
        p = _parse(path)
        prompts[(p.task, p.language)] = p
    return prompts


def get_prompt(task: str, language: str) -> Prompt:
    prompts = load_prompts()
    return prompts.get((task, language)) or prompts[(task, "en")]
