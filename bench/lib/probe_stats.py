"""Imported by the tunnel benches' reports (PYTHONPATH=bench/lib): per round, the loss window of the
probe stream that ran across the round's mark, and percentile lines."""


def read_marks(path):
    """The epoch milliseconds in the file, one a line."""
    return [int(l) for l in open(path) if l.strip()]


def loss_windows(marks, rate, probes):
    """Per mark, the milliseconds of datagrams lost (at rate/s) in its round's probe report from 50 ms before it."""
    ms = 1000.0 / rate
    loss = []
    for m, probe in zip(marks, sorted(probes, key=lambda f: int(f.rsplit("probe", 1)[1].split(".")[0]))):
        lines = open(probe).read().split("\n")
        start = next(int(l.split()[1]) for l in lines if l.startswith("start "))
        gaps = [(int(l.split()[1]), int(l.split()[2])) for l in lines if l.startswith("gap ")]
        loss.append(sum(n * ms for first, n in gaps if start + first * ms >= m - 50))
    return loss


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


def line(name, v):
    print(f"{name} (ms, n={len(v)}): p50 {pct(v, .5):.0f}  p95 {pct(v, .95):.0f}  max {max(v):.0f}  all {[round(x) for x in v]}")
