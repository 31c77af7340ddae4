"""Batch scoring benchmark: a DaaS predict run against a single-process script, one run.

    .venv/bin/python bench/batch.py [--rows 1000000 5000000] [--formats onnx pmml] [--scorer]

The model is the online benchmark's 50-tree random forest on 4 float features, as ONNX
(ZipMap off) and as PMML. The input is ``rows`` random rows (an ``id`` and the 4 features)
stored as a dataset: Parquet part files of 500k rows in row groups of 100k.

(a) baseline: one process reads the Parquet files with pyarrow 100k rows at a time, scores
    them — onnxruntime (one thread) on the feature arrays, or pypmml's DataFrame
    ``predict`` — and writes ``id`` + predictions to Parquet.
(b) DaaS: a predict run end to end — a fresh local Ray cluster (``ray start --block`` with
    its own ports), the model registered and the dataset recorded in a fresh database, the
    run submitted as a Ray job (``python -m daas.batch.driver --run-id N``) through the job
    submission API, timed until the run has succeeded and its output dataset is registered.
    One scoring actor per CPU, 1 CPU each, sub-batches of 4096 rows, 100k-row chunks.

``--scorer`` times only what a scoring actor does with each 100k-row chunk
(``daas.batch.scorer.score_table``, sub-batches of 4096 rows), in this process and without
Ray: rows/s, and CPU per row of this process and of its children (pypmml's JVM).

Peak memory is the largest sum of resident memory over the run's processes, sampled every
0.2 s: (a) the script and its children (pypmml's JVM); (b) the job's driver, its scoring
actors and their children. "flat" compares the largest size's peak with the smallest's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.online_models import CLASSES, FEATURES, export_models  # noqa: E402

PART_ROWS = 500_000
ROW_GROUP_ROWS = 100_000
READ_ROWS = 100_000
BATCH_ROWS = 4096
_STARTED = time.monotonic()
# Substrings of the command lines of a DaaS run's processes (Ray sets actor titles).
_RUN_PROCESS_MARKS = ("daas.batch.driver", "ChunkScorer", "MapBatches", "_probe")


def log(message: str) -> None:
    print(f"[{time.monotonic() - _STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- data ---------------------------------------------------------------------------------

def write_dataset(folder: Path, rows: int, seed: int = 0) -> None:
    """``rows`` random iris-like rows as Parquet parts (skipped when already there)."""
    marker = folder / "_complete"
    if marker.exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    low, high = np.array([4.3, 2.0, 1.0, 0.1]), np.array([7.9, 4.4, 6.9, 2.5])
    for part, start in enumerate(range(0, rows, PART_ROWS)):
        size = min(PART_ROWS, rows - start)
        values = rng.uniform(low, high, size=(size, 4)).round(1)
        table = pa.table({"id": np.arange(start, start + size, dtype=np.int64),
                          **{name: values[:, i] for i, name in enumerate(FEATURES)}})
        pq.write_table(table, folder / f"part-{part:05d}.parquet", row_group_size=ROW_GROUP_ROWS)
    marker.touch()


# -- memory -------------------------------------------------------------------------------

def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmd:
                command = cmd.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        table[int(entry)] = (parent, command)
    return table


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _with_descendants(roots: set[int], table: dict[int, tuple[int, str]]) -> set[int]:
    found = set(roots)
    grew = True
    while grew:
        children = {pid for pid, (parent, _cmd) in table.items() if parent in found} - found
        found |= children
        grew = bool(children)
    return found


class MemorySampler:
    """Peak total resident memory of a changing set of processes, sampled in a thread."""

    def __init__(self, roots) -> None:
        self.roots = roots  # () -> set of root pids
        self.peak_mb = 0.0
        self.peak_process_mb = 0.0
        self.commands: set[str] = set()
        self.at_peak: list[tuple[int, str]] = []  # (MB, command) of each process at the peak
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            table = _processes()
            pids = _with_descendants(self.roots(table), table)
            sizes = {pid: _rss_mb(pid) for pid in pids}
            self.commands |= {table[pid][1][:80] for pid in pids if pid in table}
            if sum(sizes.values()) > self.peak_mb:
                self.peak_mb = sum(sizes.values())
                self.at_peak = sorted((round(mb), table[pid][1][:60].strip())
                                      for pid, mb in sizes.items() if pid in table)
            self.peak_process_mb = max([self.peak_process_mb, *sizes.values()])


# -- (a) baseline -------------------------------------------------------------------------

def baseline_main(fmt: str, model_path: str, data: str, output: str) -> None:
    """The single-process script (run in its own process by ``run_baseline``)."""
    files = sorted(Path(data).glob("part-*.parquet"))
    writer = None
    if fmt == "onnx":
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    else:
        from pypmml import Model

        model = Model.fromFile(model_path)
    for path in files:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=READ_ROWS):
            if fmt == "onnx":
                feeds = {name: batch.column(name).to_numpy().astype(np.float32).reshape(-1, 1)
                         for name in FEATURES}
                label, probabilities = session.run(None, feeds)
                columns = {"label": pa.array(label.astype(str)),
                           **{f"probability({c})": probabilities[:, i]
                              for i, c in enumerate(CLASSES)}}
            else:
                scored = model.predict(batch.select(FEATURES).to_pandas())
                columns = {name: scored[name].to_numpy() for name in scored.columns}
            table = pa.table({"id": batch.column("id"), **columns})
            if writer is None:
                writer = pq.ParquetWriter(output, table.schema)
            writer.write_table(table)
    writer.close()


def run_baseline(fmt: str, model_path: Path, data: Path, work: Path) -> dict[str, Any]:
    output = work / f"baseline-{fmt}-{data.name}.parquet"
    command = [sys.executable, __file__, "--baseline", fmt, str(model_path), str(data),
               str(output)]
    started = time.monotonic()
    process = subprocess.Popen(command)
    with MemorySampler(lambda _table: {process.pid}) as memory:
        process.wait()
    seconds = time.monotonic() - started
    if process.returncode != 0:
        raise RuntimeError(f"the baseline failed with exit code {process.returncode}")
    rows = pq.ParquetFile(output).metadata.num_rows
    output.unlink()
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds,
            "peak_mb": memory.peak_mb, "peak_process_mb": memory.peak_process_mb}


# -- (b) DaaS -----------------------------------------------------------------------------

class LocalCluster:
    """A Ray head of our own (own ports and temp dir), stopped with its process group."""

    def __init__(self, cpus: int) -> None:
        self.cpus = cpus
        self.dashboard_port = free_port()
        self.temp_dir = tempfile.mkdtemp(prefix="daas-bench-ray-")
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> LocalCluster:
        # Token authentication, as Ray enables it by default; this process's job client
        # reads the same token (~/.ray/auth_token).
        os.environ.setdefault("RAY_AUTH_MODE", "token")
        ray = Path(sys.executable).with_name("ray")
        command = [str(ray), "start", "--head", "--block", f"--num-cpus={self.cpus}",
                   f"--port={free_port()}", f"--ray-client-server-port={free_port()}",
                   "--dashboard-host=127.0.0.1", f"--dashboard-port={self.dashboard_port}",
                   f"--dashboard-agent-listen-port={free_port()}",
                   f"--metrics-export-port={free_port()}", f"--temp-dir={self.temp_dir}",
                   "--disable-usage-stats"]
        env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            self._wait_for_job_api()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        """Stop our head's process group, then any process still running from our temp dir."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        for pid, (_parent, command) in _processes().items():
            if self.temp_dir in command:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        shutil.rmtree(self.temp_dir, ignore_errors=True)

    def client(self):
        from ray.job_submission import JobSubmissionClient

        return JobSubmissionClient(f"http://127.0.0.1:{self.dashboard_port}")

    def _wait_for_job_api(self, timeout_s: float = 120) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                client = self.client()
                client.submit_job(entrypoint="true")
                return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(1)
        raise RuntimeError("the Ray job API did not come up")


