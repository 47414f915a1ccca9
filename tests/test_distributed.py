"""`timeline build --scheduler`: a build on a Dask cluster writes what a build in one process writes."""
import logging
import socket
import sys

import dask
import pandas as pd
import pytest
from distributed import LocalCluster

from timeline import distributed, pipeline
from timeline.errors import ClusterError

from test_parallel import INPUTS, RAW, files, invoke


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, one thread each, no dashboard: all local, nothing from the network. (The
    scheduler's small HTTP server would take port 8787, or warn when another cluster has it.)"""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      scheduler_kwargs=distributed.NO_HTTP_PORT, silence_logs=logging.ERROR) as local:
        yield local.scheduler_address


@pytest.fixture
def short_connect_timeout():
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        yield


def test_a_build_on_the_cluster_writes_the_same_bytes(cluster, tmp_path):
    pipeline.build(INPUTS, tmp_path / "one", partition=True)
    result = invoke("build", *INPUTS, "--out", tmp_path / "dask", "--scheduler", cluster, "--partition")
    assert result.exit_code == 0, result.output
    one, on_cluster = files(tmp_path / "one"), files(tmp_path / "dask")
    assert len([n for n in one if n.startswith("events/month=")]) >= 3 and list(one) == list(on_cluster)
    for name in one:
        assert one[name] == on_cluster[name], name
    dataset = pd.read_parquet(tmp_path / "dask" / "events").drop(columns="month")
    pd.testing.assert_frame_equal(dataset, pd.read_parquet(tmp_path / "dask" / "events.parquet"))


def test_an_incremental_build_with_bad_files_is_the_same_on_the_cluster_and_with_jobs(cluster, tmp_path, inputs):
    (inputs / "empty-2025-06-11.txt").write_bytes(b"")
    later = [inputs, tmp_path / "missing"]
    reports = {}
    for name, how in (("one", {}), ("dask", {"scheduler": cluster}), ("jobs2", {"jobs": 2})):
        pipeline.build([RAW], tmp_path / name, **how)
        reports[name] = pipeline.build(later, tmp_path / name, **how)   # earlier items kept, extracted again
    one = reports["one"]
    assert one.kept > 0 and [str(e) for e in one.skipped] == [
        f"{inputs / 'empty-2025-06-11.txt'}: empty file", f"{tmp_path / 'missing'}: no such file or folder"]
    for name in ("dask", "jobs2"):
        other = reports[name]
        assert ([str(e) for e in other.skipped], other.warnings, other.kept, other.events) == \
               ([str(e) for e in one.skipped], one.warnings, one.kept, one.events)
        assert files(tmp_path / "one") == files(tmp_path / name), name


def test_scheduler_local_starts_its_own_cluster(tmp_path, inputs):
    pipeline.build([inputs], tmp_path / "one")
    result = invoke("build", inputs, "--out", tmp_path / "dask", "--scheduler", "local", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert files(tmp_path / "one") == files(tmp_path / "dask")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_one_line_and_nothing_is_written(tmp_path, inputs, short_connect_timeout):
    address = f"tcp://127.0.0.1:{_free_port()}"
    result = invoke("build", inputs, "--out", tmp_path / "out", "--scheduler", address)
    assert result.exit_code == 1
    assert result.stderr == (f"error: cannot reach the Dask scheduler at {address}: "
                             f"Timed out trying to connect to {address} after 1 s\n")
    assert not (tmp_path / "out").exists()


def test_a_malformed_address_is_one_line(tmp_path, inputs):
    result = invoke("build", inputs, "--out", tmp_path / "out", "--scheduler", "my-cluster")
    assert result.exit_code == 1
    assert result.stderr == ("error: cannot reach the Dask scheduler at my-cluster: "
                             "missing port number in address 'my-cluster'\n")
    assert not (tmp_path / "out").exists()


def test_jobs_with_a_scheduler_address_is_refused(tmp_path, inputs):
    result = invoke("build", inputs, "--out", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:8786", "--jobs", "4")
    assert result.exit_code == 1
    assert result.stderr == ("error: --jobs sets the workers of --scheduler local; "
                             "a scheduler at an address has its own\n")


def test_without_dask_installed_scheduler_is_one_line(tmp_path, inputs, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)   # what `import distributed` meets when it is absent
    result = invoke("build", inputs, "--out", tmp_path / "out", "--scheduler", "local")
    assert result.exit_code == 1
    assert result.stderr == ("error: --scheduler needs Dask: install timeline with its [dask] extra "
                             "(pip install -e '.[dask]')\n")
    assert not (tmp_path / "out").exists()


def test_a_scheduler_without_workers_is_named(short_connect_timeout):
    with LocalCluster(n_workers=0, dashboard_address=None, scheduler_kwargs=distributed.NO_HTTP_PORT,
                      silence_logs=logging.ERROR) as empty:
        with pytest.raises(ClusterError) as err:
            distributed.connect(empty.scheduler_address)
    assert str(err.value) == (f"the Dask scheduler at {empty.scheduler_address} has no workers "
                              f"(start some with: dask worker {empty.scheduler_address})")


def test_workers_with_another_timeline_version_are_refused(cluster, monkeypatch):
    monkeypatch.setattr(distributed, "__version__", "0.0.0-elsewhere")   # this side only: workers import their own
    with pytest.raises(ClusterError, match=r"^Dask worker tcp://\S+ runs timeline \S+, this machine 0.0.0-elsewhere; "
                                           r"install the same version on every worker$"):
        distributed.connect(cluster)
