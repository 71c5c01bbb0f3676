"""Figures: functions from results to matplotlib figures, one module per kind.

Every figure uses the Okabe-Ito colour-blind-safe palette together with hatch
patterns and direct labels, so that it reads in black-and-white print and on a
classroom projector. matplotlib is imported inside the functions (``sim --help``
stays fast) with the non-interactive Agg backend when no display is set.
"""

from __future__ import annotations

__all__ = ["HATCHES", "PALETTE", "outcome_legend", "region_letter", "region_style"]

from typing import Any

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


def region_style(k: int) -> dict[str, Any]:
    """Fill, hatch and edge of the ``k``-th outcome's region."""
    return {
        "facecolor": PALETTE[k % len(PALETTE)],
        "hatch": HATCHES[k % len(HATCHES)],
        "edgecolor": "black",
    }


def region_letter(ax: Any, x: float, y: float, k: int) -> None:
    """The ``k``-th outcome's letter (A, B, ...) in a white circle at ``(x, y)``."""
    ax.text(
        x,
        y,
        chr(ord("A") + k),
        ha="center",
        va="center",
        fontsize=15,
        fontweight="bold",
        bbox={"facecolor": "white", "edgecolor": "black", "boxstyle": "circle"},
    )


def outcome_legend(ax: Any, labels: dict[str, int], below: float) -> None:
    """A legend under ``ax``: each outcome's swatch, letter and description in words.

    Long descriptions are wrapped, so that the legend stays within the figure.
    """
    import textwrap

    from matplotlib.patches import Patch

    handles = [
        Patch(
            **region_style(k),
            label=textwrap.fill(f"{chr(ord('A') + k)}: {label}", width=96, subsequent_indent="   "),
        )
        for label, k in labels.items()
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, below),
        fontsize=9,
        frameon=False,
    )
