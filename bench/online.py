"""Online serving benchmark: a DaaS service against a hand-written FastAPI app, one run.

    .venv/bin/python bench/online.py [--seconds 10] [--quick] [--no-default-proxy]

The model is a 50-tree random forest on iris's 4 float features, as ONNX (ZipMap off) and
as PMML. Each body is one record, ``{"data": [{...}]}``.

(a) baseline: ``bench/baseline_server.py``, one uvicorn worker at nice 15 (where Ray runs
    its workers), the model called inline: onnxruntime with one intra-op thread, pypmml.
(b) DaaS: the platform on a fresh local Ray cluster (HAProxy ingress), the model uploaded
    and deployed through the API (1 CPU per replica), 1 then 2 replicas, called at
    ``/api/v1/svc/<name>/predict`` with the admin token.
(c) optional: (b) for ONNX with 1 replica behind Serve's default Python proxy.

Load: wrk at nice 15, after a warm-up, at concurrency 1 (1 thread, 1 connection) and 16
(2 threads, 16 connections). Latencies are wrk's percentiles.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.online_models import RECORD, BenchModels, export_models  # noqa: E402
from bench.platform_phase import free_port  # noqa: E402
from bench.wrk_load import NICENESS, measure  # noqa: E402

BODY = {"data": [RECORD]}
FORMATS = ("onnx", "pmml")
# Targets for (b): share of the baseline's c16 throughput; p50 at c1 (ms); deploy time (s).
TARGET_RPS_SHARE = 0.60
TARGET_P50_MS = {"onnx": 2.0, "pmml": 5.0}
TARGET_DEPLOY_S = 15.0
_BUSY_LOADAVG = 1.5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="length of each measured run")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up before each run")
    parser.add_argument("--quick", action="store_true",
                        help="3 s runs, 1 s warm-ups, no default-proxy phase")
    parser.add_argument("--no-default-proxy", action="store_true",
                        help="skip the phase behind Serve's default Python proxy")
    parser.add_argument("--models-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "daas-bench-models",
                        help="where the exported models are kept between runs")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--serve-env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the Ray cluster of (b), e.g. a Serve "
                             "setting to try (repeatable)")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.warmup, args.no_default_proxy = 3, 1, True
    return args


def models(out_dir: Path) -> BenchModels:
    """The exported files, made once per ``out_dir`` (the PMML export starts a JVM)."""
    onnx, pmml = out_dir / "iris_rf50.onnx", out_dir / "iris_rf50.pmml"
    if onnx.exists() and pmml.exists():
        return BenchModels(onnx=onnx, pmml=pmml)
    with _quiet():
        return export_models(out_dir)


def run_baseline(fmt: str, path: Path, seconds: float, warmup: float) -> dict[str, Any]:
    """Start the baseline app for one model, load it, stop it."""
    port = free_port()
    command = ["nice", "-n", str(NICENESS), sys.executable,
               str(REPO / "bench" / "baseline_server.py"), fmt, str(path), str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}/predict"
        _wait_for_200(url, server)
        return measure(url, BODY, seconds, warmup)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_platform_phase(proxy: str, formats: list[str], replicas: list[int], files: BenchModels,
                       seconds: float, warmup: float,
                       serve_env: dict[str, str] | None = None) -> dict[str, Any]:
    """``bench/platform_phase.py`` in its own process (a Ray cluster of its own)."""
    spec = {"proxy": proxy, "formats": formats, "replicas": replicas, "body": BODY,
            "seconds": seconds, "warmup_s": warmup, "replica_shares": True,
            "serve_env": serve_env or {},
            "models": {"onnx": str(files.onnx), "pmml": str(files.pmml)}}
    with tempfile.TemporaryDirectory(prefix="daas-bench-phase-") as tmp:
        spec_path, result_path = Path(tmp) / "spec.json", Path(tmp) / "result.json"
        spec_path.write_text(json.dumps(spec))
        env = {key: value for key, value in os.environ.items() if not key.startswith("RAY_")}
        subprocess.run([sys.executable, str(REPO / "bench" / "platform_phase.py"),
                        str(spec_path), str(result_path)], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        return json.loads(result_path.read_text())


def _wait_for_200(url: str, server: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the baseline server exited: {server.stderr.read().decode()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.post(url, json=BODY, timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(f"{url} never answered 200")


@contextlib.contextmanager
def _quiet():
    """Silence this process's stdout/stderr file descriptors (the PMML exporter's JVM talks)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


# -- report ----------------------------------------------------------------------------------

def table_rows(results: dict[str, Any]) -> list[list[str]]:
    rows = []
    for fmt in FORMATS:
        setups = [("(a) FastAPI baseline", results["baseline"][fmt])]
        model = results["haproxy"]["models"][fmt]
        for replicas in results["replicas"]:
            setups.append((f"(b) DaaS, HAProxy, {replicas} replica{'s' * (replicas > 1)}",
                           model[f"r{replicas}"]))
        default = (results.get("default_proxy") or {}).get("models", {}).get(fmt)
        if default:
            setups.append(("(c) DaaS, default proxy, 1 replica", default["r1"]))
        for label, figures in setups:
            c1, c16 = figures["c1"], figures["c16"]
            rows.append([fmt.upper(), label, f"{c1['rps']:.0f}", f"{c1['p50_ms']:.2f}",
                         f"{c1['p99_ms']:.2f}", f"{c16['rps']:.0f}", f"{c16['p50_ms']:.2f}",
                         f"{c16['p99_ms']:.2f}", str(c1["non_2xx"] + c16["non_2xx"]),
                         _shares(figures)])
    return rows


