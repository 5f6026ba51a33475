#!/usr/bin/python3
"""Peer comparison: `probity data profile` vs pandas read_csv + describe.

Times both tools on the same synthetic CSV (made by bench/make_profile_csv.py), each run
as a fresh child process, and reports median/min wall time, throughput and the peak RSS
of each child (ru_maxrss from os.wait4 of that child only). Targets: probity >= 10x
faster than pandas, probity peak RSS < 100 MiB.

Only needs Debian 12's python3, python3-numpy and python3-pandas. This driver itself
imports neither numpy nor pandas (nor even subprocess), on purpose: on Linux a child's
ru_maxrss is max(the spawning process's peak RSS at exec time, the child's own peak),
because the pre-exec image is counted. So the driver is kept small (~12 MiB) and that
floor is measured (`true` spawned the same way, after the runs) and printed.

Exit status: 0 when all measurements completed (whether or not the targets were met),
1 on any error (generator failure, a tool failing, bad probity output), 2 on usage
errors.
"""

# Deliberately few, light imports (no subprocess, hashlib, statistics, tempfile, platform):
# every MiB this driver ever touches becomes the floor of the children's ru_maxrss.
import argparse
import json
import os
import signal
import sys
import time
import zlib

PYTHON = "/usr/bin/python3"
BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
GENERATOR = os.path.join(BENCH_DIR, "make_profile_csv.py")
PANDAS_CODE = "import pandas, sys; df = pandas.read_csv(sys.argv[1]); df.describe()"

TARGET_SPEEDUP = 10.0
TARGET_RSS_MIB = 100.0


class BenchError(Exception):
    pass


def log(msg):
    print("[bench] " + msg, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------
# Child processes


class RunResult:
    def __init__(self, wall, maxrss_kib, returncode, stdout, stderr, timed_out):
        self.wall = wall
        self.maxrss_kib = maxrss_kib
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out


MAX_CAPTURE = 8 << 20  # bytes of a child's stdout/stderr read back, at most


def _scratch_fd(tag):
    """An anonymous read/write file (created and unlinked at once) for a child's output."""
    base = os.environ.get("TMPDIR") or "/tmp"
    path = os.path.join(base, "probity-bench-%d-%s" % (os.getpid(), tag))
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    os.unlink(path)
    return fd


def _read_capture(fd, what):
    if fd is None:
        return ""
    size = os.fstat(fd).st_size
    if size > MAX_CAPTURE:
        raise BenchError("%s is %d bytes, more than the %d read back; refusing"
                         % (what, size, MAX_CAPTURE))
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while True:
        b = os.read(fd, 1 << 20)
        if not b:
            break
        chunks.append(b)
    return b"".join(chunks).decode("utf-8", "replace")


def run_measured(argv, timeout=None, capture=True, search_path=False, stdout_devnull=False):
    """Run argv as a fresh child (posix_spawn); return its wall time, its own peak RSS
    (ru_maxrss from os.wait4 of that child) and its output.

    With capture, stdout/stderr go to unlinked scratch files (not pipes), so a large
    output can never block the child and the driver does nothing while the child runs:
    it sits in wait4(). Without capture, the child inherits the driver's stdout/stderr.
    With stdout_devnull, stdout goes to /dev/null. stdin is always /dev/null.
    """
    out_fd = err_fd = None
    actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0)]
    try:
        if stdout_devnull:
            actions.append((os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0))
        elif capture:
            out_fd = _scratch_fd("out")
            actions.append((os.POSIX_SPAWN_DUP2, out_fd, 1))
        if capture:
            err_fd = _scratch_fd("err")
            actions.append((os.POSIX_SPAWN_DUP2, err_fd, 2))
        spawn = os.posix_spawnp if search_path else os.posix_spawn
        timed_out = []
        pid = None

        def kill_child():
            # The child leads its own process group, so helpers it started die too.
            if pid is not None:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass

        def on_alarm(signum, frame):
            timed_out.append(True)
            kill_child()

        old_handler = signal.signal(signal.SIGALRM, on_alarm)
        try:
            t0 = time.perf_counter()
            try:
                pid = spawn(argv[0], argv, os.environ, file_actions=actions, setpgroup=0)
            except OSError as e:
                raise BenchError("cannot start %s: %s" % (argv[0], e))
            if timeout:
                signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                # Blocks until the child exits; after SIGALRM's handler (which kills the
                # child) Python retries the call (PEP 475).
                _, status, ru = os.wait4(pid, 0)
            except BaseException:  # e.g. Ctrl-C: the child is in another process group
                kill_child()
                try:
                    os.waitpid(pid, 0)
                except OSError:
                    pass
                raise
            finally:
                wall = time.perf_counter() - t0
                signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, old_handler)
        return RunResult(wall, ru.ru_maxrss, os.waitstatus_to_exitcode(status),
                         _read_capture(out_fd, "stdout of %s" % argv[0]),
                         _read_capture(err_fd, "stderr of %s" % argv[0]),
                         bool(timed_out))
    finally:
        for fd in (out_fd, err_fd):
            if fd is not None:
                os.close(fd)


