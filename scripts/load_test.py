"""Bounded load test of the local team deployment with protocol-level viewers.

Each simulated viewer does what a browser with the app's files already
cached does on a page visit, over the proxy's HTTPS port:

1. ``GET /`` (the proxy sets its sticky cookie), ``GET /_stcore/health``
   (Streamlit sets its XSRF cookie) and ``GET /_stcore/host-config``;
2. opens the websocket ``/_stcore/stream`` with those cookies, the page's
   Origin and the ``streamlit`` subprotocol, offering permessage-deflate;
3. sends a ``rerun_script`` BackMsg (protobuf, as the frontend does) for
   the page, and reads ForwardMsgs until ``script_finished``.

**Page ready** is the time from the first request to that
``script_finished``: everything the page shows has been received. A visit
is an **error** when a request fails, a status is not 200, the script
raises (an exception element arrives), or it does not finish within
``--timeout``. The map's own drawing in the browser is not included (that
is the viewer's CPU, not the server's).

The test starts its own deployment (``scripts/deploy_local.py``, on ports
that do not clash with one you run) for each replica count, runs the
rounds, and stops it; it talks to localhost only, starts a bounded number
of viewers and stops by itself after ``--max-seconds``. Server CPU per
visit is read from ``/proc`` for the replicas and the proxy.

Usage::

    python scripts/load_test.py                       # 10, 50, 100 viewers on 1 and 2 replicas
    python scripts/load_test.py --viewers 50 --replicas 2
    python scripts/load_test.py --cost before,after   # CPU and bytes of a visit, before/after

Method and figures: docs/performance.md ("Many viewers").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "scripts" / "deploy_local.py"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# Ports of the test's own deployment (deploy_local.py's defaults are 8443, 8601...).
PORTS = {
    "--port": "9443",
    "--http-port": "9080",
    "--stats-port": "9404",
    "--first-app-port": "9601",
}
FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}

# Replica settings compared by --cost: (environment, Streamlit options).
VARIANTS: dict[str, tuple[dict[str, str], list[str]]] = {
    # As the app was: a fresh map per visit, a full garbage collection after each run.
    "before": ({"GEO_MAP_CACHE": "0"}, ["runner.postScriptGC=true"]),
    "cache": ({}, ["runner.postScriptGC=true"]),  # the shared map cache only
    "after": ({}, []),  # the shipped settings: map cache, no forced collection
    "deflate": ({}, ["server.enableWebsocketCompression=true"]),  # after + compression
}


@dataclass
class Visit:
    """One page visit of one viewer."""

    ok: bool
    seconds: float
    payload_bytes: int = 0  # HTTP bodies and websocket messages, uncompressed
    wire_bytes: int = 0  # what arrived over the connections (TLS payload)
    replica: str = ""
    error: str = ""


@dataclass
class Round:
    """``viewers`` viewers at once against ``replicas`` replicas, ``visits`` visits each."""

    replicas: int
    viewers: int
    variant: str
    visits: list[Visit] = field(default_factory=list)
    wall: float = 0.0
    server_cpu: float = 0.0  # seconds, all replicas
    proxy_cpu: float = 0.0
    client_cpu: float = 0.0
    max_rss_mb: float = 0.0
    load_before: float = 0.0  # the machine's 1-minute load average at the start

    def ready(self) -> list[float]:
        return [v.seconds for v in self.visits if v.ok]

    def errors(self) -> int:
        return sum(not v.ok for v in self.visits)

    def per_replica(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for v in self.visits:
            counts[v.replica or "?"] = counts.get(v.replica or "?", 0) + 1
        return dict(sorted(counts.items()))


@dataclass(frozen=True)
class Target:
    """Where the viewers go and how they trust its certificate."""

    base: str
    ssl: ssl.SSLContext | None
    page: str = ""
    timeout: float = 60.0

    @property
    def host(self) -> str:
        return urlsplit(self.base).hostname or "localhost"

    @property
    def port(self) -> int:
        parts = urlsplit(self.base)
        return parts.port or (443 if parts.scheme == "https" else 80)


# ---------------------------------------------------------------- one visit


async def http_get(
    target: Target, path: str, cookies: dict[str, str]
) -> tuple[int, list[str], bytes]:
    """A plain HTTP/1.1 GET; returns (status, Set-Cookie values, body) and stores the cookies."""
    reader, writer = await asyncio.open_connection(
        target.host,
        target.port,
        ssl=target.ssl,
        server_hostname=target.host if target.ssl else None,
    )
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {urlsplit(target.base).netloc}\r\n"
        f"User-Agent: sahel-map-load-test\r\nAccept: */*\r\nConnection: close\r\n"
        + (f"Cookie: {cookie}\r\n" if cookie else "")
        + "\r\n"
    )
    writer.write(request.encode("latin-1"))
    raw = await reader.read()
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = [line.split(":", 1) for line in lines[1:] if ":" in line]
    set_cookies = [value.strip() for name, value in headers if name.lower() == "set-cookie"]
    for item in set_cookies:
        name, _, value = item.split(";", 1)[0].partition("=")
        cookies[name.strip()] = value.strip()
    if any(n.lower() == "transfer-encoding" and "chunked" in v for n, v in headers):
        body = _unchunk(body)
    return status, set_cookies, body


def _unchunk(body: bytes) -> bytes:
    out, rest = b"", body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out


def rerun_message(target: Target) -> bytes:
    """The BackMsg the frontend sends to run the page (first load: no widget state)."""
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_name = target.page
    info = msg.rerun_script.context_info
    info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-GB"
    info.url = f"{target.base}/{target.page}"
    return msg.SerializeToString()


def _count_wire(ws: ClientConnection, counter: list[int]) -> None:
    # The transport hands every received chunk to the protocol's data_received.
    original = ws.data_received

    def counting(data: bytes) -> None:
        counter[0] += len(data)
        original(data)

    setattr(ws, "data_received", counting)  # noqa: B010 (an instance attribute on purpose)


async def read_run(ws: ClientConnection, need_map: bool) -> tuple[int, str]:
    """Read ForwardMsgs until the run finishes; (payload bytes, error or "").

    With ``need_map``, a run that sent no component (the map) is an error:
    the page then showed something else, a notice or a sign-in page.
    """
    received, components = 0, 0
    while True:
        data = await ws.recv(decode=False)
        received += len(data)
        msg = ForwardMsg()
        msg.ParseFromString(data)
        kind = msg.WhichOneof("type")
        element = msg.delta.new_element.WhichOneof("type") if kind == "delta" else None
        if element == "exception":
            return received, f"exception: {msg.delta.new_element.exception.message[:120]}"
        components += element == "component_instance"
        if kind == "script_finished":
            if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                return received, "compile error"
            if msg.script_finished in FINISHED:
                return received, "no map on the page" if need_map and not components else ""


async def page_visit(target: Target, cookies: dict[str, str]) -> Visit:
    """One visit (HTTP requests, websocket, one full run of the page); never raises."""
    start = time.perf_counter()
    http_bytes, ws_bytes, wire = 0, 0, [0]
    try:
        async with asyncio.timeout(target.timeout):
            for path in ("/", "/_stcore/health", "/_stcore/host-config"):
                status, _, body = await http_get(target, path, cookies)
                http_bytes += len(body)
                if status != 200:
                    raise RuntimeError(f"GET {path}: HTTP {status}")
            ws_bytes, error = await _stream(target, cookies, wire)
    except Exception as exc:  # noqa: BLE001 (any failure is an error of this visit)
        error = f"{type(exc).__name__}: {exc}"[:160]
    return Visit(
        ok=not error,
        seconds=time.perf_counter() - start,
        payload_bytes=http_bytes + ws_bytes,
        wire_bytes=http_bytes + wire[0],
        replica=cookies.get("SAHELMAP", ""),
        error=error,
    )


async def _stream(target: Target, cookies: dict[str, str], wire: list[int]) -> tuple[int, str]:
    scheme = "wss" if target.ssl else "ws"
    netloc = urlsplit(target.base).netloc
    protocols = [Subprotocol("streamlit")]
    if "_streamlit_xsrf" in cookies:  # the browser passes its XSRF token this way
        protocols.append(Subprotocol(cookies["_streamlit_xsrf"]))
    async with connect(
        f"{scheme}://{netloc}/_stcore/stream",
        ssl=target.ssl,
        proxy=None,
        subprotocols=protocols,
        additional_headers={
            "Origin": target.base,
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        },
        max_size=None,
        open_timeout=target.timeout,
        ping_interval=None,
    ) as ws:
        _count_wire(ws, wire)
        await ws.send(rerun_message(target))
        return await read_run(ws, need_map=target.page == "")


# ---------------------------------------------------------------- rounds


async def viewer(target: Target, visits: int, deadline: float) -> list[Visit]:
    """One viewer: ``visits`` visits in a row, keeping its cookies (its replica)."""
    cookies: dict[str, str] = {}
    done = []
    for _ in range(visits):
        if time.monotonic() > deadline:
            done.append(Visit(ok=False, seconds=0.0, error="not started: time is up"))
            continue
        done.append(await page_visit(target, cookies))
    return done


async def run_viewers(target: Target, viewers: int, visits: int, deadline: float) -> list[Visit]:
    """``viewers`` viewers started together; each visit is bounded by the target's timeout."""
    results = await asyncio.gather(*(viewer(target, visits, deadline) for _ in range(viewers)))
    return [visit for one in results for visit in one]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and their children, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in _with_children(pids):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def _with_children(pids: list[int]) -> list[int]:
    # HAProxy's master forks the worker that does the work.
    parents = set(pids)
    found = list(pids)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) in parents:
            found.append(int(stat.parent.name))
    return found


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Deployment:
    """A deployment this test started (or the one at --url): its address and processes."""

    target: Target
    replicas: dict[int, int] = field(default_factory=dict)  # port -> pid
    proxy: int | None = None


