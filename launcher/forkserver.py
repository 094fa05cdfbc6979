"""`python -m launcher.forkserver`: server processes forked from one that has imported both apps.

A server spends most of its start importing Flask, SQLAlchemy, Socket.IO, pydantic and the apps
(about 1.4 of its 2 CPU-seconds on the development machines), and the end-to-end tests start
some hundred servers a run. This process imports once, then forks a server for each request it
reads on stdin (one JSON object a line: module, argv, env, cwd, log); it answers on stdout with
the server's pid and, when one ends, its exit code (it is their parent, so it reaps them).

Each server is a process of its own as any other: its own environment, log, sockets and
database connections, running the same entry point as `python -m ems_app run` (`main(argv)`).
The parent stays single-threaded, so a fork copies no lock another thread held. Not for gevent,
which must patch the standard library before anything is imported: launcher.processes starts
those as before."""
from __future__ import annotations

import json
import os
import select
import sys
import traceback


def main() -> None:
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever an import prints goes to stderr, not into the answers
    import ems_app.__main__
    import hospital_app.__main__
    entry = {"ems_app": ems_app.__main__.main, "hospital_app": hospital_app.__main__.main}
    pending = b""
    while True:
        _reap(answers)
        readable, _, _ = select.select([0], [], [], 0.1)
        if not readable:
            continue
        chunk = os.read(0, 65536)
        if not chunk:  # the launcher is gone: its servers are its to stop
            return
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            request = json.loads(line)
            answers.write(json.dumps({"id": request["id"], "pid": _fork(entry[request["module"]], request)}) + "\n")


def _reap(answers) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        answers.write(json.dumps({"exited": pid, "code": os.waitstatus_to_exitcode(status)}) + "\n")


def _fork(entry, request: dict) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        nothing = os.open(os.devnull, os.O_RDONLY)
        os.dup2(nothing, 0)
        os.close(nothing)
        os.closerange(3, 1 << 16)  # the answers pipe among them: the launcher sees this process end
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        sys.argv = [request["module"], *request["argv"]]
        code = entry(request["argv"]) or 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:  # noqa: BLE001 - whatever ends the server is written to its log
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    main()
