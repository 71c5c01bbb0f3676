"""``sim classroom serve``: open the database, bind the port, print the addresses, serve.

The socket is bound before anything is printed, so the instructor's address
appears only when the server can answer it (and ``port=0`` prints the port
the system chose, which the tests use). uvicorn then serves the app on that
socket until Ctrl-C.
"""

from __future__ import annotations

import socket

from sim.errors import UsageError
from sim.scenario.model import Scenario

__all__ = ["serve"]


def _address_for_students(host: str, port: int) -> str:
    """The address students type: this machine's address on the network when serving it."""
    if host not in ("0.0.0.0", "::"):
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # a documentation address: no packet is sent
            return f"http://{probe.getsockname()[0]}:{port}/"
    except OSError:
        return f"http://{socket.gethostname()}:{port}/"


def serve(scenario: Scenario, *, host: str, port: int, db: str) -> str:
    """Serve the classroom for ``scenario`` until interrupted; return a closing line."""
    import uvicorn

    from sim.analysis.sweep import scenario_hash
    from sim.classroom.app import create_app
    from sim.classroom.engine import Exercise
    from sim.classroom.session import new_token
    from sim.classroom.store import Store

    Exercise(scenario)  # a scenario the classroom cannot play fails here, before binding
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise UsageError(
            f"{{host}} {{port}}: cannot listen there ({error})",
            function="serve",
            parameters={"host": host, "port": port},
        ) from None
    sock.listen(256)
    try:  # only once the port is ours: a failed start leaves no database behind
        store = Store(db, scenario, scenario_hash(scenario))
    except BaseException:
        sock.close()
        raise
    token = new_token()
    bound = sock.getsockname()[1]
    local = _address_for_students(host, bound)
    app = create_app(store, scenario, token, public_base=local)
    login_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    instructor = f"{_address_for_students(login_host, bound)}instructor/login?token={token}"
    print(f"sim classroom: {scenario.title}", flush=True)
    print(f"  students join at  {local}", flush=True)
    print(f"  instructor page   {instructor}", flush=True)
    print(
        f"  sessions kept in  {store.path} ({len(store.sessions)} so far); Ctrl-C stops", flush=True
    )
    for session_id, problem in store.unreadable.items():
        print(f"  could not replay session {session_id}: {problem}", flush=True)
    # Bounds for a classroom network: idle connections close after 5 s, and beyond 1,000
    # at once new ones get 503 rather than exhausting the process's files.
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, timeout_keep_alive=5, limit_concurrency=1_000
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        store.close()
        sock.close()
    return "sim classroom: stopped; every acknowledged move is in " + str(store.path)
