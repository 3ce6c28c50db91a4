"""The one page list (app.py routes it, the home page shows it as cards) and the one typed
request a page can send another: "open this drawing / review on the Gates page"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st


@dataclass(frozen=True)
class PageEntry:
    path: str  # the page file, relative to the project root (AppTest's switch_page takes it too)
    title: str
    icon: str
    card: str | None = None  # what a student does there, for the home page's cards (None: no card)
    default: bool = False


# Every page, in the order of the sidebar. With st.navigation, Streamlit's automatic pages/
# discovery is off: a page file that is not listed here is not served.
PAGES = [
    PageEntry("pages/home.py", "Home", ":material/home:", default=True),
    PageEntry("pages/draw.py", "Draw a digit", ":material/draw:",
              "Draw with the mouse (or upload a photo, or pick a real MNIST digit). See what each model thinks, "
              "the 28×28 picture it really sees, the CNN's feature maps and the recurrent memory row by row."),
    PageEntry("pages/review.py", "Type a review", ":material/rate_review:",
              "Type a movie review and watch four recurrent networks read it word by word: which words push "
              "them towards positive or negative, where they change their minds, which words they do not know."),
    PageEntry("pages/photo.py", "Show it a photo", ":material/photo_camera:",
              "Take a photo with the camera or upload one: two CNNs trained on CIFAR-10 say which of ten things "
              "it shows, what 32×32 picture they see, their feature maps, and where they looked (Grad-CAM)."),
    PageEntry("pages/write.py", "Watch an LSTM write", ":material/edit_note:",
              "A character-level LSTM writes a positive or a negative movie review, one character at a time; "
              "see its guess for every next character, play with the temperature, or write along with it."),
    PageEntry("pages/gates.py", "LSTM gates", ":material/tune:",
              "Train a small LSTM on a sine or cosine wave in seconds (or take the pretrained one), see it "
              "forecast, then step through time and watch its input, forget and output gates open and close, "
              "with the numbers."),
    PageEntry("pages/compare.py", "Compare models", ":material/compare:",
              "Confusion matrices side by side: click a cell to see the digits or reviews behind it and which "
              "models share the mistake. Training curves of every model on one chart, and the architectures "
              "compared."),
    PageEntry("pages/train.py", "Train live", ":material/model_training:",
              "Set epochs, batch size, learning rate, units, layers and dropout (or pick a course recipe), press "
              "Train and watch the curves grow; your model then joins the Compare page."),
    PageEntry("pages/board.py", "Class board", ":material/groups:",
              "Send your drawing or review to the teacher's screen: the whole class's work with every model's "
              "answer, and how well the models read the class's own digits and reviews."),
]
GATES_PAGE = "pages/gates.py"
REVIEW_PAGE = "pages/review.py"


def streamlit_pages() -> list:
    return [st.Page(p.path, title=p.title, icon=p.icon, default=p.default) for p in PAGES]


# -- Opening the LSTM gates page on another page's input ---------------------------------------


@dataclass(frozen=True)
class GateRequest:
    """Show ``model`` on the Gates page reading this input: ``image`` (the model's input array,
    e.g. a 28×28 float array in 0..1) or ``text`` (a string, for models that read raw text)."""

    model: str
    image: Any = None
    text: str | None = None


GATE_REQUEST = "gate_request"  # the one session-state key the request travels under


def open_gate_view(request: GateRequest) -> None:
    """Switch to the Gates page with ``request``. Call it in a button's branch."""
    send_gate_request(request)
    st.switch_page(GATES_PAGE)


def send_gate_request(request: GateRequest) -> None:
    st.session_state[GATE_REQUEST] = request


def take_gate_request() -> GateRequest | None:
    """The request sent to the Gates page, once (it is removed), or None."""
    request = st.session_state.pop(GATE_REQUEST, None)
    return request if isinstance(request, GateRequest) else None


# -- Opening the Review page on a text (e.g. a review the writing LSTM wrote) --------------------

REVIEW_REQUEST = "review_request"  # the one session-state key a review travels under


@dataclass(frozen=True)
class ReviewRequest:
    """Show the Review page reading ``text``."""

    text: str


def open_review(text: str) -> None:
    """Switch to the Review page with ``text`` in its box. Call it in a button's branch."""
    st.session_state[REVIEW_REQUEST] = ReviewRequest(text)
    st.switch_page(REVIEW_PAGE)


def take_review_request() -> ReviewRequest | None:
    """The review sent to the Review page, once (it is removed), or None."""
    request = st.session_state.pop(REVIEW_REQUEST, None)
    return request if isinstance(request, ReviewRequest) else None