def quick_output(argv, timeout=60):
    """Output of a short informational command, or a '(failed ...)' note."""
    try:
        r = run_measured(argv, timeout=timeout, search_path=True)
    except BenchError as e:
        return "(failed: %s)" % e
    text = (r.stdout or r.stderr).strip()
    if r.timed_out:
        return "(timed out) %s" % text
    if r.returncode != 0:
        return "(exit %d) %s" % (r.returncode, text)
    return text


def tail(text, n=20):
    lines = text.rstrip().splitlines()
    return "\n".join(("    " + l) for l in lines[-n:]) if lines else "    (empty)"


# ----------------------------------------------------------------------------------------
# Data files


def file_crc32(path):
    crc = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            crc = zlib.crc32(chunk, crc)
    return "%08x" % crc


def generator_params(rows):
    gen_version = quick_output([PYTHON, GENERATOR, "--version"])
    return {
        "generator": "bench/make_profile_csv.py",
        "generator_version": gen_version,
        "generator_crc32": file_crc32(GENERATOR),
        "rows": rows,
        "python": quick_output([PYTHON, "-c", "import sys; print(sys.version.split()[0])"]),
        "numpy": quick_output([PYTHON, "-c", "import numpy; print(numpy.__version__)"]),
    }


def ensure_data(data_dir, rows):
    """Return the path of a CSV with `rows` rows, generating it unless an identical one
    (same generator parameters, recorded in a sidecar .params.json) already exists."""
    os.makedirs(data_dir, exist_ok=True)
    path = os.path.join(data_dir, "profile_%d.csv" % rows)
    sidecar = path + ".params.json"
    params = generator_params(rows)
    if os.path.exists(path) and os.path.exists(sidecar):
        try:
            with open(sidecar) as f:
                recorded = json.load(f)
        except (OSError, ValueError):
            recorded = None
        if (isinstance(recorded, dict) and recorded.get("params") == params
                and recorded.get("bytes") == os.path.getsize(path)):
            log("reusing %s (%d rows, sidecar matches)" % (path, rows))
            return path
        log("sidecar of %s does not match the generator parameters; regenerating" % path)
    if os.path.exists(sidecar):
        os.remove(sidecar)
    log("generating %s (%d rows) ..." % (path, rows))
    t0 = time.monotonic()
    r = run_measured([PYTHON, GENERATOR, "--rows", str(rows), "--out", path], capture=False)
    if r.returncode != 0:
        raise BenchError("generator failed with exit code %d" % r.returncode)
    log("generated in %.1f s" % (time.monotonic() - t0))
    with open(sidecar, "w") as f:
        json.dump({"params": params, "bytes": os.path.getsize(path)}, f, indent=2)
        f.write("\n")
    return path


