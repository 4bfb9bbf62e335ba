"""Screenshots of the Models page against the loopback hub of the tests.

    xvfb-run -a -s "-screen 0 1400x900x24" python tools/screenshot_models.py docs/screenshots

The hub lists a catalog model's usual variants with their real sizes (the files are never
fetched), and serves one small file slowly so that a download is under way in the second shot.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from shots import wait_until

from hub_server import FakeHub, HubFile
from llamadesk.core.paths import HOME_ENV, app_paths
from llamadesk.ui.app import application, build
from llamadesk.ui.models_view import MEASURING, VARIANT_COLUMNS

# A mixture-of-experts model: memory fit follows its 30.5B parameters, speed its 3.3B active.
REPO = "unsloth/Qwen3-30B-A3B-Instruct-2507-GGUF"
STEM = "Qwen3-30B-A3B-Instruct-2507"
SIZES_MB = {"Q2_K": 11_300, "Q3_K_M": 14_700, "UD-Q4_K_XL": 17_700, "Q4_K_M": 18_600}
SIZES_MB |= {"Q5_K_M": 21_700, "Q6_K": 25_100, "Q8_0": 32_500}


def publish(hub: FakeHub, scratch: Path) -> None:
    for level, megabytes in SIZES_MB.items():
        # A listing only: the hub reports the size, and nothing asks for the bytes.
        entry = HubFile(scratch, megabytes * 1_000_000, f"{level.lower():0<64}"[:64])
        hub.add_file(REPO, f"{STEM}-{level}.gguf", scratch)
        hub._repos[REPO].files[f"{STEM}-{level}.gguf"] = entry
    slow = scratch.with_name("slow.gguf")
    slow.write_bytes(os.urandom(40_000_000))
    hub.add_file("bartowski/SmolLM2-360M-Instruct-GGUF", "SmolLM2-360M-Instruct-Q8_0.gguf", slow)
    hub.faults.rate = 6_000_000


def main(out: Path) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="llamadesk-shots-"))
    os.environ.setdefault(HOME_ENV, str(scratch / "home"))
    (scratch / "listing.gguf").write_bytes(b"GGUF")
    app = application()
    with FakeHub() as hub:
        publish(hub, scratch / "listing.gguf")
        parts = build(app_paths().ensure())
        parts.downloads.endpoint = hub.url
        window, view = parts.window, parts.models
        window.resize(1280, 820)
        window.show()
        window.show_mode(parts.models_page)
        view.catalog.select("smollm2-360m-instruct")
        wait_until(lambda: view.variants.rowCount() == 1)
        view.download_selected()
        wait_until(lambda: (view.downloads.jobs() or [None])[0].speed > 0)  # type: ignore[union-attr]
        view.catalog.select("qwen3-30b-a3b-instruct-2507")
        wait_until(lambda: view.variants.rowCount() == len(SIZES_MB))
        speed = VARIANT_COLUMNS.index("Speed")
        wait_until(lambda: view.variants.item(0, speed).text() != MEASURING)
        out.mkdir(parents=True, exist_ok=True)
        app.processEvents()
        window.grab().save(str(out / "catalog.png"))
        parts.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
