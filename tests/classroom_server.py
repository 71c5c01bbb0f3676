"""Start ``sim classroom serve`` in a subprocess for tests and the load script."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SIM = str(Path(sys.executable).with_name("sim"))


@dataclass
class Server:
    """A running server: its process, the students' address and the instructor's login."""

    process: subprocess.Popen[str]
    base: str
    login: str

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop it (SIGKILL simulates a crash) and wait for it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        self.process.wait(timeout=20)
        if self.process.stdout is not None:
            self.process.stdout.close()


def start(scenario: Path, db: Path) -> Server:
    """``sim classroom serve SCENARIO --port 0 --db DB``, once it prints its addresses."""
    process = subprocess.Popen(
        [SIM, "classroom", "serve", str(scenario), "--port", "0", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    text = "".join(process.stdout.readline() for _ in range(4))
    base = re.search(r"students join at\s+(\S+)", text)
    login = re.search(r"instructor page\s+(\S+)", text)
    if not (base and login):
        process.kill()
        raise RuntimeError(f"the server did not start:\n{text}")
    return Server(process, base.group(1), login.group(1))
