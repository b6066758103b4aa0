"""Start, check and stop the whole team deployment on one machine.

HAProxy (``deploy/haproxy.cfg``) on https://localhost:8443 in front of
Streamlit replicas of ``app.py`` on 127.0.0.1:8601, 8602, ... They share one
cookie secret (and one ``.streamlit/secrets.toml``), so a signed cookie made
by one replica is valid on the others. Everything listens on localhost only.

Usage::

    python scripts/deploy_local.py start [--replicas 2]   # returns once all answer
    python scripts/deploy_local.py status
    python scripts/deploy_local.py stop
    python scripts/deploy_local.py run                     # start, wait for Ctrl-C, stop

``start`` leaves the processes running in the background and records them in
the state folder (``--state-dir``, default ``$TMPDIR/sahel-map-deploy-<uid>``),
which also keeps a self-signed certificate for localhost, the cookie secret
(mode 600) and the logs. ``stop`` ends exactly the processes it recorded.

Needs ``haproxy`` and ``openssl`` (Debian: ``apt-get install haproxy``).
See docs/deploy.md for a real server.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "deploy" / "haproxy.cfg"
HOST = "127.0.0.1"
BEGIN, END = "# >>> replicas", "# <<< replicas"
START_TIMEOUT = 120.0  # seconds for every replica and the proxy to answer
STOP_TIMEOUT = 15.0


class DeployError(RuntimeError):
    """The deployment cannot be started or stopped; the message says why."""


@dataclass(frozen=True)
class Layout:
    """Where the deployment listens and keeps its files."""

    state: Path
    port: int = 8443
    http_port: int = 8080
    stats_port: int = 8404
    first_app_port: int = 8601
    replicas: int = 2

    @property
    def app_ports(self) -> list[int]:
        return [self.first_app_port + i for i in range(self.replicas)]

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}"

    @property
    def cert(self) -> Path:
        return self.state / "cert.pem"

    @property
    def ca(self) -> Path:
        """The certificate alone: clients trust it to reach the proxy."""
        return self.state / "crt.pem"

    @property
    def record(self) -> Path:
        return self.state / "processes.json"


@dataclass
class Processes:
    """The processes a ``start`` launched (pid and what each is)."""

    proxy: int | None = None
    replicas: dict[int, int] = field(default_factory=dict)  # port -> pid
    url: str = ""

    def save(self, path: Path) -> None:
        data = {"proxy": self.proxy, "replicas": self.replicas, "url": self.url}
        path.write_text(json.dumps(data, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Processes | None:
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        replicas = {int(port): int(pid) for port, pid in data["replicas"].items()}
        return cls(data["proxy"], replicas, data.get("url", ""))


def default_state_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"sahel-map-deploy-{os.getuid()}"


# ---------------------------------------------------------------- set-up files


def _require_tools() -> None:
    missing = [tool for tool in ("haproxy", "openssl") if shutil.which(tool) is None]
    if missing:
        raise DeployError(
            f"{' and '.join(missing)} not found: install it with "
            "`sudo apt-get install haproxy openssl` (Debian's packages)."
        )


def ensure_certificate(layout: Layout) -> None:
    """A self-signed certificate for localhost, made once (30 days) and kept."""
    if layout.cert.is_file() and layout.ca.is_file() and _cert_valid(layout.ca):
        return
    key = layout.state / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
         "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(layout.ca)],
        check=True, capture_output=True,
    )  # fmt: skip
    key.chmod(0o600)
    layout.cert.write_bytes(layout.ca.read_bytes() + key.read_bytes())
    layout.cert.chmod(0o600)


def _cert_valid(crt: Path) -> bool:
    # -checkend: still valid a day from now.
    done = subprocess.run(
        ["openssl", "x509", "-checkend", "86400", "-noout", "-in", str(crt)],
        capture_output=True,
    )
    return done.returncode == 0


def cookie_secret(layout: Layout) -> str:
    """The replicas' shared ``server.cookieSecret``, made once and kept (mode 600)."""
    path = layout.state / "cookie_secret"
    if not path.is_file():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def proxy_config(layout: Layout) -> str:
    """deploy/haproxy.cfg with one ``server`` line per replica of this layout."""
    text = CONFIG.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    servers = "".join(
        f"    server app{i} {HOST}:{port} cookie app{i}\n"
        for i, port in enumerate(layout.app_ports, start=1)
    )
    return f"{head}{BEGIN}\n{servers}    {END}{tail}"