def measure_round(
    deployment: Deployment, viewers: int, visits: int, deadline: float, variant: str
) -> Round:
    """Run one round and read the CPU the replicas, the proxy and this client spent on it."""
    pids = list(deployment.replicas.values())
    proxy = [deployment.proxy] if deployment.proxy else []
    result = Round(len(pids) or 1, viewers, variant, load_before=os.getloadavg()[0])
    server0, proxy0, client0 = cpu_seconds(pids), cpu_seconds(proxy), time.process_time()
    start = time.perf_counter()
    result.visits = asyncio.run(run_viewers(deployment.target, viewers, visits, deadline))
    result.wall = time.perf_counter() - start
    result.server_cpu = cpu_seconds(pids) - server0
    result.proxy_cpu = cpu_seconds(proxy) - proxy0
    result.client_cpu = time.process_time() - client0
    result.max_rss_mb = max((rss_mb(pid) for pid in pids), default=0.0)
    return result


def prioritise(deployment: Deployment, nice: int) -> None:
    """Give the deployment's processes and this client the scheduling priority ``nice``.

    Linux groups processes by session (autogroup) and shares the CPU between
    groups, so a process's own nice value does nothing against other jobs;
    the group's nice value (``/proc/<pid>/autogroup``) does.
    """
    if not nice:
        return
    pids = [*deployment.replicas.values(), *([deployment.proxy] if deployment.proxy else [])]
    for pid in [*_with_children(pids), os.getpid()]:
        try:
            Path(f"/proc/{pid}/autogroup").write_text(str(nice))
        except OSError:
            os.setpriority(os.PRIO_PROCESS, pid, nice)


