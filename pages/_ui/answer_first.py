"""Answer first, pictures second: a stroke's answer is painted before the views below it are sent.

A Draw-page run used to send the answer and then, a few milliseconds later, every view below it
(charts, feature maps, the pen replay). The browser received them all at once and drew them in
one long task (70–145 ms on this machine's Chromium) before it could paint anything, so the
answer, although in the page after ~110 ms, reached the screen after ~190 ms.

Now a page has two fragments. The first (input and answer) ends with :func:`announce`: a tiny
component whose JavaScript, once the browser has painted that run, tells the page "reading N is
answered". The second fragment (the views) starts with :func:`follow`: its JavaScript hears that
and, when the views show an older reading, asks the server for a rerun of the views alone. So the
student sees the answer at once and the pictures a moment later; nothing is computed twice (the
first fragment leaves its reading in the session for the second).

A reading's id names its content (a hash of the input), so the same input never asks twice; a
full run (opening the page, switching the input) draws both fragments and asks nothing. Each
reading asks at most once: if the views' run fails, nothing loops.
"""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

# Our own constant code (never built from input). ``data``: {channel, reading}.
ANNOUNCE_JS = """
export default function ({ data }) {
  const answered = (window.__explorerAnswered ||= {});
  if (answered[data.channel] === data.reading) return;
  answered[data.channel] = data.reading;
  // After the next frame, i.e. once the answer of this run has been painted.
  requestAnimationFrame(() => setTimeout(() => {
    window.dispatchEvent(new CustomEvent("explorer:answered", { detail: data.channel }));
  }, 0));
}
"""

# ``data``: {channel, shown}: the reading the views on screen show (null: none yet).
FOLLOW_JS = """
export default function ({ data, setTriggerValue }) {
  const asked = (window.__explorerAsked ||= {});
  const catchUp = () => {
    const latest = (window.__explorerAnswered || {})[data.channel];
    if (latest === undefined || latest === data.shown || asked[data.channel] === latest) return;
    asked[data.channel] = latest;  // once per reading, whatever happens to that run
    setTriggerValue("answered", latest);
  };
  const heard = (event) => { if (event.detail === data.channel) catchUp(); };
  window.addEventListener("explorer:answered", heard);
  catchUp();
  return () => window.removeEventListener("explorer:answered", heard);
}
"""

_announce = st.components.v2.component("explorer.answer_announce", js=ANNOUNCE_JS, isolate_styles=False)
_follow = st.components.v2.component("explorer.answer_follow", js=FOLLOW_JS, isolate_styles=False)


def reading_id(*parts) -> str:
    """A name for an input's content: equal inputs, equal names. ``parts``: arrays, strings, None."""
    digest = hashlib.sha1()
    for part in parts:
        digest.update(np.ascontiguousarray(part).tobytes() if isinstance(part, np.ndarray) else repr(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def announce(channel: str, reading: str) -> None:
    """At the end of the answer's fragment: reading ``reading`` of ``channel`` is answered."""
    from pages._ui import layout

    with st.container(key=f"{layout.INVISIBLE}_announce_{channel}"):
        _announce(data={"channel": channel, "reading": reading}, key=f"answer_announce_{channel}")


def follow(channel: str, shown: str | None) -> None:
    """At the start of the views' fragment, which shows reading ``shown``: rerun this fragment
    when a newer answer of ``channel`` has been painted."""
    from pages._ui import layout

    with st.container(key=f"{layout.INVISIBLE}_follow_{channel}"):
        _follow(data={"channel": channel, "shown": shown}, key=f"answer_follow_{channel}",
                on_answered_change=lambda: None)
