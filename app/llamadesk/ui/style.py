"""The app's look: one stylesheet, light and quiet, so the conversation stands out."""

ACCENT = "#3b5bdb"

STYLESHEET = f"""
QMainWindow, #mainArea, #chatContent, #chatView {{ background: #ffffff; }}
QToolBar#toolbar {{
    background: #fafafa; border: none; border-bottom: 1px solid #e6e6e9;
    padding: 6px 8px; spacing: 8px;
}}
#sidebar {{ background: #f6f6f8; border-right: 1px solid #e6e6e9; }}
#newChatButton {{
    background: {ACCENT}; color: white; border: none; border-radius: 8px;
    padding: 8px 12px; font-weight: 600; text-align: left;
}}
#newChatButton:hover {{ background: #2f4ac0; }}
#sidebar QLineEdit {{
    border: 1px solid #dcdce0; border-radius: 8px; padding: 6px 8px; background: white;
}}
#conversationList {{ border: none; background: transparent; outline: none; }}
#conversationList::item {{ padding: 8px 8px; border-radius: 6px; color: #303036; }}
#conversationList::item:selected {{ background: #e3e7fb; color: #1b2a6b; }}
#conversationList::item:hover:!selected {{ background: #ececf1; }}
#userBubble {{ background: #eef2ff; border-radius: 12px; }}
#assistantBubble {{ background: #ffffff; border: 1px solid #ececf0; border-radius: 12px; }}
#bubbleAuthor {{ color: #6b6b76; font-size: 11px; font-weight: 600; }}
#bubbleBody {{ color: #1d1d22; }}  /* size: chat_view.BODY_PIXEL_SIZE */
StreamingTail {{ background: #ffffff; }}  /* opaque: its updates repaint nothing under it */
#bubbleFooter {{ color: #8a8a94; font-size: 11px; }}
#reasoningBody {{
    color: #55555f; background: #f6f6f9; border-left: 3px solid #dcdce4; font-size: 13px;
}}
#linkButton {{
    background: transparent; border: none; color: {ACCENT}; font-size: 11px; padding: 2px 6px;
}}
#linkButton:hover {{ text-decoration: underline; }}
#linkButton:disabled {{ color: #c4c4cc; }}
#pill {{
    background: #f4f4f7; border: 1px solid #e0e0e6; border-radius: 10px; color: #4a4a55;
    font-size: 11px; padding: 2px 10px;
}}
#pill:hover {{ border-color: {ACCENT}; }}
#pill:checked {{ background: #e3e7fb; border-color: {ACCENT}; color: #1b2a6b; }}
#composer {{ background: #ffffff; border-top: 1px solid #ececf0; }}
#composerEditor {{
    border: 1px solid #d6d6dc; border-radius: 10px; padding: 8px; font-size: 14px;
    background: #fcfcfd;
}}
#composerEditor:focus {{ border-color: {ACCENT}; }}
#sendButton, #primaryButton {{
    background: {ACCENT}; color: white; border: none; border-radius: 10px;
    padding: 10px 16px; font-weight: 600;
}}
#sendButton:hover, #primaryButton:hover {{ background: #2f4ac0; }}
#sendButton:disabled, #primaryButton:disabled {{ background: #b9c3ee; }}
#downloadRow {{ border: 1px solid #e6e6e9; border-radius: 8px; background: #fafafa; }}
#sendButton[stop="true"] {{ background: #c92a2a; }}
#sendButton[stop="true"]:hover {{ background: #a61e1e; }}
#welcomeCard {{ background: #f8f9fc; border: 1px solid #e6e8f0; border-radius: 16px; }}
#welcomeTitle {{ font-size: 22px; font-weight: 700; color: #1d1d22; }}
#welcomeText {{ font-size: 13px; color: #4a4a55; }}
#welcomeOption {{ font-size: 13px; color: #4a4a55; }}
#welcome QPushButton {{
    padding: 11px 18px; border-radius: 10px; font-size: 14px; font-weight: 600;
    background: #ffffff; border: 1px solid #d6d6dc; color: #1d1d22;
}}
#welcome QPushButton:hover {{ border-color: {ACCENT}; color: {ACCENT}; }}
#welcome #primaryButton {{ background: {ACCENT}; color: white; border: none; }}
#welcome #primaryButton:hover {{ background: #2f4ac0; color: white; }}
#bannerAction {{
    border: 1px solid currentColor; border-radius: 6px; padding: 3px 10px; background: white;
}}
#banner {{ background: #fff4e6; border-bottom: 1px solid #ffd8a8; color: #7a3d00; }}
#banner[kind="error"] {{ background: #fff5f5; border-bottom: 1px solid #ffc9c9; color: #8a1c1c; }}
#warningText {{ color: #a35200; }}
#errorText {{ color: #c92a2a; }}
#bannerClose {{ border: none; background: transparent; }}
#banner[kind="success"] {{ background: #ebfbee; border-bottom: 1px solid #b2f2bb; color: #1e5f2b; }}
#banner[kind="info"] {{ background: #f3f5fd; border-bottom: 1px solid #dbe2fb; color: #1b2a6b; }}
#datasetView {{ background: #ffffff; }}
#pageTitle {{ font-size: 20px; font-weight: 700; color: #1d1d22; }}
#pageText {{ font-size: 13px; color: #4a4a55; }}
#pageNote {{ font-size: 11px; color: #7a7a85; }}
#sectionTitle {{ font-weight: 600; color: #303036; }}
#datasetCounts {{
    font-size: 14px; font-weight: 600; color: #1b2a6b; background: #f3f5fd;
    border: 1px solid #e3e7fb; border-radius: 8px; padding: 8px 12px;
}}
#exportButton {{
    border: 1px solid #d6d6dc; border-radius: 8px; padding: 6px 12px; background: #fcfcfd;
}}
#exportButton:hover {{ border-color: {ACCENT}; }}
#pairsTable, #leaderboard {{
    border: 1px solid #e6e6e9; border-radius: 8px; alternate-background-color: #fafafc;
    selection-background-color: #e3e7fb; selection-color: #1b2a6b;
}}
#chosenTitle {{ color: #2b8a3e; font-weight: 600; }}
#rejectedTitle {{ color: #c92a2a; font-weight: 600; }}
#answerText {{ border: 1px solid #ececf0; border-radius: 8px; background: #fcfcfd; }}
QStatusBar {{ background: #fafafa; border-top: 1px solid #e6e6e9; color: #55555f; }}
QStatusBar QLabel {{ padding: 0 8px; }}
"""
