"""Figures: functions from results to matplotlib figures, one module per kind.

Every figure uses the Okabe-Ito colour-blind-safe palette together with hatch
patterns and direct labels, so that it reads in black-and-white print and on a
classroom projector. matplotlib is imported inside the functions (``sim --help``
stays fast) with the non-interactive Agg backend when no display is set.
"""

from __future__ import annotations

__all__ = ["HATCHES", "PALETTE"]

#: Okabe & Ito (2008), "Color Universal Design": distinguishable with every
#: common colour-vision deficiency.
PALETTE = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)
#: Hatches that keep regions apart when printed in grey.
HATCHES = ("", "//", "..", "\\\\", "xx", "--", "++", "oo")
