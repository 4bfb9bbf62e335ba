"""Widgets. The main window only assembles parts and connects their signals."""
