"""Plain-Python heart of LlamaDesk: usable from scripts and the CLI, never imports Qt."""
