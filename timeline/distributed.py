"""Read, split, extract and merge on a Dask cluster (`timeline build --scheduler ADDRESS|local`).

The stages are the library's own functions, run elsewhere:

- read, split and extract: a Dask bag over the input files (`pipeline.read_file`
  then `parallel.extract_chunk`, one file per element), so a page is read and
  extracted on the worker that reads it and only its items and mentions come
  back; the earlier items an incremental build extracts again go to the
  workers in chunks;
- merge: `merge.merge_in_parts`, each part (whole blocks) merged by a worker;
- write: here, as in any build (the output folder need not be shared).

Results are put back in input order, so the files written are those of a
build in one process, byte for byte. Workers must have the same version of
`timeline` installed and be able to read the input paths as given.
"""
from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import replace

from . import __version__, merge, parallel, pipeline, read
from .errors import ClusterError, InputError, UsageError
from .extract import places
from .models import Item, Mention

PARTS_PER_WORKER = 4     # merge parts and file partitions per worker thread, so the work balances
# No dashboard; the scheduler still serves a few HTTP routes, on port 8787 unless told otherwise
# (and with a warning when that port is taken): any free port on this machine only.
NO_HTTP_PORT = {"dashboard": False, "dashboard_address": "127.0.0.1:0"}


class DaskEngine(pipeline.Engine):
    """A build's stages on a Dask cluster: the scheduler at `address`, or with "local" a
    `LocalCluster` of `jobs` worker processes (default one per core) started for this build."""

    def __init__(self, address: str, jobs: int | None = None):
        super().__init__(1 if jobs is None else jobs)
        try:
            import dask.bag  # noqa: F401
            import distributed
        except ImportError as exc:
            raise ClusterError("--scheduler needs Dask: install timeline with its [dask] extra "
                               "(pip install -e '.[dask]')") from exc
        self.cluster = None
        self.found: dict[Item, list[Mention]] = {}   # mentions extracted with their file's read
        if address == "local":
            places.load_index()   # the on-disk index cache, built once here rather than by every worker
            self.cluster = distributed.LocalCluster(
                n_workers=jobs or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                dashboard_address=None, scheduler_kwargs=NO_HTTP_PORT, silence_logs=logging.ERROR)
            address = self.cluster.scheduler_address
        elif jobs is not None:
            raise UsageError("--jobs sets the workers of --scheduler local; a scheduler at an address has its own")
        try:
            self.client = connect(address)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> "DaskEngine":
        return self   # no process pool: the cluster's workers do the work

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if getattr(self, "client", None) is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    @property
    def threads(self) -> int:
        return sum(w["nthreads"] for w in self.client.scheduler_info()["workers"].values()) or 1

    def read_files(self, tasks: list[read.ReadTask]) -> list[pipeline.FileRead]:
        import dask.bag as db

        if not tasks:
            return []
        absolute = [replace(t, path=t.path.absolute()) for t in tasks]   # workers have another working folder
        bag = db.from_sequence(absolute, npartitions=min(len(tasks), self.threads * PARTS_PER_WORKER))
        results = bag.map(read_and_extract).compute(scheduler=self.client)
        out = []
        for task, (got, found) in zip(tasks, results):
            self.found.update(zip(got.items, found))
            if got.error is not None:   # named as given, as a build in one process names it
                got.error = InputError(task.path, got.error.reason)
            out.append(got)
        return out

    def extract(self, items: list[Item], progress=None) -> list[list[Mention]]:
        """Mentions of the items read on the cluster, and of the earlier items (extracted there now)."""
        missing = [i for i in items if i not in self.found]
        if missing:
            chunks = parallel.chunks(missing, self.threads)
            done = self.client.gather(self.client.map(parallel.extract_chunk, self.client.scatter(chunks)))
            self.found.update(zip(missing, (m for chunk in done for m in chunk)))
        return [self.found[i] for i in items]

    def merge(self, mentions, earlier: merge.Earlier) -> merge.Clusters:
        def run(parts: list[merge.Part]) -> list[merge.Clusters]:
            futures = self.client.map(parallel.merge_part, self.client.scatter(parts))
            return self.client.gather(futures)

        return merge.merge_in_parts(mentions, earlier, self.threads * PARTS_PER_WORKER, run)


def read_and_extract(task: read.ReadTask) -> tuple[pipeline.FileRead, list[list[Mention]]]:
    """Read and split one file, and extract its items (on a worker)."""
    got = pipeline.read_file(task)
    return got, parallel.extract_chunk(got.items)


def connect(address: str):
    """A client of the scheduler at `address`, with at least one worker that runs this `timeline`.
    Raises ClusterError with one line when there is none."""
    import dask
    import distributed

    timeout = dask.config.get("distributed.comm.timeouts.connect")
    reason = _unreachable(address, timeout)
    if reason is not None:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {reason}")
    client = distributed.Client(address, timeout=timeout, set_as_default=False)
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        client.close()
        raise ClusterError(f"the Dask scheduler at {address} has no workers (start some with: "
                           f"dask worker {address})") from None
    try:
        versions = client.run(worker_version)
    except Exception as exc:   # the worker cannot unpickle a timeline function: not installed there
        client.close()
        raise ClusterError(f"the Dask workers of {address} cannot run timeline ({exc}); "
                           f"install timeline {__version__} on every worker") from None
    other = {w: v for w, v in versions.items() if v != __version__}
    if other:
        client.close()
        worker, version = sorted(other.items())[0]
        raise ClusterError(f"Dask worker {worker} runs timeline {version}, this machine {__version__}; "
                           "install the same version on every worker")
    return client


def _unreachable(address: str, timeout) -> str | None:
    """Why no Dask scheduler answers at `address`, or None when one does. (A probe first: a Client
    that fails to connect prints noise when it is collected.)"""
    from dask.utils import parse_timedelta
    from distributed.comm import connect as open_comm

    async def probe() -> None:
        comm = await open_comm(address, timeout=parse_timedelta(timeout))
        await comm.close()

    try:
        asyncio.run(probe())
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        return str(exc)
    except Exception as exc:   # something answered, but not in Dask's protocol
        return f"it does not speak Dask's protocol ({type(exc).__name__})"
    return None


def worker_version() -> str:
    return __version__