def warm_up(deployment: Deployment) -> None:
    """One visit per replica first: each builds its caches once, as after a restart."""
    for index in range(1, len(deployment.replicas) + 1):
        cookies = {"SAHELMAP": f"app{index}"}
        visit = asyncio.run(page_visit(deployment.target, cookies))
        if not visit.ok:
            raise SystemExit(f"load_test: the warm-up visit to app{index} failed: {visit.error}")


# ---------------------------------------------------------------- deployment


@contextmanager
def deployed(
    replicas: int, variant: str, state: Path, timeout: float, page: str
) -> Iterator[Deployment]:
    """Start deploy_local.py with ``replicas`` replicas in ``variant``; stop it afterwards."""
    env, options = VARIANTS[variant]
    # Viewers through the proxy: without sign-in a proxied request is refused
    # (geo.model.roles.exposure), so the test deployment opens to viewers.
    env = {"GEO_ALLOW_OPEN": "viewer", **env}
    command = [sys.executable, str(DEPLOY), "start", "--replicas", str(replicas),
               "--state-dir", str(state), *[x for kv in PORTS.items() for x in kv]]  # fmt: skip
    command += [x for name, value in env.items() for x in ("--env", f"{name}={value}")]
    command += [x for option in options for x in ("--set", option)]
    try:
        started = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if started.returncode != 0:
            raise SystemExit(f"load_test: the deployment did not start:\n{started.stderr}")
        record = json.loads((state / "processes.json").read_text(encoding="utf-8"))
        context = ssl.create_default_context(cafile=str(state / "crt.pem"))
        target = Target(record["url"], context, page=page, timeout=timeout)
        replicas_pids = {int(port): int(pid) for port, pid in record["replicas"].items()}
        yield Deployment(target, replicas_pids, record["proxy"])
    finally:
        stop = [sys.executable, str(DEPLOY), "stop", "--state-dir", str(state)]
        subprocess.run(stop, cwd=ROOT, capture_output=True)