def warm_page_cache(path):
    """Untimed `cat FILE > /dev/null`, so every timed run reads from the page cache."""
    log("warming the page cache: cat %s > /dev/null" % path)
    r = run_measured(["cat", path], search_path=True, stdout_devnull=True)
    if r.returncode != 0:
        raise BenchError("cat %s failed with exit code %d: %s" % (path, r.returncode, r.stderr))


# ----------------------------------------------------------------------------------------
# Tools


def probity_argv(args, path):
    argv = [args.probity, "data", "profile", path, "--json", "--quiet"]
    if args.threads is not None:
        argv += ["--threads", str(args.threads)]
    return argv


def pandas_argv(path):
    return [PYTHON, "-c", PANDAS_CODE, path]


def check_probity(res, rows):
    if res.timed_out:
        raise BenchError("probity timed out after %.0f s" % res.wall)
    if res.returncode != 0:
        raise BenchError("probity exited with code %d; stderr:\n%s"
                         % (res.returncode, tail(res.stderr)))
    try:
        doc = json.loads(res.stdout)
    except ValueError as e:
        raise BenchError("probity --json did not print valid JSON (%s); stdout starts:\n%s"
                         % (e, tail(res.stdout[:2000], 10)))
    if not isinstance(doc, dict):
        raise BenchError("probity --json printed %s, expected a JSON object"
                         % type(doc).__name__)
    got = doc.get("rows")
    if isinstance(got, bool) or not isinstance(got, int) or got != rows:
        raise BenchError('probity reported "rows": %r, expected %d' % (got, rows))


def check_pandas(res):
    if res.timed_out:
        raise BenchError("pandas timed out after %.0f s" % res.wall)
    if res.returncode != 0:
        raise BenchError("pandas exited with code %d; stderr:\n%s"
                         % (res.returncode, tail(res.stderr)))


def measure(tools, repeat, timeout):
    """tools: list of (name, argv, check). Runs are interleaved (a, b, a, b, ...) so slow
    drift of the machine affects both tools alike. Returns {name: [RunResult]}."""
    results = {name: [] for name, _, _ in tools}
    for i in range(repeat):
        for name, argv, check in tools:
            log("%s run %d/%d ..." % (name, i + 1, repeat))
            res = run_measured(argv, timeout)
            check(res)
            log("%s run %d/%d: %.3f s, peak RSS %.1f MiB"
                % (name, i + 1, repeat, res.wall, res.maxrss_kib / 1024.0))
            results[name].append(res)
    return results


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2.0


def summarize(name, runs, size_bytes, rows):
    walls = [r.wall for r in runs]
    med = median(walls)
    return {
        "tool": name,
        "rows": rows,
        "file_mb": size_bytes / 1e6,
        "runs_s": walls,
        "median_s": med,
        "min_s": min(walls),
        "mb_per_s": size_bytes / 1e6 / med if med > 0 else float("inf"),
        "peak_rss_mib": max(r.maxrss_kib for r in runs) / 1024.0,
    }


def print_table(summaries):
    hdr = "%-10s %10s %10s %-8s %9s %9s %9s %14s" % (
        "file", "file MB", "rows", "tool", "median s", "min s", "MB/s", "peak RSS MiB")
    print(hdr)
    print("-" * len(hdr))
    for s in summaries:
        print("%-10s %10.1f %10d %-8s %9.3f %9.3f %9.1f %14.1f" % (
            s["file"], s["file_mb"], s["rows"], s["tool"], s["median_s"], s["min_s"],
            s["mb_per_s"], s["peak_rss_mib"]))


def verdict(ok):
    return "PASS" if ok else "MISS"


# ----------------------------------------------------------------------------------------


