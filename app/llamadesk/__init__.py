"""LlamaDesk: chat with language models that run on your own computer."""

# The one place the version lives; pyproject.toml reads it from here. (Asking
# importlib.metadata instead costs a noticeable part of the app's start.)
__version__ = "0.1.0"

# Before llama.cpp's OpenMP library is loaded, which reads it once (core/openmp.py says why).
import os as _os

from llamadesk.core.openmp import choose_wait_policy as _choose_wait_policy

_choose_wait_policy(_os.environ)
