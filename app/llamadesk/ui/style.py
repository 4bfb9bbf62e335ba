"""The app's look: one stylesheet, quiet, so the conversation stands out.

Every colour comes from a `Palette` (ui/palette.py): the same sheet serves light and dark.
"""

from llamadesk.ui.palette import Palette


def stylesheet(p: Palette) -> str:
    """The application's stylesheet in palette `p`'s colours."""
    return f"""
QMainWindow, #mainArea, #chatContent, #chatView {{ background: {p.window}; }}
QToolBar#toolbar {{
    background: {p.surface}; border: none; border-bottom: 1px solid {p.border};
    padding: 6px 8px; spacing: 8px;
}}
#sidebar {{ background: {p.sidebar}; border-right: 1px solid {p.border}; }}
#newChatButton {{
    background: {p.accent}; color: {p.on_accent}; border: none; border-radius: 8px;
    padding: 8px 12px; font-weight: 600; text-align: left;
}}
#newChatButton:hover {{ background: {p.accent_hover}; }}
#sidebar QLineEdit {{
    border: 1px solid {p.border_strong}; border-radius: 8px; padding: 6px 8px;
    background: {p.window};
}}
#conversationList {{ border: none; background: transparent; outline: none; }}
#conversationList::item {{ padding: 8px 8px; border-radius: 6px; color: {p.text}; }}
#conversationList::item:selected {{ background: {p.selection}; color: {p.selection_text}; }}
#conversationList::item:hover:!selected {{ background: {p.hover}; }}
#userBubble {{ background: {p.user_bubble}; border-radius: 12px; }}
#assistantBubble {{ background: {p.window}; border: 1px solid {p.border}; border-radius: 12px; }}
#bubbleAuthor {{ color: {p.text_subtle}; font-size: 11px; font-weight: 600; }}
#bubbleBody {{ color: {p.text}; }}  /* size: chat_view.BODY_PIXEL_SIZE */
StreamingTail {{ background: {p.window}; }}  /* opaque: its updates repaint nothing under it */
#bubbleFooter {{ color: {p.text_subtle}; font-size: 11px; }}
QRadioButton::indicator {{
    width: 12px; height: 12px; border: 2px solid {p.text_subtle}; border-radius: 8px;
    background: {p.window};
}}
QRadioButton::indicator:hover {{ border-color: {p.accent}; }}
QRadioButton::indicator:checked {{
    border-color: {p.accent};
    background: qradialgradient(cx: 0.5, cy: 0.5, radius: 0.5, fx: 0.5, fy: 0.5,
        stop: 0 {p.accent}, stop: 0.55 {p.accent}, stop: 0.65 {p.window}, stop: 1 {p.window});
}}
#codeBlock {{ background: {p.code_background}; border-radius: 8px; margin: 4px 0; }}
#codeText {{ background: {p.code_background}; color: {p.text}; border: none; }}
#codeLanguage {{ color: {p.text_subtle}; font-size: 11px; }}
#reasoningBody {{
    color: {p.text_muted}; background: {p.code_background};
    border-left: 3px solid {p.border_strong}; font-size: 13px;
}}
#linkButton {{
    background: transparent; border: none; color: {p.link_text}; font-size: 11px; padding: 2px 6px;
}}
#linkButton:hover {{ text-decoration: underline; }}
#linkButton:disabled {{ color: {p.text_subtle}; }}
#pill {{
    background: {p.surface}; border: 1px solid {p.border_strong}; border-radius: 10px;
    color: {p.text_muted};
    font-size: 11px; padding: 2px 10px;
}}
#pill:hover {{ border-color: {p.accent}; }}
#pill:checked {{ background: {p.selection}; border-color: {p.accent}; color: {p.selection_text}; }}
#composer {{ background: {p.window}; border-top: 1px solid {p.border}; }}
#composerEditor {{
    border: 1px solid {p.border_strong}; border-radius: 10px; padding: 8px; font-size: 14px;
    background: {p.surface};
}}
#composerEditor:focus {{ border-color: {p.accent}; }}
#sendButton, #primaryButton {{
    background: {p.accent}; color: {p.on_accent}; border: none; border-radius: 10px;
    padding: 10px 16px; font-weight: 600;
}}
#sendButton:hover, #primaryButton:hover {{ background: {p.accent_hover}; }}
#sendButton:disabled, #primaryButton:disabled {{
    background: {p.accent_disabled}; color: {p.on_accent_disabled};
}}
#downloadRow {{ border: 1px solid {p.border}; border-radius: 8px; background: {p.surface}; }}
#sendButton[stop="true"] {{ background: {p.danger}; }}
#sendButton[stop="true"]:hover {{ background: {p.danger_hover}; }}
#welcomeCard {{ background: {p.surface}; border: 1px solid {p.border}; border-radius: 16px; }}
#welcomeTitle {{ font-size: 22px; font-weight: 700; color: {p.text}; }}
#welcomeText {{ font-size: 13px; color: {p.text_muted}; }}
#welcomeOption {{ font-size: 13px; color: {p.text_muted}; }}
#welcome QPushButton {{
    padding: 11px 18px; border-radius: 10px; font-size: 14px; font-weight: 600;
    background: {p.window}; border: 1px solid {p.border_strong}; color: {p.text};
}}
#welcome QPushButton:hover {{ border-color: {p.accent}; color: {p.accent}; }}
#welcome #primaryButton {{ background: {p.accent}; color: {p.on_accent}; border: none; }}
#welcome #primaryButton:hover {{ background: {p.accent_hover}; color: {p.on_accent}; }}
#bannerAction {{
    border: 1px solid currentColor; border-radius: 6px; padding: 3px 10px; background: {p.window};
}}
#banner {{
    background: {p.banner_warning};
    border-bottom: 1px solid {p.banner_warning_border};
    color: {p.banner_warning_text};
}}
#banner[kind="error"] {{
    background: {p.banner_error};
    border-bottom: 1px solid {p.banner_error_border};
    color: {p.banner_error_text};
}}
#warningText {{ color: {p.warning_text}; }}
#errorText {{ color: {p.danger_text}; }}
#bannerClose {{ border: none; background: transparent; }}
#banner[kind="success"] {{
    background: {p.banner_success};
    border-bottom: 1px solid {p.banner_success_border};
    color: {p.banner_success_text};
}}
#banner[kind="info"] {{
    background: {p.banner_info};
    border-bottom: 1px solid {p.banner_info_border};
    color: {p.selection_text};
}}
#datasetView {{ background: {p.window}; }}
#pageTitle {{ font-size: 20px; font-weight: 700; color: {p.text}; }}
#pageText {{ font-size: 13px; color: {p.text_muted}; }}
#pageNote {{ font-size: 11px; color: {p.text_subtle}; }}
#sectionTitle {{ font-weight: 600; color: {p.text}; }}
#datasetCounts {{
    font-size: 14px; font-weight: 600; color: {p.selection_text}; background: {p.banner_info};
    border: 1px solid {p.selection}; border-radius: 8px; padding: 8px 12px;
}}
#exportButton {{
    border: 1px solid {p.border_strong}; border-radius: 8px; padding: 6px 12px;
    background: {p.surface};
}}
#exportButton:hover {{ border-color: {p.accent}; }}
#pairsTable, #leaderboard {{
    border: 1px solid {p.border}; border-radius: 8px; alternate-background-color: {p.surface};
    selection-background-color: {p.selection}; selection-color: {p.selection_text};
}}
#chosenTitle {{ color: {p.success_text}; font-weight: 600; }}
#rejectedTitle {{ color: {p.danger_text}; font-weight: 600; }}
#answerText {{ border: 1px solid {p.border}; border-radius: 8px; background: {p.surface}; }}
/* Tabs drawn whole by the sheet: the platform style shifts an unselected tab's label down
   and clips what hangs below the baseline ("Q4_1" read "Q4 1"). */
QTabWidget::pane {{ border: 1px solid {p.border}; border-radius: 6px; top: -1px; }}
QTabBar::tab {{
    background: {p.surface}; color: {p.text_muted}; border: 1px solid {p.border};
    border-bottom: none; border-top-left-radius: 6px; border-top-right-radius: 6px;
    padding: 6px 14px; margin-right: 2px;
}}
QTabBar::tab:selected {{
    background: {p.window}; color: {p.text}; border-color: {p.border_strong};
}}
QTabBar::tab:hover:!selected {{ background: {p.hover}; }}
QTabBar::tab:disabled {{ color: {p.text_subtle}; }}
QStatusBar {{ background: {p.surface}; border-top: 1px solid {p.border}; color: {p.text_muted}; }}
QStatusBar QLabel {{ padding: 0 8px; }}
QScrollBar:vertical {{ background: transparent; width: 10px; margin: 0; border: none; }}
QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 0; border: none; }}
QScrollBar::handle:vertical {{
    background: {p.scroll_handle};
    border-radius: 4px;
    min-height: 28px;
    margin: 1px;
}}
QScrollBar::handle:horizontal {{
    background: {p.scroll_handle};
    border-radius: 4px;
    min-width: 28px;
    margin: 1px;
}}
QScrollBar::handle:hover {{ background: {p.scroll_handle_hover}; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}
QScrollBar::add-line, QScrollBar::sub-line {{
    width: 0;
    height: 0;
    border: none;
    background: transparent;
}}
"""
