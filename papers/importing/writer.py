"""Scheduling an import's row writes: in turn as they are made, or, under a first load, as COPYs run on
a second thread (BackgroundCopies) while this one prepares the next batch, with ids taken in blocks."""

import threading
from collections.abc import Callable, Iterable, Sequence

from django.db import connection
from django.db.models import Model

from papers.bulk import CopyJob, allocate_ids, copy_job, insert_rows

# Ids a first load takes at once for the rows it writes without asking for their ids (Writes.take_ids).
ID_BLOCK = 100_000


class BackgroundCopies:
    """Runs COPY jobs on this thread's database connection from a second thread, one submission at
    a time, so that PostgreSQL writes one batch while the caller prepares the next in Python.

    The caller keeps the order right: it calls wait() before any statement of its own (a lookup must
    see the rows, an error must surface as itself, not as the aborted transaction it causes), and
    stop() before its transaction ends, so that no COPY can run after a rollback, outside the
    transaction (psycopg's connection lock keeps the two threads' statements apart but does not
    order them).
    """

    def __init__(self):
        connection.ensure_connection()
        self.connection = connection.connection
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.stopping = False

    def submit(self, jobs: list[CopyJob]) -> None:
        self.wait()
        if jobs:
            self.thread = threading.Thread(target=self._run, args=(jobs,), name="arrow-copy", daemon=True)
            self.thread.start()

    def _run(self, jobs: list[CopyJob]) -> None:
        try:
            with self.connection.cursor() as cursor:
                for job in jobs:
                    if self.stopping:
                        return
                    with cursor.copy(job.statement) as copy:
                        copy.write(job.data)
        except BaseException as error:  # raised in the caller's thread by wait()
            self.error = error

    def wait(self) -> None:
        """Wait for the submitted jobs; raise their error (as Django's database error) if one failed."""
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        if self.error is not None:
            error, self.error = self.error, None
            with connection.wrap_database_errors:
                raise error

    def stop(self) -> None:
        """Let the running job end and run no other; for the way out, so it never raises. A Ctrl-C
        meanwhile waits for that job (under a second) and is raised after it."""
        self.stopping = True
        interrupted = None
        while self.thread is not None and self.thread.is_alive():
            try:
                self.thread.join()
            except KeyboardInterrupt as error:
                interrupted = error
        self.thread = None
        if interrupted is not None:
            raise interrupted


class Writes:
    """An import's new rows, written in turn, or (`background`, a first load's) held as COPY jobs.

    A first load's biggest writes, the COPYs of a batch's new papers, their sources and their
    authorships, are held until the next batch's lookups are done (they must run before them, on the
    one connection), then submitted to the second thread. Only a first load: it holds the tables, and
    its lookups never need those rows; a statement that does (a key seen again, matching, a venue's
    new name) first lets them land (wait, settle).
    """

    def __init__(self, *, background: bool):
        self.copies = BackgroundCopies() if background else None
        self.held: list[CopyJob] = []
        self.held_keys: set[tuple[str, str]] = set()
        self.id_pools: dict[type, Sequence[int]] = {}

    @property
    def background(self) -> bool:
        return self.copies is not None

    def wait(self, keys: Iterable[tuple[str, str]] = ()) -> None:
        """Before a statement of this thread: the submitted COPYs have ended (or raise their error);
        also the held ones if they write papers of these (source, source_id) keys."""
        if self.copies is None:
            return
        if self.held_keys.intersection(keys):
            self.release()
        self.copies.wait()

    def settle(self) -> None:
        """Every COPY made so far has run: what follows reads or rewrites their rows."""
        if self.copies is not None:
            self.release()
            self.copies.wait()

    def release(self) -> None:
        """Submit the held COPYs (after waiting for the ones before them)."""
        held, self.held, self.held_keys = self.held, [], set()
        self.copies.submit(held)

    def stop(self) -> None:
        """Before the transaction ends, whatever ends the import: no COPY may run after a rollback."""
        if self.copies is not None:
            self.copies.stop()

    def rows(self, model: type[Model], fields: list[str], rows: list, *, keys=(), **options) -> None:
        """insert_rows(..., ids=False), or held for the second thread with ids from take_ids."""
        if self.copies is None:
            insert_rows(model, fields, rows, ids=False, **options)
        elif rows:
            self.hold(copy_job(model, fields, rows, ids=self.take_ids(model, len(rows)), **options), keys)

    def create(
        self, model: type[Model], count: int, make_rows: Callable[[], tuple[list[str], list]], *, keys, **options
    ) -> Sequence[int]:
        """Insert `count` rows, `make_rows()`'s (fields, rows), and return their new ids.

        In the background the ids' allocation is this thread's last statement for the batch: then the
        held COPYs are submitted, and these rows formatted while they run.
        """
        if self.copies is None:
            fields, rows = make_rows()
            return insert_rows(model, fields, rows, **options)
        ids = allocate_ids(model, count) if count else []
        self.release()
        fields, rows = make_rows()
        if rows:
            self.hold(copy_job(model, fields, rows, ids=ids, **options), keys)
        return ids

    def take_ids(self, model: type[Model], count: int) -> Sequence[int]:
        """`count` fresh primary keys of the model's table, from a block of ID_BLOCK taken at once (a
        first load's, so one statement: bulk.ids_in_blocks), so the COPY gives each row its id instead
        of the server drawing it from the sequence. Ids left at the end are a gap in the sequence."""
        pool = self.id_pools.get(model, range(0))
        if len(pool) < count:
            self.wait()  # allocate_ids is a statement of this thread
            pool = allocate_ids(model, max(count, ID_BLOCK))
            if pool[-1] - pool[0] + 1 == len(pool):
                pool = range(pool[0], pool[-1] + 1)  # slicing a range copies nothing
        self.id_pools[model] = pool[count:]
        return pool[:count]

    def hold(self, job: CopyJob, keys: Iterable[tuple[str, str]]) -> None:
        """Keep a formatted COPY for the second thread, with the (source, source_id) keys it writes."""
        self.held.append(job)
        self.held_keys.update(keys)
