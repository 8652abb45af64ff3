"""The one YAML reader of every input (scenario.yaml, rule sets, facts, reference tables).

Safe types only, and strict where a plain YAML loader would silently reinterpret:
- a key given twice in one mapping is an error (a plain loader keeps the last one);
- at most MAX_ALIASES aliases per file (a few aliases can expand to billions of nodes);
- a value YAML cannot build (an impossible date such as 2026-02-30) is an error at its line;
- a number beyond ±MAX_NUMBER, infinite or not-a-number is an error at its line.
Every problem carries its line; all duplicate keys and numbers out of range are reported at
once. libyaml's C parser composes the node tree when it is installed (the usual case: PyYAML's
wheels bundle it); the aliases are then counted on the tree, and a file with too many is read
again by the pure-Python parser, which says where the limit was passed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import yaml

from models.problems import Msg, msg

MAX_ALIASES = 20
MAX_NUMBER = 1e9


@dataclass(frozen=True)
class YamlProblem:
    line: int | None
    key: str | None
    message: str | Msg


class YamlError(Exception):
    """The text is not usable YAML; `problems` lists each, with its line."""

    def __init__(self, problems: list[YamlProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p.message) for p in problems))


class _TooManyAliases(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _Checks:
    """Records duplicate keys and numbers out of range as the constructor builds values."""

    problems: list[YamlProblem]

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, int] = {}
        for k, _v in node.value:
            if isinstance(k, yaml.ScalarNode):
                key = k.value
                line = k.start_mark.line + 1
                if key in seen:
                    self.problems.append(
                        YamlProblem(
                            line,
                            str(key),
                            msg(
                                "each key once: {key} is also on line {line} (a YAML reader "
                                "would silently keep the last one)",
                                key=repr(key),
                                line=seen[key],
                            ),
                        )
                    )
                else:
                    seen[key] = line
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]

    def construct_yaml_int(self, node: Any) -> Any:
        v = super().construct_yaml_int(node)  # type: ignore[misc]
        self._check_number(v, node)
        return v

    def construct_yaml_float(self, node: Any) -> Any:
        v = super().construct_yaml_float(node)  # type: ignore[misc]
        self._check_number(v, node)
        return v

    def _check_number(self, v: float, node: Any) -> None:
        if not math.isfinite(v) or abs(v) > MAX_NUMBER:
            self.problems.append(
                YamlProblem(
                    node.start_mark.line + 1,
                    None,
                    msg(
                        "a finite number of at most {n} in size (found {value})",
                        n=format(MAX_NUMBER, ",.0f"),
                        value=repr(node.value),
                    ),
                )
            )


class _Loader(_Checks, yaml.SafeLoader):
    """The pure-Python SafeLoader, counting aliases as it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0
        self.problems = []

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise _TooManyAliases(mark.line + 1)
        return super().compose_node(parent, index)


_C: Any = getattr(yaml, "CSafeLoader", None)
_FastLoader: Any = None
if _C is not None:

    class _FastLoader(_Checks, _C):  # type: ignore[no-redef]
        """libyaml's parser and composer, the same checks as values are built."""

        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self.problems = []


for _cls in (_Loader, _FastLoader):
    if _cls is not None:
        _cls.add_constructor("tag:yaml.org,2002:int", _cls.construct_yaml_int)
        _cls.add_constructor("tag:yaml.org,2002:float", _cls.construct_yaml_float)


def _aliases(node: Any) -> int:
    """How many times the tree reaches a node it has already reached (each is an alias),
    counted without expanding them, up to MAX_ALIASES + 1."""
    seen: set[int] = set()
    stack, count = [node], 0
    while stack and count <= MAX_ALIASES:
        n = stack.pop()
        if id(n) in seen:
            count += 1
            continue
        seen.add(id(n))
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack += (k, v)
        elif isinstance(n, yaml.SequenceNode):
            stack += n.value
    return count


class _Again(Exception):
    """The fast reader found a problem: the pure-Python one reads the file again and says
    where, in its words (the same for every installation)."""


def load(text: str, with_node: bool = False) -> Any:
    """The document's data (and, with `with_node`, its node tree, for line numbers).

    Raises YamlError with every problem found."""
    if _FastLoader is not None:
        try:
            return _load(text, with_node, _FastLoader)
        except (YamlError, _Again):
            pass
    return _load(text, with_node, _Loader)


def _load(text: str, with_node: bool, cls: Any) -> Any:
    loader = cls(text)
    try:
        node = loader.get_single_node()
        if cls is not _Loader and node is not None and _aliases(node) > MAX_ALIASES:
            raise _Again
        data = loader.construct_document(node) if node is not None else None
    except _TooManyAliases as e:
        too_many = msg(
            "at most {n} aliases (*name): aliases can expand without limit, so the file is "
            "refused; write the values out",
            n=MAX_ALIASES,
        )
        raise YamlError([YamlProblem(e.line, None, too_many)]) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlError(
            [YamlProblem(line, None, msg("valid YAML ({why})", why=e.problem or e))]
        ) from None
    except yaml.YAMLError as e:
        raise YamlError([YamlProblem(None, None, str(e))]) from None
    except (ValueError, TypeError, OverflowError) as e:  # e.g. a date that does not exist
        line = _failing_line(text)
        if "day" in str(e) or "month" in str(e):
            what = msg("a date that exists ({why})", why=e)
        else:
            what = msg("a value ({why})", why=e)
        raise YamlError([YamlProblem(line, None, what)]) from None
    finally:
        loader.dispose()
    if loader.problems:
        raise YamlError(loader.problems)
    return (data, node) if with_node else data


def _failing_line(text: str) -> int | None:
    """The line of the first scalar that fails on its own (dates are the usual case)."""
    for n, line in enumerate(text.splitlines(), start=1):
        _, sep, value = line.partition(":")
        candidate = value if sep else line.lstrip(" -")
        candidate = candidate.split(" #", 1)[0].strip()
        if not candidate:
            continue
        try:
            yaml.safe_load(candidate)
        except (ValueError, TypeError, OverflowError):
            return n
        except yaml.YAMLError:
            continue
    return None