# ---------------------------------------------------------------- report


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (inclusive method); nan without values."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


HEADER = (
    "| replicas | viewers | visits | errors | p50 (s) | p95 (s) | max (s) | wall (s) "
    "| server CPU/visit (s) | proxy CPU/visit (s) | client CPU/visit (s) | visits per replica "
    "| replica RSS (MB) | load avg |\n"
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:--|---:|---:|"
)


def round_row(r: Round) -> str:
    ready, n = r.ready(), len(r.visits) or 1
    spread = ", ".join(f"{k} {v}" for k, v in r.per_replica().items())
    return (
        f"| {r.replicas} | {r.viewers} | {len(r.visits)} | {r.errors()} "
        f"| {percentile(ready, 50):.2f} | {percentile(ready, 95):.2f} "
        f"| {max(ready, default=float('nan')):.2f} | {r.wall:.1f} "
        f"| {r.server_cpu / n:.3f} | {r.proxy_cpu / n:.3f} | {r.client_cpu / n:.3f} "
        f"| {spread} | {r.max_rss_mb:.0f} | {r.load_before:.1f} |"
    )


COST_HEADER = (
    "| replica settings | visits | errors | page ready p50 (s) | server CPU/visit (s) "
    "| received/visit (kB) | on the wire/visit (kB) | replica RSS (MB) |\n"
    "|:--|---:|---:|---:|---:|---:|---:|---:|"
)


def cost_row(r: Round) -> str:
    ok = [v for v in r.visits if v.ok] or [Visit(ok=False, seconds=float("nan"))]
    n = len(r.visits) or 1
    payload = statistics.mean(v.payload_bytes for v in ok) / 1000
    wire = statistics.mean(v.wire_bytes for v in ok) / 1000
    return (
        f"| {r.variant} | {len(r.visits)} | {r.errors()} | {percentile(r.ready(), 50):.2f} "
        f"| {r.server_cpu / n:.3f} | {payload:,.0f} | {wire:,.0f} | {r.max_rss_mb:.0f} |"
    )


