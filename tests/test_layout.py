"""The stylesheet that fits every screen (pages/_ui/layout.py) is a plain constant (st.html only
ever renders our own constant text); these check it still says what its names promise. How it
looks is checked in Chromium: tests/browser/test_fit_every_screen.py."""

from pages._ui import layout


def test_every_marked_block_has_its_rule():
    for key in (layout.CANVAS_BLOCK, layout.ANSWER_BLOCK, layout.VERDICTS, layout.EQUATIONS, layout.REVIEW_INPUT,
                layout.REVIEW_RESULTS, layout.INVISIBLE):
        assert f".st-key-{key}" in layout.STYLESHEET, key
    assert f'[class*="st-key-{layout.PIXELATED}"] img' in layout.STYLESHEET  # a prefix: several images


def test_the_sizes_named_above_are_the_ones_used():
    assert f"min-width: min(100%, {layout.NARROWEST_COLUMN})" in layout.STYLESHEET
    assert f"@media (min-width: {layout.WIDE_SCREEN}px)" in layout.STYLESHEET
    assert f"zoom: {layout.WIDE_SCREEN_ZOOM};" in layout.STYLESHEET


def test_the_review_fade_follows_streamlits_unsent_text_hint():
    fade = next(rule for rule in layout.STYLESHEET.split("}") if "InputInstructions" in rule)
    assert f".st-key-{layout.REVIEW_INPUT}" in fade and f".st-key-{layout.REVIEW_RESULTS} ~ *" in fade
    assert "opacity: 0.35" in layout.STYLESHEET


def test_charts_undo_the_zoom_they_are_sized_under():
    """Streamlit sizes a chart from its box's zoomed width; drawn zoomed again, a chart lost its
    right quarter. Inside charts the page's zoom is undone, on wide screens and in projector mode."""
    import re

    from pages._ui import classroom

    for css in (layout.STYLESHEET, classroom.PROJECTOR_CSS):
        page = float(re.search(r"\.stMainBlockContainer \{ zoom: ([\d.]+); \}", css).group(1))
        chart = float(re.search(r'\[data-testid="stVegaLiteChart"\] \{ zoom: ([\d.]+); \}', css).group(1))
        assert abs(page * chart - 1) < 1e-3, (page, chart)
