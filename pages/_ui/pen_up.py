"""Send a drawing the moment the pen leaves the canvas.

streamlit-drawable-canvas 0.13 sends a finished stroke to the server only after 200 ms without
another change (a debounce hard-coded in its JavaScript, ``Bc = 200``): more than the whole
server run it starts (~45 ms), so a student waited ~250 ms for an answer, 200 of them for
nothing. The canvas also has its own toolbar button, "Update the app with this drawing", that
sends at once (and cancels the pending debounced send). This component presses that button for
the student when the pen goes up on a canvas, so the stroke leaves at pen-up, once.

If a later canvas version renames the button, nothing breaks: the debounced send still happens.
The listener lives on the document (one per browser tab, set up on the first mount), so it
survives reruns; it reacts only to a pointer that went down on a drawing canvas.
"""

from __future__ import annotations

import streamlit as st

SEND_BUTTON = "Update the app with this drawing"  # the canvas toolbar's own send button (its title)

# Our own constant code (never built from input).
SEND_ON_PEN_UP_JS = """
export default function () {
  if (window.__explorerSendOnPenUp) return;
  window.__explorerSendOnPenUp = true;
  let canvasRoot = null;  // the canvas component the pen went down on
  document.addEventListener("pointerdown", (event) => {
    const path = event.composedPath();
    const onCanvas = path.some((node) => node.classList && node.classList.contains("upper-canvas"));
    canvasRoot = onCanvas ? path.find((node) => node.classList && node.classList.contains("dc-root")) : null;
  }, true);
  const penUp = () => {
    const root = canvasRoot;
    canvasRoot = null;
    if (!root) return;
    // After the canvas's own handlers: the stroke is on the canvas and its debounced send queued.
    setTimeout(() => {
      const send = root.querySelector('button[title="SEND_BUTTON"]');
      if (send && !send.disabled) send.click();
    }, 0);
  };
  document.addEventListener("pointerup", penUp, true);
  document.addEventListener("pointercancel", penUp, true);
}
""".replace("SEND_BUTTON", SEND_BUTTON)

_send_on_pen_up = st.components.v2.component("explorer.send_on_pen_up", js=SEND_ON_PEN_UP_JS,
                                             isolate_styles=False)


def send_on_pen_up() -> None:
    """Mount once on a page with a drawing canvas (it shows nothing and takes no room)."""
    from pages._ui import layout

    with st.container(key=layout.INVISIBLE):
        _send_on_pen_up(key="send_on_pen_up")