def show_errors(r: Round) -> None:
    errors: dict[str, int] = {}
    for v in r.visits:
        if not v.ok:
            errors[v.error] = errors.get(v.error, 0) + 1
    for message, count in sorted(errors.items(), key=lambda kv: -kv[1])[:5]:
        print(f"    {count} x {message}", flush=True)


# ---------------------------------------------------------------- main


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ints = lambda text: [int(x) for x in text.split(",") if x]  # noqa: E731
    parser.add_argument("--viewers", type=ints, default=[10, 50, 100])
    parser.add_argument("--replicas", type=ints, default=[1, 2])
    parser.add_argument("--visits", type=int, default=3, help="visits per viewer, in a row")
    parser.add_argument("--page", default="", help="page URL path: '' (Map), trends, ...")
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="after")
    parser.add_argument("--cost", default="", help="variants to compare, e.g. before,after")
    parser.add_argument("--cost-visits", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per visit")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="for all rounds")
    parser.add_argument("--max-viewers", type=int, default=200, help="refuse more than this")
    parser.add_argument("--state-dir", type=Path, default=_default_state())
    parser.add_argument("--json", type=Path, help="also write every visit here")
    parser.add_argument(
        "--nice", type=int, default=0,
        help="scheduling priority of the deployment and this client (negative needs root): "
        "stands in for a dedicated server when other jobs share the machine",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if max(args.viewers, default=0) > args.max_viewers:
        parser.error(f"at most {args.max_viewers} viewers (--max-viewers)")
    unknown = [v for v in args.cost.split(",") if v and v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {unknown}; known: {', '.join(VARIANTS)}")
    return args


def _default_state() -> Path:
    import tempfile

    return Path(tempfile.gettempdir()) / f"sahel-map-loadtest-{os.getuid()}"


def _check_local(target: Target) -> None:
    if target.host not in LOCAL_HOSTS:
        raise SystemExit(f"load_test: {target.base} is not this machine; localhost only")


def load_rounds(args: argparse.Namespace, deadline: float) -> list[Round]:
    """Every replica count x every viewer count, each on a fresh deployment per replica count."""
    rounds: list[Round] = []
    for replicas in args.replicas:
        with deployed(replicas, args.variant, args.state_dir, args.timeout, args.page) as dep:
            _check_local(dep.target)
            prioritise(dep, args.nice)
            warm_up(dep)
            for viewers in args.viewers:
                if time.monotonic() > deadline:
                    print(f"time is up (--max-seconds {args.max_seconds:.0f})", flush=True)
                    return rounds
                r = measure_round(dep, viewers, args.visits, deadline, args.variant)
                rounds.append(r)
                print(round_row(r), flush=True)
                show_errors(r)
    return rounds


def cost_rounds(args: argparse.Namespace, deadline: float) -> list[Round]:
    """One viewer, visits in a row, one replica: CPU and bytes of a visit per variant."""
    rounds: list[Round] = []
    for variant in [v for v in args.cost.split(",") if v]:
        with deployed(1, variant, args.state_dir, args.timeout, args.page) as dep:
            _check_local(dep.target)
            prioritise(dep, args.nice)
            warm_up(dep)
            r = measure_round(dep, 1, args.cost_visits, deadline, variant)
            rounds.append(r)
            print(cost_row(r), flush=True)
            show_errors(r)
    return rounds


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    deadline = time.monotonic() + args.max_seconds
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, nice {args.nice}",
        flush=True,
    )
    rounds: list[Round] = []
    if args.viewers and args.replicas:
        print(f"\nPage ready, {args.visits} visit(s) per viewer, variant {args.variant}:\n")
        print(HEADER, flush=True)
        rounds += load_rounds(args, deadline)
    if args.cost:
        print(f"\nCost of a visit, one viewer, {args.cost_visits} visits in a row:\n")
        print(COST_HEADER, flush=True)
        rounds += cost_rounds(args, deadline)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rounds], indent=1), encoding="utf-8")
    return 1 if any(r.errors() for r in rounds) else 0


if __name__ == "__main__":
    sys.exit(main())
