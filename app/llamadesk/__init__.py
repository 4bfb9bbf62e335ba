"""LlamaDesk: chat with language models that run on your own computer."""

# The one place the version lives; pyproject.toml reads it from here. (Asking
# importlib.metadata instead costs a noticeable part of the app's start.)
__version__ = "0.1.0"
