"""Reading scenarios and writing plans."""

from solver.io.reader import ScenarioError, load_scenario

__all__ = ["ScenarioError", "load_scenario"]