class LocalInspector:
    """Reads a model's schema in this process (the platform does it in a Ray task)."""

    def inspect(self, fmt: str, data: bytes):
        from daas.runtimes import load_runtime

        return load_runtime(fmt, data).schema


class DaasWorld:
    """A fresh platform database and storage, written directly."""

    def __init__(self, home: Path) -> None:
        from daas.platform.registry.registry import ModelRegistry
        from daas.settings import Settings
        from daas.store.artifacts import ArtifactStore
        from daas.store.db import Database
        from daas.store.migrate import upgrade

        self.settings = Settings(home=home)
        self.db = Database.connect(self.settings.resolved_database_url)
        upgrade(self.db)
        self.store = ArtifactStore(self.settings.resolved_storage_uri)
        self.registry = ModelRegistry(self.db, self.store, LocalInspector(), 1 << 30)
        self.group_id = self._group()

    def _group(self) -> int:
        """The group every model, dataset and job of the benchmark belongs to."""
        from daas.store.tables import Group

        with self.db.write() as session:
            group = Group(name="bench")
            session.add(group)
            session.flush()
            return group.id

    @property
    def env(self) -> dict[str, str]:
        return {"DAAS_HOME": str(self.settings.home),
                "DAAS_DATABASE_URL": self.settings.resolved_database_url,
                "DAAS_STORAGE_URI": self.settings.resolved_storage_uri}

    def model(self, name: str, path: Path) -> None:
        from daas.platform.registry.registry import Upload

        self.registry.upload(Upload(group_id=self.group_id, name=name, data=path.read_bytes(),
                                    filename=path.name))

    def dataset(self, name: str, source: Path) -> None:
        from daas.store.tables import Dataset

        key = f"datasets/{name}"
        target = Path(self.settings.resolved_storage_uri) / key
        target.mkdir(parents=True, exist_ok=True)
        for part in sorted(source.glob("part-*.parquet")):
            (target / part.name).symlink_to(part)
        rows = sum(pq.ParquetFile(p).metadata.num_rows for p in source.glob("part-*.parquet"))
        with self.db.write() as session:
            session.add(Dataset(group_id=self.group_id, name=name, origin_format="parquet", source="bench",
                                storage_key=key, size_bytes=0, rows=rows, columns=[]))

    def run(self, job: str, config: dict) -> int:
        from daas.store.tables import Job, JobRun

        with self.db.write() as session:
            session.add(Job(group_id=self.group_id, name=job, kind="predict", config=config))
            run = JobRun(group_id=self.group_id, job_name=job)
            session.add(run)
            session.flush()
            return run.id

    def run_row(self, run_id: int):
        from daas.store.tables import JobRun

        with self.db.read() as session:
            return session.get(JobRun, run_id)

    def dataset_rows(self, name: str) -> int | None:
        from sqlmodel import select

        from daas.store.tables import Dataset

        with self.db.read() as session:
            row = session.exec(select(Dataset).where(Dataset.name == name)).first()
        return row.rows if row else None