def machine_facts(args):
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "unknown"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = "%.1f GiB" % (int(line.split()[1]) / 1024.0 / 1024.0)
                    break
    except OSError:
        pass
    return {
        "nproc": quick_output(["nproc"]),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu,
        "mem_total": mem,
        "kernel": os.uname().release,
        "python": quick_output([PYTHON, "-c", "import sys; print(sys.version.split()[0])"]),
        "pandas": quick_output([PYTHON, "-c", "import pandas; print(pandas.__version__)"]),
        "numpy": quick_output([PYTHON, "-c", "import numpy; print(numpy.__version__)"]),
        "probity_version": quick_output([args.probity, "--version"]),
        "probity_path": os.path.abspath(args.probity),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Benchmark `probity data profile` against pandas read_csv + describe.")
    ap.add_argument("--probity", required=True, help="path to the probity binary")
    ap.add_argument("--rows", type=int, default=2_000_000,
                    help="rows of the main data file (default %(default)d)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="timed runs per tool (default %(default)d)")
    ap.add_argument("--scale4", action="store_true",
                    help="also measure probity on a 4x larger file (4 * --rows rows)")
    ap.add_argument("--pandas-on-scale4", action="store_true",
                    help="with --scale4, also run pandas on the 4x file (needs several GiB)")
    ap.add_argument("--data-dir", default=os.path.join(REPO_ROOT, "build", "bench-data"),
                    help="where data files are generated and cached (default %(default)s)")
    ap.add_argument("--threads", type=int, default=None,
                    help="pass --threads N to probity (default: probity's own default)")
    ap.add_argument("--timeout", type=float, default=1800.0,
                    help="kill a run after this many seconds (0: never; default %(default)s)")
    ap.add_argument("--json-out", default=None,
                    help="also write all results as JSON to this file")
    args = ap.parse_args(argv)
    if args.rows <= 0:
        ap.error("--rows must be > 0")
    if args.repeat <= 0:
        ap.error("--repeat must be > 0")
    if args.pandas_on_scale4 and not args.scale4:
        ap.error("--pandas-on-scale4 needs --scale4")

    def on_term(signum, frame):
        raise KeyboardInterrupt  # unwinds through run_measured, which kills the child

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)
    try:
        return run(args)
    except BenchError as e:
        print("\nBENCHMARK FAILED: %s" % e, file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


def run(args):
    if not (os.path.isfile(args.probity) and os.access(args.probity, os.X_OK)):
        raise BenchError("--probity %s is not an executable file" % args.probity)
    args.probity = os.path.abspath(args.probity)
    if not os.path.isfile(GENERATOR):
        raise BenchError("generator not found: %s" % GENERATOR)

    facts = machine_facts(args)
    report = {"machine": facts, "args": vars(args).copy(), "results": []}

    main_path = ensure_data(args.data_dir, args.rows)
    main_size = os.path.getsize(main_path)
    warm_page_cache(main_path)
    tools = [
        ("probity", probity_argv(args, main_path), lambda r: check_probity(r, args.rows)),
        ("pandas", pandas_argv(main_path), check_pandas),
    ]
    res = measure(tools, args.repeat, args.timeout)
    s_prob = summarize("probity", res["probity"], main_size, args.rows)
    s_pand = summarize("pandas", res["pandas"], main_size, args.rows)
    s_prob["file"] = s_pand["file"] = "1x"
    summaries = [s_prob, s_pand]

    s4 = []
    if args.scale4:
        rows4 = 4 * args.rows
        path4 = ensure_data(args.data_dir, rows4)
        size4 = os.path.getsize(path4)
        warm_page_cache(path4)
        tools4 = [("probity", probity_argv(args, path4), lambda r: check_probity(r, rows4))]
        if args.pandas_on_scale4:
            tools4.append(("pandas", pandas_argv(path4), check_pandas))
        res4 = measure(tools4, args.repeat, args.timeout)
        for name, _, _ in tools4:
            s = summarize(name, res4[name], size4, rows4)
            s["file"] = "4x"
            s4.append(s)
        summaries += s4
    report["results"] = summaries

    # Floor of ru_maxrss: a child's reported peak RSS is never below this driver's own
    # peak RSS at spawn time (Linux counts the pre-exec image). Measured after all runs
    # with `true` spawned the same way, so it bounds the floor of every run above.
    floor = run_measured(["true"], 60, search_path=True).maxrss_kib / 1024.0
    report["rss_floor_mib"] = floor

    # ---- report (stdout) ----
    print()
    print("Probity profile benchmark: probity data profile vs pandas read_csv + describe")
    print("=" * 78)
    print("machine: nproc=%s, cpu=%s, mem=%s, kernel %s"
          % (facts["nproc"], facts["cpu_model"], facts["mem_total"], facts["kernel"]))
    print("python %s, pandas %s, numpy %s" % (facts["python"], facts["pandas"], facts["numpy"]))
    print("probity: %s" % facts["probity_path"])
    print("probity --version: %s" % (facts["probity_version"] or "(no output)"))
    print("probity command: %s" % " ".join(probity_argv(args, "FILE")))
    print("pandas command:  %s -c %r FILE" % (PYTHON, PANDAS_CODE))
    print("data: %s (%d rows, %.1f MB, %.1f bytes/row)"
          % (main_path, args.rows, main_size / 1e6, main_size / args.rows))
    print("method: page cache WARM (untimed `cat FILE > /dev/null` first; dropping the"
          " cache is not possible here), each run a fresh child process, runs interleaved,"
          " %d timed runs per tool; wall time = spawn to exit; peak RSS = ru_maxrss of"
          " that child (os.wait4), max over runs. MB = 10^6 bytes, MiB = 2^20 bytes."
          % args.repeat)
    print("RSS floor: %.1f MiB (`true` spawned the same way: a child's reported peak RSS"
          " is never below this driver's own; a reading at the floor means <= floor)" % floor)
    print()
    print_table(summaries)
    print()

    speedup = s_pand["median_s"] / s_prob["median_s"] if s_prob["median_s"] > 0 else float("inf")
    print("speed ratio pandas/probity (median wall time): %.1fx" % speedup)
    print("peak RSS: probity %.1f MiB, pandas %.1f MiB (pandas/probity %.1fx)"
          % (s_prob["peak_rss_mib"], s_pand["peak_rss_mib"],
             s_pand["peak_rss_mib"] / s_prob["peak_rss_mib"] if s_prob["peak_rss_mib"] else 0))
    ok_speed = speedup >= TARGET_SPEEDUP
    ok_rss = s_prob["peak_rss_mib"] < TARGET_RSS_MIB
    print("%s  speed: probity %.1fx faster than pandas (target >= %.0fx)"
          % (verdict(ok_speed), speedup, TARGET_SPEEDUP))
    print("%s  memory: probity peak RSS %.1f MiB on %d rows (target < %.0f MiB)"
          % (verdict(ok_rss), s_prob["peak_rss_mib"], args.rows, TARGET_RSS_MIB))
    verdicts = {"speed": ok_speed, "rss_1x": ok_rss}
    if args.scale4:
        p4 = next(s for s in s4 if s["tool"] == "probity")
        ok_rss4 = p4["peak_rss_mib"] < TARGET_RSS_MIB
        scaling = p4["median_s"] / s_prob["median_s"] if s_prob["median_s"] > 0 else float("inf")
        print("%s  memory at 4x: probity peak RSS %.1f MiB on %d rows (target < %.0f MiB;"
              " 1x was %.1f MiB)" % (verdict(ok_rss4), p4["peak_rss_mib"], 4 * args.rows,
                                     TARGET_RSS_MIB, s_prob["peak_rss_mib"]))
        print("      time at 4x: %.3f s median = %.2fx the 1x time (linear would be 4.00x)"
              % (p4["median_s"], scaling))
        verdicts["rss_4x"] = ok_rss4
        report["scale4_time_ratio"] = scaling
    report["speed_ratio"] = speedup
    report["verdicts"] = verdicts

    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
        print("\nresults written to %s" % args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
