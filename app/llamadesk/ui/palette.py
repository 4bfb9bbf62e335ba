"""Every colour the app paints with, in a light and a dark set.

The stylesheet (ui/style.py), the charts, the fit verdicts, the code highlighting and the
banners all read their colours from the palette in use (`current()`), so a theme is one
`Palette` and switching it changes everything at once. `text_pairs()` lists which text
colour sits on which background: tests hold each pair to WCAG AA contrast.
"""

from __future__ import annotations

from dataclasses import dataclass

from llamadesk.core.chat_render import HtmlColours, PageColours


@dataclass(frozen=True)
class Palette:
    """One theme's colours, as "#rrggbb"."""

    dark: bool
    window: str  # the page background
    surface: str  # raised areas: toolbar, status bar, cards, inputs
    sidebar: str
    border: str
    border_strong: str  # input fields' borders
    text: str
    text_muted: str  # secondary text: descriptions, labels
    text_subtle: str  # footers and notes
    accent: str
    accent_hover: str
    accent_disabled: str
    on_accent: str  # text on an accent background
    on_accent_disabled: str  # text on a disabled accent button: plainly not clickable
    selection: str
    selection_text: str
    hover: str
    user_bubble: str
    code_background: str
    link_text: str  # link-like buttons and links
    danger: str  # the stop button
    danger_text: str  # error text
    danger_hover: str
    warning_text: str
    success_text: str
    banner_warning: str
    banner_warning_border: str
    banner_warning_text: str
    banner_error: str
    banner_error_border: str
    banner_error_text: str
    banner_success: str
    banner_success_border: str
    banner_success_text: str
    banner_info: str
    banner_info_border: str
    banner_info_text: str
    fit_fits: str
    fit_tight: str
    fit_too_big: str
    chart_process: str
    chart_system: str
    chart_preference: str  # the arena's preference curve
    chart_kl: str  # the arena's KL curve
    chart_guide: str  # a reference line on a chart (50% preferred)
    chart_marker: str  # lines that mark a position (a level's bits per weight)
    kl_hot: str  # a token's background at the most KL; no KL is the window's colour
    scroll_handle: str
    scroll_handle_hover: str
    pygments_style: str  # the Pygments style code blocks are highlighted with


LIGHT = Palette(
    dark=False,
    window="#ffffff",
    surface="#fafafa",
    sidebar="#f6f6f8",
    border="#e6e6e9",
    border_strong="#d6d6dc",
    text="#1d1d22",
    text_muted="#4a4a55",
    text_subtle="#63636e",
    accent="#3b5bdb",
    accent_hover="#2f4ac0",
    accent_disabled="#b9c3ee",
    on_accent="#ffffff",
    on_accent_disabled="#ffffff",
    selection="#e3e7fb",
    selection_text="#1b2a6b",
    hover="#ececf1",
    user_bubble="#eef2ff",
    code_background="#f3f4f8",
    link_text="#3b5bdb",
    danger="#c92a2a",
    danger_text="#b02525",
    danger_hover="#a61e1e",
    warning_text="#8a4500",
    success_text="#23753a",
    banner_warning="#fff4e6",
    banner_warning_border="#ffd8a8",
    banner_warning_text="#7a3d00",
    banner_error="#fff5f5",
    banner_error_border="#ffc9c9",
    banner_error_text="#8a1c1c",
    banner_success="#ebfbee",
    banner_success_border="#b2f2bb",
    banner_success_text="#1e5f2b",
    banner_info="#f3f5fd",
    banner_info_border="#dbe2fb",
    banner_info_text="#1b2a6b",
    fit_fits="#e6f4ea",
    fit_tight="#fff4d6",
    fit_too_big="#fde2e1",
    chart_process="#3b5bdb",
    chart_system="#adb5bd",
    chart_preference="#3b5bdb",
    chart_kl="#e8590c",
    chart_guide="#adb5bd",
    chart_marker="#ced4da",
    kl_hot="#ff4026",
    scroll_handle="#c4c4cc",
    scroll_handle_hover="#9d9da8",
    pygments_style="default",
)

