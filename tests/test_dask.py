"""The Dask path: a LocalCluster on loopback gives the same outputs as the local path."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from solver.cli import main
from solver.paths import data_root

distributed = pytest.importorskip("distributed")

WHATIFS = data_root() / "what-if" / "dien-bien-2025"


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        protocol="tcp",
    ) as c:
        assert c.scheduler_address.startswith("tcp://127.0.0.1:")
        yield c.scheduler_address


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.filterwarnings("ignore")  # dask's own deprecation notices, not ours
def test_sweep_and_compare_on_dask_match_the_local_run(cluster):
    args = ["sweep", "--param", "secondee_budget=0,40", "--format", "csv"]
    local = cli(*args)
    remote = cli(*args, "--dask", cluster)
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    assert remote.stdout == local.stdout
    sides = [str(WHATIFS / "no-secondment.yaml"), str(WHATIFS / "97-secondees.yaml")]
    local = cli("compare", *sides, "--format", "json")
    remote = cli("compare", *sides, "--format", "json", "--dask", cluster)
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == local.stdout


@pytest.mark.filterwarnings("ignore")
def test_several_provinces_on_dask_match_the_local_run(cluster, two_provinces, tmp_path):
    a, b = tmp_path / "local", tmp_path / "dask"
    assert cli("solve", str(two_provinces), "-o", str(a), "-j", "2").exit_code == 0
    r = cli("solve", str(two_provinces), "-o", str(b), "--dask", cluster)
    assert r.exit_code == 0, r.output
    for name in ("plan.csv", "communes.csv", "dien-bien-2025/plan.csv", "lai-chau-2025/plan.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
