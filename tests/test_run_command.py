"""`manage.py up` (what `make run` starts): web, worker and beat together; Ctrl-C stops all three."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_with_var_dir(var_dir):
    """PIDs of live processes started with this DUALPOWER_VAR_DIR (web, worker, beat carry it)."""
    marker = f"DUALPOWER_VAR_DIR={var_dir}".encode() + b"\0"
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes() + b"\0":
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


@pytest.fixture
def embedded_env(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DUALPOWER_TESTING", "PYTEST_CURRENT_TEST"}
    }
    env.update({"DJANGO_DEBUG": "1", "DUALPOWER_VAR_DIR": str(tmp_path / "var"), "PYTHONUNBUFFERED": "1"})
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    return env


def test_up_runs_web_worker_and_beat_and_ctrl_c_stops_all(embedded_env, tmp_path):
    port = free_port()
    log_path = tmp_path / "up.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "up", "--addr", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=embedded_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                text = log_path.read_text()
                if "worker | " in text and " ready." in text and "beat: Starting" in text:
                    try:
                        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                            assert response.read() == b"ok"
                            break
                    except OSError:
                        pass
                assert process.poll() is None, text
                assert time.monotonic() < deadline, "up did not start all three:\n" + text
                time.sleep(0.3)
            assert f"running at http://127.0.0.1:{port}/" in text
            assert len(processes_with_var_dir(tmp_path / "var")) >= 4  # up itself, web, worker, beat
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
    text = log_path.read_text()
    assert text.rstrip().endswith("Stopped.")
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, "the web server is still listening"
    assert processes_with_var_dir(tmp_path / "var") == [], "children left running"


def test_up_stops_everything_if_one_part_dies(embedded_env, tmp_path):
    port = free_port()
    with socket.socket() as blocker:
        # The port is taken, so the web server exits at once: the others must be stopped too.
        blocker.bind(("127.0.0.1", port))
        blocker.listen()
        result = subprocess.run(
            [sys.executable, "manage.py", "up", "--addr", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=embedded_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert "web stopped" in result.stderr + result.stdout
