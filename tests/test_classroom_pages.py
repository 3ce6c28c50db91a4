"""AppTest: the class board page for students and for the teacher, sending to the board from the
Draw and Review pages (with the rate limit), and every page's state round trip through its address."""

import pytest
from streamlit.testing.v1 import AppTest

from data import class_board
from tests.conftest import ROOT

TIMEOUT = 120  # pages that predict import TensorFlow and compile the models on first use
TOKEN = "a-teacher-token-for-the-tests"


@pytest.fixture(autouse=True)
def classroom_env(monkeypatch, tmp_path):
    monkeypatch.setenv("EXPLORER_TEACHER_TOKEN", TOKEN)
    monkeypatch.setenv(class_board.DB_VARIABLE, str(tmp_path / "board.sqlite3"))
    return tmp_path / "board.sqlite3"


def app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    return at


def texts(at) -> str:
    return " ".join([m.value for m in at.markdown] + [i.value for i in at.info] + [e.value for e in at.error]
                    + [w.value for w in at.warning] + [s.value for s in at.subheader])


def board_page(query: dict | None = None) -> AppTest:
    at = app(query).run()
    at.switch_page("pages/board.py").run()
    assert not at.exception
    return at


# -- Teacher and students ---------------------------------------------------------------------------

def test_a_student_sees_no_teacher_controls_on_the_board():
    at = board_page()
    assert "Your teacher shows this page" in texts(at)
    assert not at.main.button and not at.main.text_input and not at.main.get("download_button")
    assert "Join from your phone" not in texts(at) and not at.main.get("imgs")
    assert not any(t.label == "Projector mode" for t in at.toggle)


def test_a_wrong_token_in_the_address_unlocks_nothing_and_is_removed():
    at = board_page({"teacher": "guess"})
    assert "Your teacher shows this page" in texts(at)
    assert "teacher" not in at.query_params


def test_the_teacher_link_unlocks_the_board_and_leaves_no_token_in_the_address():
    at = board_page({"teacher": TOKEN})
    assert "teacher" not in at.query_params
    assert "Your teacher shows this page" not in texts(at)
    assert "Join from your phone or laptop" in texts(at)
    assert any(t.label == "Projector mode" for t in at.toggle)
    # No board yet: the teacher starts one for the lesson.
    at.text_input(key="board_lesson").input("Week 3: CNNs")
    at.button(key="FormSubmitter:board_start-Start a new board").click().run()
    assert not at.exception
    assert class_board.ClassBoard().active_board().lesson == "Week 3: CNNs"
    assert "Board: Week 3" in texts(at)
    assert any(b.label == "Clear this board…" for b in at.button)


def test_the_sidebar_box_unlocks_teacher_mode():
    at = board_page()
    at.text_input(key="classroom_token_box").input("not it").run()
    assert "That is not the teacher token." in texts(at)
    at.text_input(key="classroom_token_box").input(TOKEN).run()
    assert not at.exception
    assert "Join from your phone or laptop" in texts(at)
    assert not any(t.key == "classroom_token_box" for t in at.text_input)  # the box is gone, token and all


def test_clearing_the_board_asks_first(classroom_env):
    board = class_board.ClassBoard()
    active = board.start_board("Lesson")
    board.submit_review("s1", "great film", "positive", {"imdb_lstm": {"label": "positive", "confidence": 0.9}})
    at = board_page({"teacher": TOKEN})
    at.button(key="board_clear").click().run()
    assert "Delete all 1 submissions" in texts(at)
    at.button(key="board_clear_yes").click().run()
    assert not at.exception
    assert board.submissions(active.id) == []


def test_the_teacher_board_shows_the_class_work(classroom_env):
    board = class_board.ClassBoard()
    board.start_board("Lesson")
    from data.classroom import qr_png

    png = qr_png("x")  # any small PNG
    board.submit_drawing("s1", png, 3, {"mnist_cnn": {"label": "3", "confidence": 0.9},
                                        "mnist_lstm": {"label": "5", "confidence": 0.6}}, nickname="*Ada*")
    board.submit_review("s2", "not good at all", "negative", {"imdb_lstm": {"label": "positive", "confidence": 0.7}})
    at = board_page({"teacher": TOKEN})
    assert not at.exception
    shown = texts(at)
    assert any(t.value == "*Ada*" for t in at.text)  # the nickname as plain text
    assert "meant **3**" in shown and "LSTM **5**" in shown  # the LSTM's mistake is bold
    table = at.table[0].value
    assert list(table.loc["CNN"]) == ["100% (1/1)", "99.5%"] and table.loc["LSTM"].iloc[0] == "0% (0/1)"
    at.segmented_control(key="board_kind").set_value("review").run()
    assert not at.exception
    assert at.query_params.get("kind") in ("review", ["review"])
    assert any("not good at all" in t.value for t in at.text)
    at.button(key="board_open_2").click().run()
    assert not at.exception
    assert at.session_state["review_text"] == "not good at all"


# -- Sending from the pages ------------------------------------------------------------------------

def draw_page_with_a_test_digit() -> AppTest:
    at = app().run()
    at.switch_page("pages/draw.py").run()
    at.session_state["draw_source"] = "Random MNIST test digit"
    at.run()
    assert not at.exception
    return at