def _shares(figures: dict[str, Any]) -> str:
    served = figures.get("per_replica")
    if not served or sum(served) == 0:
        return "-"
    return "/".join(f"{100 * count / sum(served):.0f}" for count in served)


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    """Columns padded to fit; the first two (names) left-aligned, figures right-aligned."""
    widths = [max(len(headers[i]), *(len(row[i]) for row in rows)) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) if i < 2 else cell.rjust(width)
                         for i, (cell, width) in enumerate(zip(cells, widths)))

    print(line(headers))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print(line(row))


def ratio_rows(results: dict[str, Any]) -> list[list[str]]:
    rows = []
    for fmt in FORMATS:
        base = results["baseline"][fmt]
        model = results["haproxy"]["models"][fmt]
        for replicas in results["replicas"]:
            daas = model[f"r{replicas}"]
            share = daas["c16"]["rps"] / base["c16"]["rps"]
            p50 = daas["c1"]["p50_ms"]
            p50_target = TARGET_P50_MS[fmt]
            rows.append([fmt.upper(), str(replicas),
                         f"{share:.2f} ({_verdict(share >= TARGET_RPS_SHARE)} >= "
                         f"{TARGET_RPS_SHARE:.2f})",
                         f"{p50:.2f} ({_verdict(p50 <= p50_target)} <= {p50_target:g})",
                         f"{p50 / base['c1']['p50_ms']:.1f}x"])
    return rows


def deploy_lines(results: dict[str, Any]) -> list[str]:
    lines = []
    for fmt in FORMATS:
        model = results["haproxy"]["models"][fmt]
        first = model["deploy_to_first_prediction_s"]
        lines.append(f"{fmt.upper()}: POST /api/v1/services -> first 200 prediction {first:.1f} s "
                     f"({_verdict(first < TARGET_DEPLOY_S)} < {TARGET_DEPLOY_S:g}), state "
                     f"'running' after {model['deploy_to_running_s']:.1f} s")
    return lines


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(results: dict[str, Any]) -> None:
    print(f"\nOnline serving: RandomForest 50 trees, 4 float features (ONNX without ZipMap; "
          f"PMML), one-record JSON body; wrk at nice {NICENESS}, {results['seconds']:g} s per "
          f"run after {results['warmup_s']:g} s warm-up; load average at start "
          f"{results['loadavg_start']:.2f}, at end {results['loadavg_end']:.2f}")
    if results["loadavg_start"] > _BUSY_LOADAVG:
        print("WARNING: the machine was busy before the run started; the figures are unreliable")
    if results.get("serve_env"):
        print(f"extra Serve environment for (b): {results['serve_env']}")
    print()
    print_table(["model", "setup", "c1 req/s", "c1 p50 ms", "c1 p99 ms", "c16 req/s",
                 "c16 p50 ms", "c16 p99 ms", "non-2xx", "replica %"],
                table_rows(results))
    print("\n(b) against (a) and the targets\n")
    print_table(["model", "replicas", "c16 req/s (b)/(a)", "c1 p50 ms (b)", "c1 p50 (b)/(a)"],
                ratio_rows(results))
    print()
    for line in deploy_lines(results):
        print(line)
    default = (results.get("default_proxy") or {}).get("models", {}).get("onnx")
    if default:
        haproxy = results["haproxy"]["models"]["onnx"]["r1"]
        print(f"\nHAProxy ingress vs Serve's default proxy (ONNX, 1 replica): c16 req/s "
              f"{haproxy['c16']['rps'] / default['r1']['c16']['rps']:.1f}x, c1 p50 "
              f"{haproxy['c1']['p50_ms']:.2f} vs {default['r1']['c1']['p50_ms']:.2f} ms; deploy -> "
              f"first prediction {default['deploy_to_first_prediction_s']:.1f} s")
    print(f"\nplatform start (Ray + Serve + management app): "
          f"{results['haproxy']['platform_start_s']:.0f} s; whole benchmark: "
          f"{results['elapsed_s']:.0f} s")


def main() -> None:
    args = parse_args()
    started = time.monotonic()
    results: dict[str, Any] = {"seconds": args.seconds, "warmup_s": args.warmup,
                               "replicas": [1, 2], "loadavg_start": os.getloadavg()[0]}
    files = models(args.models_dir)
    print("baseline ...", flush=True)
    results["baseline"] = {fmt: run_baseline(fmt, getattr(files, fmt), args.seconds, args.warmup)
                           for fmt in FORMATS}
    print("DaaS behind HAProxy ...", flush=True)
    serve_env = dict(item.split("=", 1) for item in args.serve_env)
    results["serve_env"] = serve_env
    results["haproxy"] = run_platform_phase("haproxy", list(FORMATS), results["replicas"], files,
                                            args.seconds, args.warmup, serve_env)
    if not args.no_default_proxy:
        print("DaaS behind Serve's default proxy ...", flush=True)
        results["default_proxy"] = run_platform_phase("default", ["onnx"], [1], files,
                                                      args.seconds, args.warmup)
    results["loadavg_end"] = os.getloadavg()[0]
    results["elapsed_s"] = time.monotonic() - started
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    report(results)


if __name__ == "__main__":
    main()
