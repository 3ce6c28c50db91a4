"""The answer beside an input (Draw, Photo): the first model's class in large type, and whether
the others agree. The maths (agreement, who is unsure) is models.probes.compiled's."""

from __future__ import annotations

import streamlit as st

from models.probes import compiled


def show_answer(probabilities: dict, titles: dict[str, str], class_names: list[str]) -> dict:
    """``probabilities`` in the registry's order (its first model leads); returns the verdict
    (``compiled.agreement``) for page-specific notes."""
    verdict = compiled.agreement(probabilities)
    lead = next(iter(probabilities))
    st.metric(f"The {titles[lead]} says", class_names[int(probabilities[lead].argmax())],
              f"{probabilities[lead].max():.0%} sure", delta_color="off", delta_arrow="off")
    if verdict["all_agree"]:
        st.success(f"All {len(probabilities)} models agree: **{class_names[verdict['majority']]}**.")
    else:
        picks = ", ".join(f"{titles[k]} **{class_names[v]}**" for k, v in verdict["picks"].items())
        st.warning(f"The models disagree: {picks}.")
    return verdict
