"""Servers the benchmarks start on 127.0.0.1 and always stop: gunicorn with our gunicorn.conf.py, datasette,
a private redis-server."""

import contextlib
import signal
import socket
import subprocess
import time
import urllib.error
from contextlib import contextmanager

from databases import env_for, manage
from locations import OUT, ROOT
from page_fetch import fetch


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 60) -> None:
    """Stop a child we started (no-op once it has exited), harder if it does not go."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running(command: list[str], env: dict, port: int, probe_path: str, log_name: str):
    """Start a server on 127.0.0.1:port, wait until probe_path answers, stop it afterwards."""
    if not port_is_free(port):
        raise SystemExit(f"port {port} is already in use: pass --port")
    base = f"http://127.0.0.1:{port}"
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / log_name, "w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            for _ in range(300):
                if server.poll() is not None:
                    raise SystemExit(f"{command[0]} exited; see {OUT / log_name}")
                try:
                    fetch(base, probe_path)
                    break
                except (urllib.error.URLError, OSError):  # not listening yet
                    time.sleep(0.2)
            else:
                raise SystemExit(f"{command[0]} did not answer in 60 s")
            yield base
        finally:
            stop_process(server, timeout=30)


def gunicorn_env(database_url: str, port: int, workers: int, max_requests: int | None) -> dict:
    env = env_for(database_url)
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(workers))
    if max_requests is not None:
        env["GUNICORN_CMD_ARGS"] = f"--max-requests {max_requests}"  # over gunicorn.conf.py's
    if database_url.startswith("postgres"):
        env.update(DB_POOL="1", DB_CONN_MAX_AGE="0")  # production (docs/deployment.md)
    return env


def collectstatic(database_url: str) -> None:
    # The manifest storage needs it with DEBUG off.
    manage(env_for(database_url), "collectstatic", "--no-input", "-v", "0")


def start_redis(port: int, log_file) -> subprocess.Popen:
    """A private redis-server, nothing saved to disk; the shared one on 6379 is never touched."""
    import redis

    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(redis.RedisError):
            if redis.Redis(port=port, socket_timeout=1).ping():
                return process
        time.sleep(0.1)
    stop_process(process, signal.SIGKILL)
    raise SystemExit(f"redis-server did not answer on port {port}")
