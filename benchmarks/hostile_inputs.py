"""The hostile-input table of issue 18: every probe of tests/utils/hostile.py against the real server
(`crisis-desk serve --workers 2` on a copy of the sample knowledge), counted by status code.

    .venv/bin/python benchmarks/hostile_inputs.py

Prints one line per status code and the 5xx count (must be 0), then any probe that was not a 4xx.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.config import Settings
from assistant.runtime import Runtime
from tests.utils.builders import make_keys
from tests.utils.hostile import battery, run
from tests.utils.kb import sample_kb
from tests.utils.servers import crisis_serve


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        sample_kb(data)
        runtime = Runtime(Settings(data_dir=data))
        keys = make_keys(runtime.db)
        runtime.close()
        with crisis_serve(data, workers=2) as (url, _), httpx.Client(base_url=url, timeout=30) as client:
            d = client.post("/v1/drafts", headers=keys["agent"].headers,
                            json={"comment": {"text": "Which batches are recalled?"},
                                  "incident": "recall-2026-11"}).json()
            results = run(client, keys, battery(d["id"], d["version"]))
        shutil.rmtree(data, ignore_errors=True)
    counts = Counter(s for _, s in results)
    print(f"hostile requests: {len(results)} (crisis-desk serve --workers 2)")
    print("| status | count |\n|---|---|")
    for status, n in sorted(counts.items()):
        print(f"| {status} | {n} |")
    print(f"5xx: {sum(n for s, n in counts.items() if s >= 500)}")
    for name, status in results:
        if not 400 <= status < 500:
            print(f"not a 4xx: {status} {name}")


if __name__ == "__main__":
    main()
