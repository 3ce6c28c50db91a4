"""Example inputs the pages offer (display content: prose, not model code)."""

# Reviews for the Review page's "Or try an example" pills.
REVIEWS = {
    "Clearly positive": "One of the best films I have seen in years. The acting is superb, the story is moving "
                        "and the music is beautiful. I loved every minute of it.",
    "Clearly negative": "A complete waste of time. The plot makes no sense, the acting is wooden and the "
                        "dialogue is painful. I wanted to leave after twenty minutes.",
    "Negation": "Everyone said it was good. It was not good at all, just boring and far too long.",
    "Sarcasm": "Oh great, another two hours of my life I will never get back. Truly a masterpiece of boredom.",
    "Mixed": "The actors do their best and the photography is lovely, but the script is weak and the "
             "ending is a mess.",
}

# Negation pairs for the Review page: the same everyday sentence both ways round. Each is a pair of
# tests/data/negation.tsv (a test checks it), the suite the models are scored on.
NEGATION_PAIRS = [
    ("The food was good.", "The food wasn't good."),
    ("This is bad.", "This is not bad at all."),
    ("The movie was terrible.", "The movie wasn't terrible."),
    ("I loved it.", "I didn't love it."),
    ("It couldn't have been better.", "It could have been better."),
]

# The review the Gates page starts with.
GATES_REVIEW = "The film was not good at all, but the actors were great and I loved the music."
