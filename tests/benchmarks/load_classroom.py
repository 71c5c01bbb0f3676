"""Load: 100 students on loopback join one session and submit their orders in the same stage.

The simultaneous classroom scenario (Seoul and Tokyo answer at once) in 50
worlds gives 100 students who all decide in the first stage. They join
together, the instructor starts the round, and all 100 send their sealed
orders at the same moment (a barrier releases them). The script reports the
median and 95th-percentile latency of the joins and of the orders, and checks
that every acknowledged order is in the server's CSV export and every world
finished.

Run: ``python tests/benchmarks/load_classroom.py [--students 100]``
(``tests/test_classroom_load.py`` runs it too, without judging the times).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.classroom_server import start  # noqa: E402

PACKAGE = ROOT / "scenarios" / "classroom_brokered_package.toml"


def p95(values: list[float]) -> float:
    """The 95th percentile (inclusive method: within the observed range)."""
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def run_load(students: int = 100, db: Path | None = None) -> dict[str, Any]:
    """Run the load against a fresh server; return the measurements."""
    import httpx

    with tempfile.TemporaryDirectory() as folder:
        server = start(PACKAGE, db or Path(folder) / "load.sqlite")
        try:
            teacher = httpx.Client(base_url=server.base, follow_redirects=False, timeout=30)
            teacher.get(server.login)
            worlds = -(-students // 2)
            created = teacher.post(
                "/instructor/sessions", data={"worlds": str(worlds), "stage_seconds": ""}
            )
            sid = created.headers["location"].rsplit("/", 1)[1]
            page = teacher.get(f"/instructor/session/{sid}").text
            code = page.split('<p class="code">', 1)[1].split("<", 1)[0]
            clients = [
                httpx.Client(base_url=server.base, follow_redirects=False, timeout=30)
                for _ in range(students)
            ]

            def join(k: int) -> float:
                began = time.perf_counter()
                response = clients[k].post("/join", data={"code": code, "pseudonym": f"s{k}"})
                assert response.status_code == 303, response.text
                return time.perf_counter() - began

            with ThreadPoolExecutor(students) as pool:
                join_times = list(pool.map(join, range(students)))
            assert teacher.post(f"/instructor/session/{sid}/start").status_code == 303
            barrier = threading.Barrier(students)
            acknowledged: list[tuple[int, str]] = []
            lock = threading.Lock()

            def order(k: int) -> float:
                page = clients[k].get("/play").text
                move = page.split('name="move" value="', 1)[1].split('"', 1)[0]
                action = "accept" if k % 3 else "refuse"
                barrier.wait()
                began = time.perf_counter()
                response = clients[k].post(
                    "/play/order", data={"move": move, "action": action, "round": "1"}
                )
                elapsed = time.perf_counter() - began
                assert response.status_code == 303, response.text
                with lock:
                    acknowledged.append((k, action))
                return elapsed

            with ThreadPoolExecutor(students) as pool:
                order_times = list(pool.map(order, range(students)))
            rows = teacher.get(f"/instructor/session/{sid}/moves.csv").text.splitlines()[1:]
            stored = {
                (row.split(",")[0], row.split(",")[5])
                for row in rows
                if row.split(",")[6] == "student"
            }
            missing = [k for k, action in acknowledged if (f"s{k}", action) not in stored]
            finished = teacher.get(f"/instructor/session/{sid}/projector").text
            for client in clients:
                client.close()
            teacher.close()
        finally:
            server.stop()
    return {
        "students": students,
        "join_median": statistics.median(join_times),
        "join_p95": p95(join_times),
        "order_median": statistics.median(order_times),
        "order_p95": p95(order_times),
        "acknowledged": len(acknowledged),
        "missing": missing,
        "all_finished": f"{worlds} of {worlds} worlds finished" in finished,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    args = parser.parse_args()
    result = run_load(args.students)
    print(f"students: {result['students']} (loopback, one server process)")
    print(
        f"join:  median {1000 * result['join_median']:.0f} ms, "
        f"95th percentile {1000 * result['join_p95']:.0f} ms"
    )
    print(
        f"order: median {1000 * result['order_median']:.0f} ms, "
        f"95th percentile {1000 * result['order_p95']:.0f} ms (all sent at once)"
    )
    print(
        f"acknowledged orders: {result['acknowledged']}; missing from the export: "
        f"{len(result['missing'])}; every world finished: {result['all_finished']}"
    )


if __name__ == "__main__":
    main()