DARK = Palette(
    dark=True,
    window="#1c1c21",
    surface="#24242a",
    sidebar="#202026",
    border="#34343c",
    border_strong="#45454f",
    text="#e8e8ed",
    text_muted="#b8b8c2",
    text_subtle="#9d9da8",
    accent="#3b5bdb",
    accent_hover="#4263eb",
    accent_disabled="#2c3763",
    on_accent="#ffffff",
    on_accent_disabled="#8a90aa",
    selection="#2b3566",
    selection_text="#e3e7fb",
    hover="#2c2c34",
    user_bubble="#27304f",
    code_background="#16161a",
    link_text="#91a7ff",
    danger="#c92a2a",
    danger_text="#ff8787",
    danger_hover="#e03131",
    warning_text="#ffc078",
    success_text="#8ce99a",
    banner_warning="#3d2b12",
    banner_warning_border="#6b4a1c",
    banner_warning_text="#ffd8a8",
    banner_error="#3f1d1d",
    banner_error_border="#6e2b2b",
    banner_error_text="#ffc9c9",
    banner_success="#1d3524",
    banner_success_border="#2f5e3b",
    banner_success_text="#b2f2bb",
    banner_info="#1f2640",
    banner_info_border="#34406e",
    banner_info_text="#dbe4ff",
    fit_fits="#1d3524",
    fit_tight="#3d3212",
    fit_too_big="#3f1d1d",
    chart_process="#748ffc",
    chart_system="#868e96",
    chart_preference="#748ffc",
    chart_kl="#ff922b",
    chart_guide="#6b6b76",
    chart_marker="#45454f",
    kl_hot="#b3261e",
    scroll_handle="#4a4a55",
    scroll_handle_hover="#6b6b76",
    pygments_style="github-dark",
)

THEMES = ("system", "light", "dark")
_current = LIGHT


def current() -> Palette:
    """The palette in use (set by ui/theme.py)."""
    return _current


def page_colours(p: Palette) -> PageColours:
    """A theme's colours for a chat exported as HTML: as the chat shows them."""
    return PageColours(
        background=p.window,
        text=p.text,
        muted=p.text_muted,
        border=p.border,
        quote=p.border_strong,
        user=p.user_bubble,
        answer=p.window,
    )


# Both themes: the reader's light or dark setting picks one when the file is opened.
HTML_COLOURS: HtmlColours = (page_colours(LIGHT), page_colours(DARK))


def set_current(palette: Palette) -> None:
    global _current
    _current = palette


def fit_colours(palette: Palette) -> dict[str, tuple[str, str]]:
    """Background and text of each fit verdict ("fits", "tight", "too_big")."""
    return {
        "fits": (palette.fit_fits, palette.success_text),
        "tight": (palette.fit_tight, palette.warning_text),
        "too_big": (palette.fit_too_big, palette.danger_text),
    }


def text_pairs(palette: Palette) -> list[tuple[str, str, str]]:
    """(what, text colour, background) for every place the app sets text on a background."""
    p = palette
    pairs = [
        ("body text", p.text, p.window),
        ("body text on raised areas", p.text, p.surface),
        ("muted text", p.text_muted, p.window),
        ("subtle text", p.text_subtle, p.window),
        ("subtle text on raised areas", p.text_subtle, p.surface),
        ("sidebar text", p.text, p.sidebar),
        ("selected item", p.selection_text, p.selection),
        ("user bubble", p.text, p.user_bubble),
        ("code", p.text, p.code_background),
        ("button text", p.on_accent, p.accent),
        ("button text, hovered", p.on_accent, p.accent_hover),
        ("stop button", p.on_accent, p.danger),
        ("link", p.link_text, p.window),
        ("error text", p.danger_text, p.window),
        ("warning text", p.warning_text, p.window),
        ("success text", p.success_text, p.window),
        ("warning banner", p.banner_warning_text, p.banner_warning),
        ("error banner", p.banner_error_text, p.banner_error),
        ("success banner", p.banner_success_text, p.banner_success),
        ("info banner", p.banner_info_text, p.banner_info),
        ("token of the most KL", p.text, p.kl_hot),
    ]
    pairs += [(f"fit verdict {name}", text, back) for name, (back, text) in fit_colours(p).items()]
    return pairs


def blend(start: str, end: str, share: float) -> str:
    """The colour `share` (0 to 1) of the way from `start` to `end`."""
    mixed = (
        round(int(start[i : i + 2], 16) * (1 - share) + int(end[i : i + 2], 16) * share)
        for i in (1, 3, 5)
    )
    return "#" + "".join(f"{channel:02x}" for channel in mixed)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2's contrast ratio of two "#rrggbb" colours, 1 to 21."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