def proxy_env(layout: Layout) -> dict[str, str]:
    return {
        "SAHEL_LOCAL": "1",
        "SAHEL_BIND": f"{HOST}:{layout.port}",
        "SAHEL_HTTP_BIND": f"{HOST}:{layout.http_port}",
        "SAHEL_CERT": str(layout.cert),
        "SAHEL_PUBLIC_URL": layout.url,
        "SAHEL_STATS_BIND": f"{HOST}:{layout.stats_port}",
    }


# ---------------------------------------------------------------- processes


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
        return True


def _check_ports(layout: Layout) -> None:
    ports = [layout.port, layout.http_port, layout.stats_port, *layout.app_ports]
    busy = [port for port in ports if not _port_free(port)]
    if busy:
        raise DeployError(
            f"port(s) {', '.join(map(str, busy))} on {HOST} are in use: stop what uses "
            "them (`python scripts/deploy_local.py stop` if it is an earlier start) or "
            "choose other ports."
        )


def start_replica(
    layout: Layout, port: int, secret: str, env: dict[str, str], options: list[str]
) -> int:
    """One Streamlit replica of app.py on 127.0.0.1:``port``, in its own session."""
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.address", HOST,
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        *options,
    ]  # fmt: skip
    full_env = {**os.environ, **env, "STREAMLIT_SERVER_COOKIE_SECRET": secret}
    log = (layout.state / f"replica-{port}.log").open("ab")
    proc = subprocess.Popen(
        command, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    return proc.pid


def start_proxy(layout: Layout) -> int:
    """HAProxy in the foreground of its own session (logs to proxy.log)."""
    config = layout.state / "haproxy.cfg"
    config.write_text(proxy_config(layout), encoding="utf-8")
    env = {**os.environ, **proxy_env(layout)}
    check = subprocess.run(
        ["haproxy", "-c", "-q", "-f", str(config)], env=env, capture_output=True, text=True
    )
    if check.returncode != 0:
        raise DeployError(f"haproxy refuses {config}:\n{check.stdout}{check.stderr}")
    log = (layout.state / "proxy.log").open("ab")
    proc = subprocess.Popen(
        ["haproxy", "-W", "-db", "-f", str(config)], env=env, stdout=log,
        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    return proc.pid


def _healthy(url: str, context: ssl.SSLContext | None = None) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2, context=context) as reply:  # noqa: S310
            return bool(reply.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError, ssl.SSLError):
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too (a child of this process not yet reaped).
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until_ready(layout: Layout, procs: Processes) -> None:
    """Wait for every replica's and the proxy's health check, or raise with the logs' tail."""
    deadline = time.monotonic() + START_TIMEOUT
    context = ssl.create_default_context(cafile=str(layout.ca))
    checks = {f"http://{HOST}:{port}/_stcore/health": pid for port, pid in procs.replicas.items()}
    if procs.proxy:
        checks[f"{layout.url}/_stcore/health"] = procs.proxy
    pending = dict(checks)
    while pending and time.monotonic() < deadline:
        for url, pid in list(pending.items()):
            if not _alive(pid):
                raise DeployError(f"process {pid} for {url} exited early:\n{_log_tails(layout)}")
            if _healthy(url, context if url.startswith("https") else None):
                del pending[url]
        time.sleep(0.5)
    if pending:
        raise DeployError(f"no answer from {', '.join(pending)}:\n{_log_tails(layout)}")


def _log_tails(layout: Layout, lines: int = 15) -> str:
    out = []
    for log in sorted(layout.state.glob("*.log")):
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        out.append(f"--- {log.name}\n" + "\n".join(tail))
    return "\n".join(out)


# ---------------------------------------------------------------- commands


def start(
    layout: Layout, env: dict[str, str] | None = None, options: list[str] | None = None
) -> Processes:
    """Start the replicas, then the proxy; return once all of them answer.

    Raises
    ------
    DeployError
        A tool is missing, a port is taken, a deployment from this state
        folder is already running, or something did not come up (then
        everything started is stopped again).
    """
    _require_tools()
    layout.state.mkdir(parents=True, exist_ok=True, mode=0o700)
    running = Processes.load(layout.record)
    if running is not None and any(_alive(pid) for pid in _pids(running)):
        raise DeployError(f"already running ({running.url}); stop it first")
    _check_ports(layout)
    ensure_certificate(layout)
    secret = cookie_secret(layout)
    procs = Processes(url=layout.url)
    try:
        for port in layout.app_ports:
            procs.replicas[port] = start_replica(layout, port, secret, env or {}, options or [])
            procs.save(layout.record)
        # The proxy after the replicas answer, so it starts with all of them up.
        wait_until_ready(layout, procs)
        procs.proxy = start_proxy(layout)
        procs.save(layout.record)
        wait_until_ready(layout, procs)
    except BaseException:
        stop(layout)
        raise
    return procs


def _pids(procs: Processes) -> list[int]:
    return [pid for pid in [procs.proxy, *procs.replicas.values()] if pid]


def _ours(pid: int) -> bool:
    """The pid still runs haproxy or streamlit (not a recycled pid of something else)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"haproxy" in command or b"streamlit" in command


def stop(layout: Layout) -> list[int]:
    """End the recorded processes (SIGTERM, then SIGKILL after a while); return their pids."""
    procs = Processes.load(layout.record)
    if procs is None:
        return []
    # The proxy first: no new request reaches a replica that is going away.
    pids = [pid for pid in _pids(procs) if _alive(pid) and _ours(pid)]
    for pid in pids:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        _reap()
        time.sleep(0.2)
    for pid in pids:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    _reap()
    layout.record.unlink(missing_ok=True)
    return pids


def _reap() -> None:
    # Children of this process (a `start` in the same run) become zombies until waited for.
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def status(layout: Layout) -> str:
    procs = Processes.load(layout.record)
    if procs is None:
        return "not running"
    context = ssl.create_default_context(cafile=str(layout.ca))
    lines = [f"proxy {procs.url}: pid {procs.proxy}, alive {_alive(procs.proxy or 0)}, "
             f"healthy {_healthy(f'{procs.url}/_stcore/health', context)}"]  # fmt: skip
    for port, pid in procs.replicas.items():
        healthy = _healthy(f"http://{HOST}:{port}/_stcore/health")
        lines.append(f"replica {HOST}:{port}: pid {pid}, alive {_alive(pid)}, healthy {healthy}")
    return "\n".join(lines)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("start", "stop", "status", "run"))
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8443, help="the proxy's HTTPS port")
    parser.add_argument("--http-port", type=int, default=8080, help="redirects to HTTPS")
    parser.add_argument("--stats-port", type=int, default=8404, help="HAProxy's statistics")
    parser.add_argument("--first-app-port", type=int, default=8601)
    parser.add_argument("--state-dir", type=Path, default=default_state_dir())
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE",
        help="environment for the replicas (e.g. GEO_INCIDENTS=/data/incidents.csv)",
    )  # fmt: skip
    parser.add_argument(
        "--set", action="append", default=[], metavar="OPTION=VALUE",
        help="a Streamlit option for the replicas (e.g. runner.postScriptGC=true)",
    )  # fmt: skip
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    layout = Layout(
        args.state_dir, port=args.port, http_port=args.http_port, stats_port=args.stats_port,
        first_app_port=args.first_app_port, replicas=args.replicas,
    )  # fmt: skip
    env = dict(_pair(item) for item in args.env)
    options = [part for item in args.set for part in _option(*_pair(item))]
    try:
        if args.command == "stop":
            print(f"stopped {len(stop(layout))} process(es)")
        elif args.command == "status":
            print(status(layout))
        else:
            procs = start(layout, env, options)
            print(f"{layout.url} -> {len(procs.replicas)} replica(s); state in {layout.state}")
            if args.command == "run":
                _wait_for_signal()
                stop(layout)
    except DeployError as exc:
        print(f"deploy_local: {exc}", file=sys.stderr)
        return 1
    return 0


def _pair(item: str) -> tuple[str, str]:
    name, sep, value = item.partition("=")
    if not sep or not name:
        raise SystemExit(f"deploy_local: expected NAME=VALUE, got {item!r}")
    return name, value


def _option(name: str, value: str) -> tuple[str, str]:
    return f"--{name}", value


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _wait_for_signal() -> None:
    print("Ctrl-C stops it.")
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