def run_daas(world: DaasWorld, cluster: LocalCluster, fmt: str, dataset: str,
             cpus: int) -> dict[str, Any]:
    from ray.job_submission import JobStatus

    job = f"bench-{fmt}-{dataset}"
    output = f"{job}-scored"
    config = {"model": f"bench-{fmt}", "version": None, "input_dataset": dataset,
              "output_dataset": output, "passthrough": ["id"], "batch_size": BATCH_ROWS,
              "concurrency": cpus, "num_cpus": 1}
    run_id = world.run(job, config)
    client = cluster.client()
    command = f"{sys.executable} -m daas.batch.driver --run-id {run_id}"

    def run_processes(table) -> set[int]:
        return {pid for pid, (_parent, cmd) in table.items()
                if any(mark in cmd for mark in _RUN_PROCESS_MARKS)
                and (f"--run-id {run_id}" in cmd or "daas.batch.driver" not in cmd)}

    started = time.monotonic()
    submission = client.submit_job(entrypoint=command, submission_id=f"daas-{job}-{run_id}",
                                   runtime_env={"env_vars": world.env})
    with MemorySampler(run_processes) as memory:
        while (status := client.get_job_status(submission)) not in (
                JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.STOPPED):
            time.sleep(0.2)
    seconds = time.monotonic() - started
    run = world.run_row(run_id)
    if status != JobStatus.SUCCEEDED or run.status != "succeeded":
        raise RuntimeError(f"run {run_id} ended {status}/{run.status}: {run.error}\n"
                           f"{client.get_job_logs(submission)[-3000:]}")
    registered = world.dataset_rows(output)
    assert registered == run.rows_done, (registered, run.rows_done)
    scoring = (run.ended - run.started).total_seconds()
    return {"rows": run.rows_done, "seconds": seconds, "rows_per_s": run.rows_done / seconds,
            "driver_seconds": scoring, "peak_mb": memory.peak_mb,
            "peak_process_mb": memory.peak_process_mb, "at_peak": memory.at_peak}


# -- (c) the scorer alone -----------------------------------------------------------------

def _cpu_seconds(pids: set[int]) -> float:
    """User + system CPU seconds of ``pids`` (processes gone meanwhile count 0)."""
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def run_scorer(fmt: str, model_path: Path, data: Path, repeats: int = 3) -> dict[str, Any]:
    """Best of ``repeats`` passes of ``score_table`` over every chunk of ``data``."""
    from daas.batch.scorer import probe, score_table
    from daas.runtimes import load_runtime

    runtime = load_runtime(fmt, model_path.read_bytes())
    chunks = [pa.Table.from_batches([batch]) for path in sorted(data.glob("part-*.parquet"))
              for batch in pq.ParquetFile(path).iter_batches(batch_size=READ_ROWS)]
    layout = probe(runtime, chunks[0])
    for _ in range(3):  # warm-up (the JVM's JIT)
        score_table(runtime, layout, chunks[0], ["id"], BATCH_ROWS)

    def children() -> set[int]:
        return {pid for pid, (parent, _cmd) in _processes().items() if parent == os.getpid()}

    runs = []
    for _ in range(repeats):
        wall, cpu, child_cpu = time.perf_counter(), time.process_time(), _cpu_seconds(children())
        start = 0
        for chunk in chunks:
            score_table(runtime, layout, chunk, ["id"], BATCH_ROWS, start)
            start += chunk.num_rows
        runs.append((time.perf_counter() - wall, time.process_time() - cpu,
                     _cpu_seconds(children()) - child_cpu))
    seconds, cpu, child_cpu = min(runs)
    return {"rows": start, "rows_per_s": start / seconds, "cpu_us_per_row": cpu / start * 1e6,
            "children_cpu_us_per_row": child_cpu / start * 1e6}