def send(at, meant: str, nickname: str = "") -> None:
    at.session_state["board_meant_drawing"] = meant
    at.text_input(key="board_nickname_drawing").input(nickname)
    at.button(key="FormSubmitter:board_send_drawing-Send to the class board").click().run()
    assert not at.exception


def test_sending_a_drawing_stores_it_and_the_rate_limit_says_so(mnist_path):
    board = class_board.ClassBoard()
    active = board.start_board("Lesson")
    at = draw_page_with_a_test_digit()
    send(at, "7", "<b>me</b>")
    assert any("Sent to the class board" in s.value for s in at.success), texts(at)
    stored = board.submissions(active.id, "drawing")
    assert len(stored) == 1 and stored[0].meant == "7" and stored[0].nickname == "<b>me</b>"
    assert set(stored[0].answers) >= {"mnist_cnn", "mnist_lstm"}
    for meant in "012345":
        send(at, meant)
    assert any("wait a little" in e.value for e in at.error), texts(at)
    assert len(board.submissions(active.id, "drawing")) == class_board.RATE_LIMIT


def test_sending_before_the_board_is_open_says_so(mnist_path):
    at = draw_page_with_a_test_digit()
    send(at, "1")
    assert any("not open yet" in e.value for e in at.error)


# -- URL state round trips ---------------------------------------------------------------------------

ROUND_TRIPS = [
    # page, address in, widget key, value restored, widget value changed to, address field and value out
    ("pages/compare.py", {"metric": "loss", "normalise": "1"}, "compare_metric", "loss", "accuracy", "metric", None),
    ("pages/write.py", {"temperature": "1.5", "length": "120", "sentiment": "negative"}, "write_length", 120, 200,
     "length", "200"),
    ("pages/train.py", {}, "train_preset", None, None, None, None),
    ("pages/review.py", {"text": "not good at all"}, "review_text", "not good at all", "great", "text", "great"),
    ("pages/gates.py", {"source": "cosine"}, "gates_task", "cosine", "sine", "source", None),
]


@pytest.mark.parametrize("page, query, key, restored, changed, field, out", ROUND_TRIPS)
def test_url_state_round_trip(page, query, key, restored, changed, field, out, imdb_path):
    at = app(query)
    at.switch_page(page).run()
    assert not at.exception
    if restored is not None:
        assert at.session_state[key] == restored
    if changed is None:
        return
    at.session_state[key] = changed
    at.run()
    assert not at.exception
    if out is None:
        assert field not in at.query_params
    else:
        assert at.query_params[field] in (out, [out])


def test_draw_page_restores_its_source_and_digit_from_the_address(mnist_path):
    at = app({"source": "test", "example": "42"})
    at.switch_page("pages/draw.py").run()
    assert not at.exception
    assert at.session_state["draw_source"] == "Random MNIST test digit"
    assert at.session_state["mnist_index"] == 42
    assert any("test digit #42" in md.value for md in at.markdown)
    at.button(key="another_digit").click().run()
    at.run()
    assert at.query_params["example"] in (str(at.session_state["mnist_index"]), [str(at.session_state["mnist_index"])])


def test_hostile_addresses_fall_back_to_the_defaults():
    at = app({"temperature": "nan", "length": "99999", "prompt": "\x00evil", "sentiment": "<script>"})
    at.switch_page("pages/write.py").run()
    assert not at.exception
    assert at.session_state["write_length"] == 300 and at.session_state["write_temperature"] == 0.8
    assert at.session_state["write_prompt"] == "This movie was"


def test_a_prepared_gates_link_opens_the_lstm_on_the_review_at_the_step():
    at = app({"model": "imdb_lstm", "t": "3", "text": "not good at all"})
    at.switch_page("pages/gates.py").run()
    assert not at.exception
    assert at.session_state["gates_source"] == "imdb_lstm"
    assert at.session_state["gates_text"] == "not good at all"
    assert at.session_state["gates_step"] == 3
    assert at.query_params["t"] in ("3", ["3"])


def test_photo_and_train_links_restore_their_widgets():
    at = app({"source": "upload"})
    at.switch_page("pages/photo.py").run()
    assert not at.exception
    assert at.session_state["photo_source"] == "Upload a photo"
    from models.training import runs

    preset = list(runs.PRESETS)[-1]
    at = app({"preset": preset})
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert at.session_state["train_preset"] == preset
    settings = runs.PRESETS[preset]
    assert at.session_state["train_epochs"] == settings.epochs  # the recipe was applied, not only selected


def test_projector_mode_is_the_teacher_s_only():
    at = board_page({"teacher": TOKEN})
    assert not any("projector layout" in str(h.proto) for h in at.get("html"))
    at.toggle(key="classroom_projector").set_value(True).run()
    assert any("projector layout" in str(h.proto) for h in at.get("html"))
    at.button(key="classroom_lock").click().run()
    assert "Your teacher shows this page" in texts(at)
    assert not any("projector layout" in str(h.proto) for h in at.get("html"))


def test_a_damaged_board_file_is_a_message_not_a_traceback(classroom_env):
    classroom_env.write_bytes(b"this is not a database" * 100)
    at = board_page({"teacher": TOKEN})
    assert not at.exception
    assert any("cannot be used" in e.value for e in at.error)
