"""A throwaway PostgreSQL primary with a real streaming replica, for the replica-lag tests and
bench/load.py: both in one temporary folder on free ports, gone (servers stopped, files removed)
when the `with` block ends, whatever happened inside it.

A pair of its own rather than a replica of the shared server: pg_basebackup copies a whole cluster,
and the shared one holds the benchmark databases. As root the servers run as `postgres` (PostgreSQL
refuses to run as root).
"""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.getenv("ARROW_PG_BIN", "/usr/lib/postgresql/15/bin"))


def available() -> str | None:
    """Why a pair cannot be made here, or None when it can."""
    if not (PG_BIN / "initdb").exists():
        return f"no PostgreSQL server programs in {PG_BIN} (set ARROW_PG_BIN)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StreamingPair:
    """`with StreamingPair() as pair:` gives pair.primary_url and pair.replica_url (database `arrow`)."""

    def __init__(self, database: str = "arrow"):
        self.database = database
        self.root = Path(tempfile.mkdtemp(prefix="arrow-pair-"))
        self.primary_dir = self.root / "primary"
        self.replica_dir = self.root / "replica"
        self.primary_port = free_port()
        self.replica_port = free_port()

    def url(self, port: int) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{self.database}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def replica_url(self) -> str:
        return self.url(self.replica_port)

    def __enter__(self) -> "StreamingPair":
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run(self, program: str, *args: str) -> str:
        command = [str(PG_BIN / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout

    def configure(self, data_dir: Path, port: int) -> None:
        settings = {
            "port": port,
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.root}'",
            # A test server: nothing here must survive a crash, so no waiting for the disk.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "shared_buffers": "32MB",
            "max_connections": 40,
            "wal_level": "replica",
            "max_wal_senders": 4,
            "hot_standby": "on",
        }
        with (data_dir / "postgresql.auto.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.run("initdb", "-D", str(self.primary_dir), "-A", "trust", "-U", "postgres", "--no-sync")
        self.configure(self.primary_dir, self.primary_port)
        with (self.primary_dir / "pg_hba.conf").open("a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        self.run("pg_ctl", "-D", str(self.primary_dir), "-l", str(self.root / "primary.log"), "-w", "start")
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres", self.database)
        # -R writes the standby's primary_conninfo and standby.signal: it streams from the primary.
        self.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
            "-D", str(self.replica_dir), "-R", "-X", "stream", "--no-sync", "--checkpoint=fast",
        )  # fmt: skip
        self.configure(self.replica_dir, self.replica_port)
        self.run("pg_ctl", "-D", str(self.replica_dir), "-l", str(self.root / "replica.log"), "-w", "start")

    def stop_replica(self) -> None:
        self.run("pg_ctl", "-D", str(self.replica_dir), "-m", "immediate", "-w", "stop")

    def close(self) -> None:
        for data_dir in (self.replica_dir, self.primary_dir):
            if (data_dir / "postmaster.pid").exists():
                with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
                    self.run("pg_ctl", "-D", str(data_dir), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def wait_replayed(self, timeout: float = 30) -> None:
        wait_replayed(self.primary_url, self.replica_url, timeout)


def wait_replayed(primary_url: str, replica_url: str, timeout: float = 30) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    import psycopg

    with psycopg.connect(primary_url, autocommit=True) as primary:
        # The insert position: with synchronous_commit off the written one may lag a commit.
        target = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout
    with psycopg.connect(replica_url, autocommit=True) as replica:
        while time.monotonic() < deadline:
            if replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0]:
                return
            time.sleep(0.05)
    raise TimeoutError(f"the replica did not replay up to {target} in {timeout} s")
