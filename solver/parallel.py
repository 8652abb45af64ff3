"""Where many solves run: in this process, in local worker processes, or on a Dask cluster.

`run(fn, tasks)` returns fn(task) for every task, in the tasks' order, whichever way they ran,
so outputs are byte-identical between the three. `fn` must be a module-level function and the
tasks and results picklable (plain data: paths, dicts, lists). Each task runs in the language
active here (solver.i18n), wherever it runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def run(
    fn: Callable[[Any], T],
    tasks: Sequence[Any],
    jobs: int = 1,
    dask: str | None = None,
    on_done: Callable[[], None] = lambda: None,
) -> list[T]:
    """fn over tasks: on the Dask scheduler at `dask` (an address such as
    tcp://127.0.0.1:8786), else in `jobs` local processes (1: here); the results in the tasks'
    order (`on_done` as each one finishes)."""
    out: list[Any] = [None] * len(tasks)
    for i, r in stream(fn, tasks, jobs, dask):
        out[i] = r
        on_done()
    return out


def stream(
    fn: Callable[[Any], T],
    tasks: Sequence[Any],
    jobs: int = 1,
    dask: str | None = None,
) -> Iterator[tuple[int, T]]:
    """fn over tasks like `run`, but each result as soon as it is done: (task index, result)
    in the order they finish (tasks start in the order given)."""
    from solver import i18n

    if dask or (jobs > 1 and len(tasks) > 1):
        fn = functools.partial(_in_lang, fn, i18n.current())
    if dask:
        try:
            from dask.distributed import Client
        except ImportError:  # pragma: no cover - dask is a dependency
            raise RuntimeError("--dask needs the dask[distributed] package") from None
        with Client(dask, set_as_default=False) as client:
            futures = client.map(fn, list(tasks), pure=False)
            for i, f in enumerate(futures):  # all running at once; collected in order
                yield i, f.result()
        return
    if jobs > 1 and len(tasks) > 1:
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures import as_completed as done

        with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
            pending = {pool.submit(fn, t): i for i, t in enumerate(tasks)}
            for fut in done(pending):
                yield pending[fut], fut.result()
        return
    for i, t in enumerate(tasks):
        yield i, fn(t)


def _in_lang(fn: Callable[[Any], T], lang: str, task: Any) -> T:
    from solver import i18n

    with i18n.use(lang):
        return fn(task)
