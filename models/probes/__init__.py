"""Probes: what a loaded model computes, read fast and safely from the pages: compiled
prediction, feature maps, the one step-by-step recurrent probe, LSTM gates, the review reader."""
