"""One stylesheet that makes every page fit the screens a class uses: 390 px phones, 1024×768 and
1280×800 projectors with the sidebar open, and 1920 px screens at the front of a room.

Streamlit's columns keep their proportions down to a 640 px wide window and only then stack, so
with the sidebar open a 1024 px projector squeezed a three-column page into ~160 px columns: the
canvas was cut, verdicts read "neg…", equations were clipped. Here a column never gets narrower
than it can show (it moves to the next row instead), equations shrink to their column, and on a
wide screen the type, the canvas and the answers grow. Pages mark the blocks that need more room
with ``st.container(key=...)``, whose key Streamlit turns into the CSS class ``st-key-<key>``.
"""

from __future__ import annotations

import streamlit as st

# Blocks that pages mark by key (st.container(key=...)); the stylesheet gives them their room.
CANVAS_BLOCK = "canvas_block"  # the drawing canvas: 280 px that must stay fully visible
ANSWER_BLOCK = "answer_block"  # the answer beside an input: narrow enough to stay beside it
VERDICTS = "verdicts"  # a row of one card per model: each card keeps its word readable
EQUATIONS = "equations"  # a column of LaTeX equations
REVIEW_INPUT = "review_input"  # the Review page's text box ...
REVIEW_RESULTS = "review_results"  # ... and the verdicts that fade while its new text is unread
PIXELATED = "pixelated"  # (key prefix) small images shown large, every pixel a sharp square
INVISIBLE = "invisible"  # a block that shows nothing (a script's mount point): it takes no room

NARROWEST_COLUMN = "15rem"  # below this a column moves to the next row (Streamlit: ~0)
WIDE_SCREEN = 1600  # px: from here on (1920 projectors, big monitors) type and canvas grow
WIDE_SCREEN_ZOOM = 1.3  # 1920 px then lays out like ~1480 px: the 280 px canvas shows as 364 px

# A plain constant (tests/test_security.py: st.html only ever renders our own constant text);
# tests/test_layout.py checks it names the keys and sizes above.
STYLESHEET = """
<style>
/* A column narrower than it can show moves to the next row instead of being cut. */
[data-testid="stHorizontalBlock"] > [data-testid="stColumn"] { min-width: min(100%, 15rem); }
[data-testid="stColumn"]:has(.st-key-canvas_block) { min-width: min(100%, 300px); }
[data-testid="stColumn"]:has(.st-key-answer_block) { min-width: min(100%, 12rem); }
.st-key-verdicts [data-testid="stColumn"] { min-width: min(100%, 11.5rem); }
.st-key-verdicts [data-testid="stMetricValue"] > div { overflow: visible; text-overflow: clip; }
/* A 28×28 digit or a mosaic of feature maps goes to the browser at its own size (a few hundred
   bytes, encoded in well under a millisecond) and is enlarged there, each pixel a sharp square. */
[class*="st-key-pixelated"] img { image-rendering: pixelated; }
/* A mount point that shows nothing takes no room (no gap under the canvas). */
.st-key-invisible, [data-testid="stLayoutWrapper"]:has(> .st-key-invisible) { display: none; }
/* Equations never cut: a long one shrinks to its column (and scrolls only as a last resort). */
.katex-display { overflow-x: auto; overflow-y: hidden; padding: 2px 0; }
.st-key-equations .katex { font-size: 1.05em; }
/* Streamlit shows "Press Ctrl+Enter to apply" while a text box holds text it has not sent yet:
   until then the verdicts on screen are the old text's, so they fade. */
.stMain:has(.st-key-review_input [data-testid="InputInstructions"]:not(:empty))
  :is(.st-key-review_results, .st-key-review_results ~ *) { opacity: 0.35; transition: opacity 0.2s; }
/* A chart wider than a phone (a grid of confusion matrices) scrolls inside its box; the page
   itself never scrolls sideways. */
[data-testid="stVegaLiteChart"] { max-width: 100%; overflow-x: auto; }
/* A long pill label (a course recipe) wraps onto two lines instead of ending in "…". */
[data-testid="stButtonGroup"] button { max-width: 100%; height: auto; }
[data-testid="stButtonGroup"] button * { white-space: normal !important; text-overflow: clip !important;
                                          overflow: visible !important; }
/* Everything needs a finger, not hover: bigger pills and radio targets on touch screens. */
@media (pointer: coarse) {
  [data-testid="stRadio"] label, [data-testid="stButtonGroup"] button { min-height: 2.4rem; }
}
/* The screen at the front of the room: the page grows together, type, canvas, answers and
   pictures (Streamlit sizes its text in px, so a root font size would not do it; CSS zoom does,
   and the canvas still puts the ink where the pointer is). Charts keep their own size. */
@media (min-width: 1600px) {
  .stMainBlockContainer { zoom: 1.3; }
  [data-testid="stSidebarContent"] { zoom: 1.15; }
  /* Streamlit sizes a chart from its box's zoomed width, which was then zoomed again (1.3 x 1.3:
     a chart's right quarter was cut off): inside a chart the zoom is undone. */
  .stMainBlockContainer [data-testid="stVegaLiteChart"] { zoom: 0.7692; }
}
</style>
"""


def on_a_phone() -> bool:
    """Whether the browser says it is a phone (its User-Agent's "Mobi", as MDN recommends):
    charts that cannot reflow, like a grid of confusion matrices, then use one column."""
    try:
        agent = st.context.headers.get("User-Agent", "")
    except Exception:  # no browser behind this run (AppTest, bare mode)
        return False
    return "Mobi" in (agent or "")


def fit_the_screen() -> None:
    """Inject the stylesheet (every run: Streamlit forgets elements a run did not draw)."""
    st.html(STYLESHEET)
