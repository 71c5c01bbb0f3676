"""Independent reference implementation of the flagship game (domain brief §3).

The game is solved by backward induction. This module is deliberately plain Python: no
import from ``sim``, explicit recursion over the game tree, one payoff function. Tests
compare the project's solver against it. Forced moves (``solve(..., forced=...)``) have a
single action.

The game
--------
``mediation`` (Washington: stay_out | mediate_quietly | press_publicly)
-> ``stance`` (Seoul: proceed | freeze | fund)
-> ``summit`` (Tokyo: attend | skip)
-> ``liquidation`` (chance: completes | stalls)
-> ``controls`` (Tokyo: ease | keep | tighten)
-> ``gsomia`` (Seoul: keep | terminate).

Perfect information. ``P(completes) = pi(stance)``: proceed ``h``, freeze ``h (1 - kappa)``,
fund ``h (1 - theta)``; with ``fund_design = 1`` (joint 1+1) and Tokyo skipping, the fund
collapses and ``pi = h``.

Interpretation choices (the brief's tables leave these open)
-----------------------------------------------------------
1. *Pressure* felt by each ally is ``P = s(m) * rho * pressure_scale`` with ``s`` = 0 /
   ``quiet_pressure_share`` / 1 for stay_out / mediate_quietly / press_publicly.
2. *Seoul's audience cost* is ``A * share(stance) * relief`` where ``A = seoul_audience_cost``
   (derived from ``seoul_approval`` as ``clip(7 + 0.375 (47 - approval), 0, 10)`` unless given),
   ``share`` = 0 / freeze_concession_share / korean_fund_concession_share (or
   joint_fund_concession_share for the 1+1 design), and ``relief = max(0, 1 - cover * rho)``
   only under ``press_publicly`` (quiet mediation is invisible, so no cover). It is paid
   whether or not a joint fund later collapses: announcing it was the public move.
3. *Fund justice* ``fund_justice_weight * theta`` is paid only when the fund operates and the
   liquidation stalls; if the sale completes, Seoul gets the full ``justice_value`` instead (the
   two are not added). A collapsed 1+1 fund pays neither justice nor fiscal cost.
4. *Tokyo's unreciprocated audience cost* ``tokyo_audience_cost * r`` (r = 1 / 0.5 / 0 after
   proceed / freeze / fund) is charged separately for attending and for easing;
   ``ease_after_liquidation_cost`` is added on top when Tokyo eases after a liquidation.
   US cover is not applied to Tokyo (the §3.3 Tokyo table has no cover term).
5. *Tokyo joins a 1+1 fund* exactly when ``fund_design = 1``, Seoul chose ``fund`` and Tokyo
   attends (skipping is refusing to join, and the fund collapses).
6. *Leverage*: keep +leverage_keep (stalls) / +leverage_keep_liquidated (completes); tighten
   +leverage_tighten_liquidated after a liquidation and 0 otherwise; ease 0.
7. *defy_us* for Seoul: ``P * defy_us_proceed_weight`` on ``proceed`` and
   ``P * defy_us_gsomia_weight`` on GSOMIA termination; keeping GSOMIA complies (0). For Tokyo:
   ``P * weight`` on skip / keep / tighten; attend and ease comply (0).
8. *GSOMIA*: on termination Seoul gets ``+gsomia_retaliation_tighten`` after tighten,
   ``+gsomia_retaliation_keep`` after keep, 0 after ease, and ``-gsomia_security_cost`` always;
   Tokyo loses ``gsomia_value_tokyo``; Washington loses the ``cohesion_gsomia`` term.
9. *Washington*: ``rho`` times (cohesion_gsomia if GSOMIA kept + cohesion_no_liquidation if the
   sale stalls + cohesion_controls_eased if eased + cohesion_summit_held if attended), minus the
   mediation cost, minus ``public_failure_cost`` under press_publicly when the outcome is a
   *stalemate*, defined as "Tokyo skips the summit and does not ease".
10. *Cha's abandonment channel*: fear ``F = 1 - us_commitment`` (clipped to [0, 1]). Three
    terms, all zero at ``us_commitment = 1``:

    - ``abandonment_audience_relief`` (w = 0.5): both governments' audience costs (Seoul's
      concession cost, Tokyo's unreciprocated cost, ease-after-liquidation cost) are scaled by
      ``1 - w F``: publics that fear being left alone by the patron punish cooperation less.
    - ``abandonment_hedge_summit`` (w = 1): each ally gains ``w F`` if the summit is held.
    - ``abandonment_hedge_normalisation`` (w = 1.5): each ally gains ``w F`` if Tokyo attends
      and eases (hedging by repairing the quasi-alliance).

    Seoul's terms are reported as ``abandonment_hedge``; the relief is folded into the
    audience-cost terms.

Tie rule
--------
A player picks the first action, in the order of :data:`PREFERENCE`, whose value is within
``TIE_TOLERANCE`` of the best. The order puts the status quo first (stay_out, proceed, skip,
keep, keep) and then the cheaper or milder options.

Deal
----
``deal_probability`` is the probability, on the subgame-perfect path, that Tokyo attends the
summit **and** eases the controls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

PLAYERS: tuple[str, ...] = ("washington", "seoul", "tokyo")
CHANCE = "chance"

MOVES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("mediation", "washington", ("stay_out", "mediate_quietly", "press_publicly")),
    ("stance", "seoul", ("proceed", "freeze", "fund")),
    ("summit", "tokyo", ("attend", "skip")),
    ("liquidation", CHANCE, ("completes", "stalls")),
    ("controls", "tokyo", ("ease", "keep", "tighten")),
    ("gsomia", "seoul", ("keep", "terminate")),
)
"""(move, mover, actions) in the order of play."""

PREFERENCE: dict[str, tuple[str, ...]] = {
    "mediation": ("stay_out", "mediate_quietly", "press_publicly"),
    "stance": ("proceed", "freeze", "fund"),
    "summit": ("skip", "attend"),
    "controls": ("keep", "ease", "tighten"),
    "gsomia": ("keep", "terminate"),
}
"""Tie-breaking order per decision move: the status quo first."""

TIE_TOLERANCE = 1e-9

DEFAULTS: dict[str, float] = {
    # United States
    "us_alliance_priority": 0.3,
    "quiet_pressure_share": 0.5,
    "pressure_scale": 2.0,
    "public_cover": 0.4,
    "us_commitment": 1.0,
    # Court and fund
    "seoul_approval": 47.0,
    "hazard_liquidation": 0.6,
    "assurance_credibility": 0.2,
    "plaintiff_acceptance": 0.5,
    "fund_design": 0.0,
    # Seoul
    "justice_value": 3.0,
    "fund_justice_weight": 1.5,
    "freeze_concession_share": 0.6,
    "korean_fund_concession_share": 1.0,
    "joint_fund_concession_share": 0.6,
    "fund_fiscal_cost_korean": 1.0,
    "fund_fiscal_cost_joint": 0.6,
    "semiconductor_cost_keep": 1.5,
    "semiconductor_cost_tighten": 4.0,
    "summit_value_seoul": 3.0,
    "normalisation_value": 2.0,
    "defy_us_proceed_weight": 1.0,
    "defy_us_gsomia_weight": 2.0,
    "gsomia_retaliation_tighten": 2.0,
    "gsomia_retaliation_keep": 0.5,
    "gsomia_security_cost": 1.0,
    # Tokyo
    "liquidation_loss": 8.0,
    "joint_fund_principle": 5.0,
    "summit_value_tokyo": 2.0,
    "attend_then_liquidated_penalty": 6.0,
    "tokyo_audience_cost": 3.0,
    "ease_after_liquidation_cost": 3.0,
    "exporter_cost_keep": 0.5,
    "exporter_cost_tighten": 2.0,
    "leverage_keep": 1.0,
    "leverage_keep_liquidated": 1.5,
    "leverage_tighten_liquidated": 4.0,
    "defy_us_skip_weight": 0.5,
    "defy_us_keep_weight": 1.0,
    "defy_us_tighten_weight": 2.0,
    "gsomia_value_tokyo": 2.0,
    # Washington
    "cohesion_gsomia": 5.0,
    "cohesion_no_liquidation": 2.0,
    "cohesion_controls_eased": 2.0,
    "cohesion_summit_held": 1.0,
    "mediation_cost_quiet": 0.5,
    "mediation_cost_public": 1.5,
    "public_failure_cost": 1.0,
    # Cha's abandonment channel (zero effect at us_commitment = 1)
    "abandonment_audience_relief": 0.5,
    "abandonment_hedge_summit": 1.0,
    "abandonment_hedge_normalisation": 1.5,
}
"""Baseline (November 2020) parameters. ``seoul_audience_cost`` is derived, see :func:`resolve`."""

DERIVED: tuple[str, ...] = ("seoul_audience_cost",)

Path = dict[str, str]
Terms = dict[str, dict[str, float]]
NodeKey = tuple[tuple[tuple[str, str], ...], str]
PayoffFn = Callable[[Mapping[str, float], Mapping[str, str]], Terms]


def audience_cost_from_approval(approval: float) -> float:
    """Seoul's audience cost from Moon's approval: 47 % -> 7, 39 % -> 10, clipped to [0, 10].

    Parameters
    ----------
    approval : float
        Gallup approval in percent.

    Returns
    -------
    float
        ``clip(7 + 0.375 (47 - approval), 0, 10)``.
    """
    return min(10.0, max(0.0, 7.0 + 0.375 * (47.0 - approval)))


def resolve(params: Mapping[str, float]) -> dict[str, float]:
    """Defaults overlaid with ``params``, plus the derived ``seoul_audience_cost``.

    Parameters
    ----------
    params : Mapping[str, float]
        Overrides. Unknown names raise ``KeyError``, so a typo cannot pass silently.

    Returns
    -------
    dict[str, float]
        Every parameter of :data:`DEFAULTS` and :data:`DERIVED`.
    """
    unknown = set(params) - set(DEFAULTS) - set(DERIVED)
    if unknown:
        raise KeyError(f"unknown parameters: {sorted(unknown)}")
    full = {**DEFAULTS, **params}
    if "seoul_audience_cost" not in params:
        full["seoul_audience_cost"] = audience_cost_from_approval(full["seoul_approval"])
    return full


def pressure(params: Mapping[str, float], mediation: str) -> float:
    """Pressure felt by each ally: ``s(m) * rho * pressure_scale``."""
    share = {
        "stay_out": 0.0,
        "mediate_quietly": params["quiet_pressure_share"],
        "press_publicly": 1.0,
    }[mediation]
    return share * params["us_alliance_priority"] * params["pressure_scale"]


def abandonment_fear(params: Mapping[str, float]) -> float:
    """Cha's abandonment fear ``1 - us_commitment``, clipped to [0, 1]."""
    return min(1.0, max(0.0, 1.0 - params["us_commitment"]))


