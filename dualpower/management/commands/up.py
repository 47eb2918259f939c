"""Run the whole embedded app in the foreground: web server, Celery worker and Celery beat.

Ctrl-C (or SIGTERM) stops all three. If one of them stops on its own, the others are
stopped too and the command exits with an error, so nothing keeps running half-broken.
"""

import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the web server, a Celery worker and Celery beat together (Ctrl-C stops all)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="Address for the web server.")

    def handle(self, *args, addr, **options):
        python = sys.executable
        commands = {
            "web": [python, "manage.py", "runserver", addr, "--noreload"],
            "worker": [python, "-m", "celery", "-A", "dualpower", "worker", "--pool=solo", "--loglevel=INFO"],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "dualpower",
                "beat",
                "--loglevel=INFO",
                f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}",
            ],
        }
        processes = {}
        stopping = threading.Event()

        def stop(*_args):
            stopping.set()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)

        for name, command in commands.items():
            processes[name] = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=os.environ.copy(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                bufsize=1,
                start_new_session=True,
            )
            threading.Thread(target=self._relay, args=(name, processes[name]), daemon=True).start()

        self.stdout.write(self.style.SUCCESS(f"\nDual Power is running at http://{addr}/"))
        mail_folder = settings.MAILERS["default"].get("OPTIONS", {}).get("file_path")
        if mail_folder:
            self.stdout.write(f"E-mail is written to files in {mail_folder}")
        self.stdout.write("Press Ctrl-C to stop the web server, worker and beat.\n")

        exit_code = 0
        while not stopping.is_set():
            for name, process in processes.items():
                if process.poll() is not None:
                    self.stderr.write(f"{name} stopped (exit status {process.returncode}); stopping the others.")
                    exit_code = 1
                    stopping.set()
                    break
            time.sleep(0.3)

        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.stdout.write("Stopped.")
        if exit_code:
            sys.exit(exit_code)

    def _relay(self, name, process):
        for line in process.stdout:
            self.stdout.write(f"{name:>6} | {line.rstrip()}")
