"""Training: the loop every model trains through, run settings, augmentation, and the worker
process that trains for the pages."""