def scorer_report(formats: list[str], sizes: list[int], paths: dict[str, Path],
                  work_dir: Path) -> list[dict[str, Any]]:
    """Run and print ``run_scorer`` for every format and size."""
    results = []
    for fmt in formats:
        for rows in sizes:
            result = run_scorer(fmt, paths[fmt], work_dir / f"data-{rows}")
            results.append({"format": fmt, **result})
            print(f"{fmt:5} {rows:>9,} rows: {result['rows_per_s']:>9,.0f} rows/s; CPU per row "
                  f"{result['cpu_us_per_row']:.2f} us here + "
                  f"{result['children_cpu_us_per_row']:.2f} us in children", flush=True)
    return results


# -- report -------------------------------------------------------------------------------

def report(results: list[dict[str, Any]]) -> None:
    header = (f"{'format':6} {'rows':>9} | {'baseline rows/s':>15} {'peak MB':>8} | "
              f"{'DaaS rows/s':>11} {'(in driver)':>11} {'peak MB':>8} {'largest':>8} | "
              f"{'ratio':>5}")
    print(header)
    print("-" * len(header))
    for r in results:
        a, b = r["baseline"], r["daas"]
        in_driver = b["rows"] / b["driver_seconds"]
        print(f"{r['format']:6} {r['rows']:>9} | {a['rows_per_s']:>15,.0f} {a['peak_mb']:>8,.0f} | "
              f"{b['rows_per_s']:>11,.0f} {in_driver:>11,.0f} {b['peak_mb']:>8,.0f} "
              f"{b['peak_process_mb']:>8,.0f} | {b['rows_per_s'] / a['rows_per_s']:>5.2f}")
    for fmt in sorted({r["format"] for r in results}):
        runs = sorted((r for r in results if r["format"] == fmt), key=lambda r: r["rows"])
        if len(runs) > 1:
            small, large = runs[0], runs[-1]
            growth = large["daas"]["peak_mb"] / small["daas"]["peak_mb"]
            print(f"{fmt}: DaaS peak memory {small['daas']['peak_mb']:,.0f} MB at "
                  f"{small['rows']:,} rows, {large['daas']['peak_mb']:,.0f} MB at "
                  f"{large['rows']:,} rows (x{growth:.2f}; flat if close to 1)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--formats", nargs="+", default=["onnx", "pmml"], choices=["onnx", "pmml"])
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 2,
                        help="CPUs of the Ray head = scoring actors")
    parser.add_argument("--work-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "daas-bench-batch",
                        help="where models and generated data are kept between runs")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--scorer", action="store_true",
                        help="only time the chunk scoring function, without Ray")
    args = parser.parse_args()

    models = export_models(args.work_dir / "models")
    paths = {"onnx": models.onnx, "pmml": models.pmml}
    for rows in args.rows:
        log(f"writing {rows:,} rows")
        write_dataset(args.work_dir / f"data-{rows}", rows)
    if args.scorer:
        results = scorer_report(args.formats, args.rows, paths, args.work_dir)
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="daas-bench-home-") as home:
        world = DaasWorld(Path(home))
        for fmt in args.formats:
            world.model(f"bench-{fmt}", paths[fmt])
        for rows in args.rows:
            world.dataset(f"rows-{rows}", args.work_dir / f"data-{rows}")
        log(f"starting a Ray head with {args.cpus} CPUs")
        with LocalCluster(args.cpus) as cluster:
            for fmt in args.formats:
                for rows in args.rows:
                    log(f"{fmt}, {rows:,} rows: baseline")
                    baseline = run_baseline(fmt, paths[fmt], args.work_dir / f"data-{rows}",
                                            Path(home))
                    log(f"{fmt}, {rows:,} rows: DaaS run")
                    daas = run_daas(world, cluster, fmt, f"rows-{rows}", args.cpus)
                    log(f"  DaaS processes at the memory peak (MB, command): {daas['at_peak']}")
                    results.append({"format": fmt, "rows": rows, "baseline": baseline,
                                    "daas": daas})
                    log(f"  baseline {baseline['rows_per_s']:,.0f} rows/s, "
                        f"DaaS {daas['rows_per_s']:,.0f} rows/s")
        world.db.dispose()
    print(f"\nBatch scoring, 50-tree random forest, 4 features, {args.cpus} CPUs "
          f"(DaaS: {args.cpus} actors x 1 CPU)\n")
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--baseline":
        baseline_main(*sys.argv[2:])
    else:
        main()
