"""The words every layer shares: objective levels, plan statuses, solve statuses.

They are `StrEnum`s, so a member is equal to its text ("stays" == PlanStatus.stays) and is
written as that text in every file; code names members, never bare strings.
"""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """An objective level. The default lexicographic order is the declaration order.

    `changes` counts the people whose outcome (status and destination) differs from a
    baseline: an announced plan given with --baseline, else the as-merged situation (everyone
    where they work, no secondee). Without a baseline it is the last level, a tie-break that
    keeps equally good plans from shuffling people; with one it comes right after the
    shortage levels unless the scenario's `objective` places it."""

    specialty_shortage = "specialty_shortage"
    quota_shortage = "quota_shortage"
    disruption = "disruption"
    changes = "changes"


LEVELS: tuple[Level, ...] = tuple(Level)
SHORTAGE_LEVELS: tuple[Level, ...] = (Level.specialty_shortage, Level.quota_shortage)


class PersonKind(StrEnum):
    official = "official"
    secondee = "secondee"


class PlanStatus(StrEnum):
    """What the plan says of one person."""

    stays = "stays"  # an official kept in the unit where they work now
    moves = "moves"  # an official moved to another unit
    unplaced = "unplaced"  # an official in scope with no position in the plan
    leaves = "leaves"  # an official who retires or resigns
    out_of_scope = "out_of_scope"  # bloc not planned, or not available on as_of
    outside_quota = "outside_quota"  # in post, of a category that holds no quota place: kept
    seconded = "seconded"  # a secondee candidate sent to a unit
    not_selected = "not_selected"  # a secondee candidate not sent

    @property
    def placed(self) -> bool:
        """Holds a position in a unit (as an official or a secondee)."""
        return self in PLACED


PLACED = frozenset({PlanStatus.stays, PlanStatus.moves, PlanStatus.seconded})
OFFICIAL_STATUSES = frozenset(
    {
        PlanStatus.stays,
        PlanStatus.moves,
        PlanStatus.unplaced,
        PlanStatus.leaves,
        PlanStatus.out_of_scope,
        PlanStatus.outside_quota,
    }
)
SECONDEE_STATUSES = frozenset({PlanStatus.seconded, PlanStatus.not_selected})


class SolveStatus(StrEnum):
    """An engine's answer: OPTIMAL is a proof; FEASIBLE a plan whose optimality is not proven."""

    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    INFEASIBLE = "INFEASIBLE"
    ERROR = "ERROR"

    @property
    def has_plan(self) -> bool:
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


class Freedom(StrEnum):
    """How free an official is to be placed."""

    pinned = "pinned"  # must stay where they work now
    fixed = "fixed"  # stays or is unplaced, never moves
    movable = "movable"  # may move (within max_km)
