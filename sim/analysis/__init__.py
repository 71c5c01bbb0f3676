"""Analysis on top of solutions: explanations now; sweeps and regime shifts later."""
