"""What runs the bundles: this process, a local process pool, or a Dask cluster.

Bundles are independent, so any of these gives the same files; results come back in any order
and the driver writes them. At most a few bundles per worker are in flight, so memory stays flat
however many bundles a run has.

Pool workers never outlive the driver: on Linux the kernel kills them when it dies
(PR_SET_PDEATHSIG), and everywhere a thread in each worker ends it once its parent is gone.
Forked workers let go of the driver's private files (the spool of personal data) first thing.
"""
from __future__ import annotations

import concurrent.futures as cf
import ctypes
import functools
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import CancelledError
from typing import Any, Callable, Iterable, Iterator, Protocol, TypeVar

from docgen.errors import BatchError, DocgenError
from docgen.output.bundle import job_for
from docgen.output.jobpack import JobPack
from docgen.pipeline import Job

T = TypeVar("T")
R = TypeVar("R")
IN_FLIGHT_PER_WORKER = 2
PARENT_POLL_S = 0.2
_PR_SET_PDEATHSIG = 1
WORKER_LOST = "a worker process ended unexpectedly (killed, or out of memory)"
CONNECT_TIMEOUT_S = 10


class Executor(Protocol):
    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """One worker: run in this process (no pickling, the driver's job is reused)."""

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        return (fn(t) for t in tasks)

    def close(self) -> None:
        pass


def _worker_start(driver: int, private_fds: tuple[int, ...]) -> None:
    """First thing in every pool worker: end with the driver, and let go of its private files."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass                                   # the watching thread still ends the worker
    if os.getppid() != driver:                     # the driver died before the kernel was told
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(driver,), name="docgen-parent-watch", daemon=True).start()
    if private_fds:
        # point the inherited descriptors at /dev/null rather than closing them: the numbers stay
        # valid for the copied file objects that own them, and the worker no longer holds the file
        null = os.open(os.devnull, os.O_RDWR)
        try:
            for fd in private_fds:
                os.dup2(null, fd)
        finally:
            os.close(null)


def _watch_parent(driver: int) -> None:
    while os.getppid() == driver:
        time.sleep(PARENT_POLL_S)
    os._exit(1)


class ProcessExecutor:
    def __init__(self, workers: int, private_fds: tuple[int, ...] = ()) -> None:
        self.workers = workers
        # Forked workers share the driver's memory (the job, the fonts) until a page is written
        # to; the collector writes to every object it scans, so park today's objects out of its
        # reach first (the gc.freeze recipe), or each worker soon holds its own copy. Elsewhere
        # workers are spawned and inherit no descriptors to let go of.
        fork = sys.platform.startswith("linux")
        gc.collect()
        gc.freeze()
        self._pool = cf.ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("fork") if fork else None,
            initializer=_worker_start, initargs=(os.getpid(), private_fds if fork else ()))

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        try:
            yield from self._map(fn, tasks)
        except cf.BrokenExecutor:
            raise BatchError(WORKER_LOST) from None

    def _map(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        it = iter(tasks)
        running: set[cf.Future] = set()
        while True:
            while len(running) < self.workers * IN_FLIGHT_PER_WORKER:
                task = next(it, None)
                if task is None:
                    break
                running.add(self._pool.submit(fn, task))
            if not running:
                return
            done, running = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for f in done:
                yield f.result()

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)
        gc.unfreeze()


class DaskExecutor:
    """Bundles on a Dask cluster: the one at `scheduler`, or a LocalCluster started here.

    The job travels with the run (docgen.output.jobpack): scattered once to every worker, so a
    worker needs docgen installed and nothing of the driver's files. `security` is Dask's
    (TLS certificates for a `tls://` scheduler); None takes Dask's configuration.
    """

    def __init__(self, workers: int, pack: JobPack, scheduler: str | None = None, security: Any = None) -> None:
        try:
            from distributed import Client, LocalCluster
            from distributed.security import Security
        except ImportError:
            raise BatchError("--executor dask needs the 'dask' extra: pip install 'docgen[dask]'") from None
        security = security if security is not None else Security()
        tls = security.get_connection_args("client").get("ssl_context")
        if scheduler and scheduler.startswith("tls://") and not tls:
            raise BatchError(f"--scheduler {scheduler}: no TLS certificates for the client: set Dask's "
                             "distributed.comm.tls.ca-file, .client.cert and .client.key (see docs/batch.md)")
        self._scheduler = scheduler or "the local cluster"
        self._cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1,
                                                             dashboard_address=None)
        try:
            self._client = Client(scheduler or self._cluster, security=security, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise BatchError(f"--scheduler {scheduler}: no Dask scheduler answers there ({exc})") from None
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})) or workers)
        self._pack = self._client.scatter(pack, broadcast=True)

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        from distributed import KilledWorker, as_completed

        it = iter(tasks)
        submit = functools.partial(self._client.submit, _on_worker, self._pack, fn, pure=False)
        first = [submit(t) for t in _take(it, self.workers * IN_FLIGHT_PER_WORKER)]
        if not first:
            return
        queue = as_completed(first)
        for future in queue:
            try:
                result = future.result()
            except KilledWorker:
                raise BatchError(WORKER_LOST) from None
            except CancelledError:
                raise BatchError(f"the Dask scheduler ({self._scheduler}) is gone") from None
            future.release()
            for t in _take(it, 1):
                queue.add(submit(t))
            yield result

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def _on_worker(pack: JobPack, fn: Callable[[T], R], task: T) -> R:
    """A task on a Dask worker: the job from the pack, then `fn`. An unexpected error travels as
    its type alone: Dask logs a task's error on the worker, and its message may hold a record."""
    from distributed import get_worker

    w = get_worker()
    where = w.address if str(w.name) in ("", w.address) else f"{w.name} ({w.address})"
    job_for(task.job, pack.job(where))      # type: ignore[attr-defined]
    try:
        return fn(task)
    except DocgenError:
        raise
    except Exception as exc:
        raise BatchError(f"worker {where}: a bundle failed with {type(exc).__name__} (its message stays on no "
                         "log: it may hold a record; run the bundle with --executor local --debug to see it)") from None


def _take(it: Iterator[T], n: int) -> list[T]:
    out = []
    for _ in range(n):
        item = next(it, None)
        if item is None:
            break
        out.append(item)
    return out


def make_executor(kind: str, workers: int, scheduler: str | None = None,
                  private_fds: tuple[int, ...] = (), job: Job | None = None, security: Any = None) -> Executor:
    """`private_fds`: the driver's descriptors that local pool workers must not keep open; `job`
    travels to Dask workers (local ones open their own from the task's spec)."""
    if kind == "dask":
        if job is None:
            raise ValueError("a Dask executor needs the job to send to its workers")
        return DaskExecutor(workers, JobPack.of(job), scheduler, security)
    if kind != "local":
        raise ValueError(f"unknown executor {kind!r} (local, dask)")
    return SerialExecutor() if workers <= 1 else ProcessExecutor(workers, private_fds)
