"""LlamaDesk: chat with language models that run on your own computer."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("llamadesk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