def fund_collapses(params: Mapping[str, float], stance: str, summit: str) -> bool:
    """True when a joint 1+1 fund collapses because Tokyo skipped (refused to join)."""
    return stance == "fund" and params["fund_design"] >= 0.5 and summit == "skip"


def completion_probability(params: Mapping[str, float], stance: str, summit: str) -> float:
    """P(liquidation completes) given Seoul's stance and Tokyo's summit decision."""
    h = params["hazard_liquidation"]
    if stance == "freeze":
        return h * (1.0 - params["assurance_credibility"])
    if stance == "fund" and not fund_collapses(params, stance, summit):
        return h * (1.0 - params["plaintiff_acceptance"])
    return h


def payoff(params: Mapping[str, float], path: Mapping[str, str]) -> Terms:
    """Payoff terms of every player at a terminal history.

    Parameters
    ----------
    params : Mapping[str, float]
        Overrides of :data:`DEFAULTS` (resolved with :func:`resolve`).
    path : Mapping[str, str]
        One action for each of the six moves.

    Returns
    -------
    dict[str, dict[str, float]]
        ``{player: {term: signed value}}``; a player's payoff is the sum of its terms.
    """
    p = resolve(params)
    m, stance, summit = path["mediation"], path["stance"], path["summit"]
    liquidated = path["liquidation"] == "completes"
    controls, gsomia = path["controls"], path["gsomia"]
    rho = p["us_alliance_priority"]
    press = pressure(p, m)
    fear = abandonment_fear(p)
    relief = 1.0 - p["abandonment_audience_relief"] * fear
    attend = summit == "attend"
    eased = controls == "ease"
    terminated = gsomia == "terminate"
    joint = p["fund_design"] >= 0.5
    fund_runs = stance == "fund" and not fund_collapses(p, stance, summit)

    # Seoul
    if liquidated:
        justice = p["justice_value"]
    elif fund_runs:
        justice = p["fund_justice_weight"] * p["plaintiff_acceptance"]
    else:
        justice = 0.0
    share = {
        "proceed": 0.0,
        "freeze": p["freeze_concession_share"],
        "fund": p["joint_fund_concession_share"] if joint else p["korean_fund_concession_share"],
    }[stance]
    cover = max(0.0, 1.0 - p["public_cover"] * rho) if m == "press_publicly" else 1.0
    retaliation = 0.0
    if terminated:
        retaliation = {
            "ease": 0.0,
            "keep": p["gsomia_retaliation_keep"],
            "tighten": p["gsomia_retaliation_tighten"],
        }[controls] - p["gsomia_security_cost"]
    fiscal = 0.0
    if fund_runs:
        fiscal = p["fund_fiscal_cost_joint"] if joint else p["fund_fiscal_cost_korean"]
    seoul = {
        "justice_enforced": justice,
        "audience_cost_concession": -p["seoul_audience_cost"] * share * cover * relief,
        "fund_fiscal_cost": -fiscal,
        "semiconductor_cost": -{
            "ease": 0.0,
            "keep": p["semiconductor_cost_keep"],
            "tighten": p["semiconductor_cost_tighten"],
        }[controls],
        "summit_prestige": p["summit_value_seoul"] if attend else 0.0,
        "normalisation": p["normalisation_value"] if attend and eased else 0.0,
        "defy_us": -press
        * (
            (p["defy_us_proceed_weight"] if stance == "proceed" else 0.0)
            + (p["defy_us_gsomia_weight"] if terminated else 0.0)
        ),
        "gsomia_retaliation": retaliation,
        "abandonment_hedge": fear
        * (
            (p["abandonment_hedge_summit"] if attend else 0.0)
            + (p["abandonment_hedge_normalisation"] if attend and eased else 0.0)
        ),
    }

    # Tokyo
    r = {"proceed": 1.0, "freeze": 0.5, "fund": 0.0}[stance]
    unreciprocated = (
        p["tokyo_audience_cost"] * r * ((1.0 if attend else 0.0) + (1.0 if eased else 0.0))
    )
    if eased and liquidated:
        unreciprocated += p["ease_after_liquidation_cost"]
    if controls == "keep":
        leverage = p["leverage_keep_liquidated"] if liquidated else p["leverage_keep"]
    elif controls == "tighten":
        leverage = p["leverage_tighten_liquidated"] if liquidated else 0.0
    else:
        leverage = 0.0
    defy_weight = (0.0 if attend else p["defy_us_skip_weight"]) + {
        "ease": 0.0,
        "keep": p["defy_us_keep_weight"],
        "tighten": p["defy_us_tighten_weight"],
    }[controls]
    tokyo = {
        "liquidation_loss": -p["liquidation_loss"] if liquidated else 0.0,
        "joint_fund_principle": -p["joint_fund_principle"]
        if joint and stance == "fund" and attend
        else 0.0,
        "summit_value": p["summit_value_tokyo"] if attend else 0.0,
        "attend_then_liquidated": -p["attend_then_liquidated_penalty"]
        if attend and liquidated
        else 0.0,
        "audience_cost_unreciprocated": -unreciprocated * relief,
        "exporter_cost": -{
            "ease": 0.0,
            "keep": p["exporter_cost_keep"],
            "tighten": p["exporter_cost_tighten"],
        }[controls],
        "leverage_value": leverage,
        "defy_us": -press * defy_weight,
        "gsomia_loss": -p["gsomia_value_tokyo"] if terminated else 0.0,
        "abandonment_hedge": fear
        * (
            (p["abandonment_hedge_summit"] if attend else 0.0)
            + (p["abandonment_hedge_normalisation"] if attend and eased else 0.0)
        ),
    }

    # Washington
    cohesion = (
        (p["cohesion_gsomia"] if not terminated else 0.0)
        + (p["cohesion_no_liquidation"] if not liquidated else 0.0)
        + (p["cohesion_controls_eased"] if eased else 0.0)
        + (p["cohesion_summit_held"] if attend else 0.0)
    )
    stalemate = not attend and not eased
    washington = {
        "trilateral_cohesion": rho * cohesion,
        "mediation_cost": -{
            "stay_out": 0.0,
            "mediate_quietly": p["mediation_cost_quiet"],
            "press_publicly": p["mediation_cost_public"],
        }[m],
        "public_failure_cost": -p["public_failure_cost"]
        if m == "press_publicly" and stalemate
        else 0.0,
    }
    # ``+ 0.0`` turns the -0.0 of an absent negative term into 0.0.
    return {
        player: {term: value + 0.0 for term, value in terms.items()}
        for player, terms in (("washington", washington), ("seoul", seoul), ("tokyo", tokyo))
    }


