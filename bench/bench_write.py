"""Write-path throughput: PUT /me/entries/{date} under gunicorn against a bare upsert.

Run by hand (needs Debian's `wrk`): `.venv/bin/python bench/bench_write.py [--postgres]`.
Both servers run under gunicorn (--no-control-socket, 2 workers) on 127.0.0.1 and are
driven by the same wrk client in the same run, 16 connections, cycling over 60 days.
Goal: tracker at least half the bare throughput, p99 under 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/"
BODY = {
    "leg_pain": 6, "back_pain": 4, "side": "left", "radiation": "calf", "numbness": ["outer_calf"],
    "tingling": ["top_of_foot"], "pain_quality": ["shooting"], "aggravators": ["sitting"],
    "heel_walk": "normal", "toe_walk": "normal", "foot_drop": False, "walking_minutes": 25,
    "medications": ["nsaid"], "exercises_done": True, "notes": "Worse after the drive to work.",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_database(name: str) -> str:
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-c",
                    f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', "-c", f'CREATE DATABASE "{name}"'],
                   check=True)
    return POSTGRES + name


def start(app: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--no-control-socket", "-w", "2", "-b", f"127.0.0.1:{port}", app],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{app} did not start")


def call(url: str, body: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def wrk(base: str, token: str, workdir: Path, seconds: int) -> dict[str, float]:
    days = [(date.today() - timedelta(days=d)).isoformat() for d in range(1, 61)]
    script = workdir / "put.lua"
    script.write_text(
        "local days = {" + ",".join(f'"{d}"' for d in days) + "}\n"
        f"local body = [[{json.dumps(BODY)}]]\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        "  return wrk.format('PUT', '/api/v1/me/entries/' .. days[(i % #days) + 1],\n"
        f"    {{['Content-Type'] = 'application/json', ['Authorization'] = 'Bearer {token}'}}, body)\n"
        "end\n"
        "done = function(summary, latency, requests)\n"
        "  io.write(string.format('RESULT rps=%.1f p50=%.2f p99=%.2f errors=%d non2xx=%d\\n',\n"
        "    summary.requests / summary.duration * 1e6, latency:percentile(50) / 1000,\n"
        "    latency:percentile(99) / 1000, summary.errors.connect + summary.errors.read +\n"
        "    summary.errors.write + summary.errors.timeout, summary.errors.status))\n"
        "end\n"
    )
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", str(script), base],
                         capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT rps=([\d.]+) p50=([\d.]+) p99=([\d.]+) errors=(\d+) non2xx=(\d+)", out)
    if not match:
        raise SystemExit(out)
    rps, p50, p99, errors, non2xx = match.groups()
    return {"rps": float(rps), "p50": float(p50), "p99": float(p99), "errors": int(errors), "non2xx": int(non2xx)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="use PostgreSQL on 127.0.0.1:5432")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="bench-write-"))
    if args.postgres:
        tracker_db, bare_db = postgres_database("bench_tracker"), postgres_database("bench_bare")
    else:
        tracker_db, bare_db = f"sqlite:///{workdir / 'tracker.db'}", f"sqlite:///{workdir / 'bare.db'}"
    env = {"SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": tracker_db, "BARE_DATABASE_URL": bare_db}
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env={**os.environ, **env},
                   check=True, capture_output=True)
    tracker_port, bare_port = free_port(), free_port()
    servers = [start("wsgi:app", tracker_port, env), start("bench.bare_app:app", bare_port, env)]
    try:
        base = f"http://127.0.0.1:{tracker_port}"
        call(f"{base}/api/v1/auth/register", {"email": "bench@example.org", "password": "bench-password",
                                              "display_name": "Bench", "timezone": "UTC"})
        token = call(f"{base}/api/v1/auth/token", {"email": "bench@example.org",
                                                   "password": "bench-password"})["access_token"]
        results = {}
        for name, url in (("bare", f"http://127.0.0.1:{bare_port}"), ("tracker", base)):
            wrk(url, token, workdir, 2)  # warm up: first inserts, imports, connection pools
            results[name] = wrk(url, token, workdir, args.seconds)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"PUT /me/entries/{{date}}, gunicorn 2 workers, wrk 16 connections, {args.seconds} s, {database}")
    for name, r in results.items():
        print(f"  {name:8s} {r['rps']:8.1f} req/s   p50 {r['p50']:6.1f} ms   p99 {r['p99']:6.1f} ms   "
              f"errors {r['errors']}  non-2xx {r['non2xx']}")
    ratio = results["tracker"]["rps"] / results["bare"]["rps"]
    print(f"  tracker / bare throughput: {ratio:.2f} (goal ≥ 0.50); tracker p99 "
          f"{results['tracker']['p99']:.1f} ms (goal < 100 ms)")


if __name__ == "__main__":
    main()