def total(terms: Terms) -> dict[str, float]:
    """Each player's payoff: the sum of its terms."""
    return {player: sum(values.values()) for player, values in terms.items()}


@dataclass
class Result:
    """Subgame-perfect equilibrium of the flagship game.

    Attributes
    ----------
    choice : dict[NodeKey, str]
        Action chosen at every decision node, keyed by (history, move), where history is the
        tuple of earlier ``(move, action)`` pairs (chance outcomes included).
    path_distribution : list[tuple[float, dict[str, str]]]
        Terminal paths reached on the equilibrium path with positive probability.
    values : dict[str, float]
        Each player's expected payoff at the root.
    """

    choice: dict[NodeKey, str] = field(default_factory=dict)
    path_distribution: list[tuple[float, Path]] = field(default_factory=list)
    values: dict[str, float] = field(default_factory=dict)


def _pick(move: str, values: Mapping[str, float]) -> str:
    """Best action under the tie rule: first in PREFERENCE order within TIE_TOLERANCE of best."""
    best = max(values.values())
    for action in PREFERENCE[move]:
        if action in values and values[action] >= best - TIE_TOLERANCE:
            return action
    raise AssertionError("unreachable")  # pragma: no cover


def solve(
    params: Mapping[str, float],
    forced: Mapping[str, str] | None = None,
    payoff_fn: PayoffFn = payoff,
) -> Result:
    """Solve the flagship game by backward induction.

    Parameters
    ----------
    params : Mapping[str, float]
        Overrides of :data:`DEFAULTS`.
    forced : Mapping[str, str], optional
        ``{move: action}``: a forced move has that single action (e.g. ``{"summit": "attend"}``).
    payoff_fn : callable, optional
        Alternative payoff function with the signature of :func:`payoff` (for variant readings).

    Returns
    -------
    Result
        Choices at every decision node, the equilibrium path distribution and expected values.
    """
    p = resolve(params)
    forced = dict(forced or {})
    result = Result()

    def actions(move: str, all_actions: tuple[str, ...]) -> tuple[str, ...]:
        if move in forced:
            if forced[move] not in all_actions:
                raise ValueError(f"{forced[move]!r} is not an action of {move!r}")
            return (forced[move],)
        return all_actions

    def value(depth: int, history: tuple[tuple[str, str], ...]) -> dict[str, float]:
        if depth == len(MOVES):
            return total(payoff_fn(p, dict(history)))
        move, mover, all_actions = MOVES[depth]
        acts = actions(move, all_actions)
        if mover == CHANCE:
            done = dict(history)
            q = completion_probability(p, done["stance"], done["summit"])
            probs = {"completes": q, "stalls": 1.0 - q}
            out = dict.fromkeys(PLAYERS, 0.0)
            for action in acts:
                weight = probs[action] if len(acts) > 1 else 1.0
                child = value(depth + 1, (*history, (move, action)))
                for player in PLAYERS:
                    out[player] += weight * child[player]
            return out
        children = {a: value(depth + 1, (*history, (move, a))) for a in acts}
        chosen = _pick(move, {a: v[mover] for a, v in children.items()})
        result.choice[(history, move)] = chosen
        return children[chosen]

    result.values = value(0, ())

    def walk(depth: int, history: tuple[tuple[str, str], ...], prob: float) -> None:
        if depth == len(MOVES):
            result.path_distribution.append((prob, dict(history)))
            return
        move, mover, all_actions = MOVES[depth]
        acts = actions(move, all_actions)
        if mover != CHANCE:
            walk(depth + 1, (*history, (move, result.choice[(history, move)])), prob)
            return
        done = dict(history)
        q = completion_probability(p, done["stance"], done["summit"])
        for action in acts:
            weight = {"completes": q, "stalls": 1.0 - q}[action] if len(acts) > 1 else 1.0
            if weight > 0.0:
                walk(depth + 1, (*history, (move, action)), prob * weight)

    walk(0, (), 1.0)
    return result


def deal_probability(
    params: Mapping[str, float],
    forced: Mapping[str, str] | None = None,
    payoff_fn: PayoffFn = payoff,
) -> float:
    """Probability, on the subgame-perfect path, that Tokyo attends the summit AND eases controls.

    Parameters
    ----------
    params : Mapping[str, float]
        Overrides of :data:`DEFAULTS`.
    forced : Mapping[str, str], optional
        Forced moves, as in :func:`solve`.
    payoff_fn : callable, optional
        Alternative payoff function, as in :func:`solve`.

    Returns
    -------
    float
        A probability in [0, 1].
    """
    result = solve(params, forced, payoff_fn)
    return sum(
        prob
        for prob, path in result.path_distribution
        if path["summit"] == "attend" and path["controls"] == "ease"
    )
