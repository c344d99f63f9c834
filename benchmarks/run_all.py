"""`make bench`: every figure of docs/benchmarks.md in one run, side by side, each against the same
yardstick.

Runs, one after the other on this machine, printing each one's own output as it goes:

- the engine bench (`python -m reimbursement_engine.bench`): in-process pricing (the yardstick: lines
  priced per CPU second of one core, no I/O), the batch API, and 835 ingest alone;
- the realistic 835 path end to end (`benchmarks/reconcile_835.py`) on SQLite + tansu and on
  PostgreSQL + Apache Kafka;
- consumer events/s (`benchmarks/consumer_throughput.py`);
- contract.amended -> signed webhook, p50/p99 (`benchmarks/amendment_webhook.py`);
- GET a contract as of a date, req/s and p99 (`benchmarks/contract_as_of.py`);
- re-pricing after a retroactive amendment (`benchmarks/retro_reprice.py`) on SQLite + tansu and on
  PostgreSQL + Apache Kafka;

then a table of the headline figures, each rate also as a ratio: the in-process figure of the same
run over it (how many times slower than pricing in process; a busy machine slows both, so a ratio
that grows is a regression even when the seconds hide it), beside issue 11's aim and whether this
run met it. Latencies are printed as measured. Aims are judged only at the sizes they name (a
10,000-claim 835); `--small` runs everything small, to check that every bench works
(tests/e2e/test_bench_all.py), and judges nothing.

    uv run --frozen python benchmarks/run_all.py [--small] [--claims-835 10000] [--events 20000]
        [--reprice-claims 100000]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
NUMBER = r"([0-9][0-9,]*(?:\.[0-9]+)?)"


@dataclass(frozen=True)
class Figure:
    """One headline figure: where it is read from (a bench's output), its unit and issue 11's aim."""

    name: str
    bench: str
    pattern: str
    unit: str
    aim: float | None = None
    higher_is_better: bool = True
    is_rate: bool = True  # a rate is also shown as a ratio: the in-process figure over it
    judged: bool = True  # False when this run's size is not the one the aim is stated for


def figures(claims_835: int, reprice_claims: int) -> list[Figure]:
    at_size = claims_835 == 10_000  # the 835 aims are stated for a 10,000-claim file
    reprice_at_size = reprice_claims == 100_000  # the re-pricing aim for 100,000 claims
    return [
        Figure(
            "in-process pricing (yardstick)", "engine", rf"in-process pricing .*?best {NUMBER}", "lines/s"
        ),
        Figure(
            "batch API, per engine CPU second", "engine", rf"per engine CPU second: best {NUMBER}", "lines/s"
        ),
        Figure(
            "835 ingest only (no reconciliation)",
            "engine",
            rf"835 ingest only .*?: {NUMBER} claims/s",
            "claims/s",
        ),
        Figure(
            "835 end to end, SQLite + tansu",
            "reconcile-sqlite",
            rf"end to end: .*?= {NUMBER} claims/s",
            "claims/s",
            aim=2000,
            judged=at_size,
        ),
        Figure(
            "835 upload answered, SQLite",
            "reconcile-sqlite",
            rf"upload answered \(202, stored\):\s+{NUMBER} s",
            "s",
            aim=5,
            higher_is_better=False,
            is_rate=False,
            judged=at_size,
        ),
        Figure(
            "835 end to end, PostgreSQL + Kafka",
            "reconcile-postgres",
            rf"end to end: .*?= {NUMBER} claims/s",
            "claims/s",
            aim=2000,
            judged=at_size,
        ),
        Figure(
            "835 upload answered, PostgreSQL",
            "reconcile-postgres",
            rf"upload answered \(202, stored\):\s+{NUMBER} s",
            "s",
            aim=5,
            higher_is_better=False,
            is_rate=False,
            judged=at_size,
        ),
        Figure(
            "consumer, fetched runs, partitions at once",
            "consumer",
            rf"fetched runs, partitions at once\s+{NUMBER} events/s",
            "events/s",
            aim=5000,
        ),
        Figure(
            "amendment -> webhook p50",
            "amendment",
            rf"signed webhook received: p50 {NUMBER} ms",
            "ms",
            is_rate=False,
        ),
        Figure(
            "amendment -> webhook p99",
            "amendment",
            rf"signed webhook received: .*?p99 {NUMBER} ms",
            "ms",
            aim=250,
            higher_is_better=False,
            is_rate=False,
        ),
        Figure("GET /healthz (HTTP ceiling)", "as-of", rf"GET /healthz.*?\s{NUMBER} req/s", "req/s"),
        Figure("GET contract as of a date", "as-of", rf"as_of=.*?\s{NUMBER} req/s", "req/s", aim=5000),
        Figure(
            "GET contract as of a date, p99",
            "as-of",
            rf"as_of=.*?p99\s+{NUMBER} ms",
            "ms",
            aim=20,
            higher_is_better=False,
            is_rate=False,
        ),
        Figure(
            "re-pricing, SQLite + tansu",
            "reprice-sqlite",
            rf"every claim re-priced under version .*?= {NUMBER} claims/s",
            "claims/s",
        ),
        Figure(
            "re-pricing 100,000 claims, SQLite",
            "reprice-sqlite",
            rf"every claim re-priced under version \d+:\s+{NUMBER} s",
            "s",
            aim=60,
            higher_is_better=False,
            is_rate=False,
            judged=reprice_at_size,
        ),
        Figure(
            "re-pricing, PostgreSQL + Kafka",
            "reprice-postgres",
            rf"every claim re-priced under version .*?= {NUMBER} claims/s",
            "claims/s",
        ),
        Figure(
            "re-pricing 100,000 claims, PostgreSQL",
            "reprice-postgres",
            rf"every claim re-priced under version \d+:\s+{NUMBER} s",
            "s",
            aim=60,
            higher_is_better=False,
            is_rate=False,
            judged=reprice_at_size,
        ),
    ]


def commands(small: bool, claims_835: int, events: int, reprice_claims: int) -> dict[str, list[str]]:
    py = sys.executable
    engine = ["2000", "50", "--workers", "1", "--rounds", "1"] if small else []
    claims = "40" if small else str(claims_835)
    reprice = "2100" if small else str(reprice_claims)  # small: two batches of re-pricing
    # the realistic figures as the median of 3 rounds, as the engine bench takes 3 (small: the 835
    # once, the as-of read twice, so that the rounds' median is worked out in the test too)
    rounds, as_of_rounds = ("1", "2") if small else ("3", "3")
    return {
        "engine": [py, "-m", "reimbursement_engine.bench", *engine],
        "reconcile-sqlite": [py, str(HERE / "reconcile_835.py"), "--claims", claims, "--rounds", rounds],
        "reconcile-postgres": [
            py,
            str(HERE / "reconcile_835.py"),
            "--claims",
            claims,
            "--postgres",
            "--rounds",
            rounds,
        ],
        "consumer": [
            py,
            str(HERE / "consumer_throughput.py"),
            "--events",
            "200" if small else str(events),
            "--yardstick-events",
            "20" if small else "1000",
        ],
        "amendment": [
            py,
            str(HERE / "amendment_webhook.py"),
            *(
                ["--rate", "4", "--seconds", "3", "--contracts", "4", "--warmup-seconds", "1"]
                if small
                else ["--rate", "20", "--seconds", "30"]
            ),
        ],
        "as-of": [
            py,
            str(HERE / "contract_as_of.py"),
            "--workers",
            "2",
            "--seconds",
            "2" if small else "10",
            "--rounds",
            as_of_rounds,
        ],
        "reprice-sqlite": [py, str(HERE / "retro_reprice.py"), "--claims", reprice],
        "reprice-postgres": [py, str(HERE / "retro_reprice.py"), "--claims", reprice, "--postgres"],
    }


def run(name: str, command: list[str]) -> str:
    print(
        f"\n=== {name}: {' '.join(Path(c).name if c.endswith('.py') else c for c in command[1:])}", flush=True
    )
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    sys.stdout.write(done.stdout)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"{name} failed (exit {done.returncode})")
    return done.stdout


def read(figure: Figure, outputs: dict[str, str]) -> float | None:
    found = re.search(figure.pattern, outputs.get(figure.bench, ""))
    return float(found.group(1).replace(",", "")) if found else None


def verdict(figure: Figure, value: float, small: bool) -> str:
    if figure.aim is None:
        return ""
    if small or not figure.judged:
        return f"aim {figure.aim:,.0f} {figure.unit} (not judged at this size)"
    met = value >= figure.aim if figure.higher_is_better else value <= figure.aim
    sign = ">=" if figure.higher_is_better else "<="
    return f"aim {sign} {figure.aim:,.0f} {figure.unit}: {'met' if met else 'NOT met'}"


def table(outputs: dict[str, str], claims_835: int, reprice_claims: int, small: bool) -> list[str]:
    wanted = figures(claims_835, reprice_claims)
    yardstick = read(wanted[0], outputs)
    lines = [f"{'figure':44s} {'value':>14s} {'in-process /':>13s}  aim"]
    for figure in wanted:
        value = read(figure, outputs)
        if value is None:
            lines.append(f"{figure.name:44s} {'not printed':>14s}")
            continue
        ratio = f"{yardstick / value:,.1f}x" if figure.is_rate and yardstick and value else ""
        shown = f"{value:,.2f} {figure.unit}" if figure.unit == "s" else f"{value:,.0f} {figure.unit}"
        lines.append(f"{figure.name:44s} {shown:>14s} {ratio:>13s}  {verdict(figure, value, small)}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--small", action="store_true", help="every bench small: check they work, judge nothing"
    )
    parser.add_argument("--claims-835", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--reprice-claims", type=int, default=100_000)
    args = parser.parse_args()
    outputs = {
        name: run(name, command)
        for name, command in commands(args.small, args.claims_835, args.events, args.reprice_claims).items()
    }
    print(
        "\n=== side by side (issue 11's aims; in-process /: the in-process pricing rate of this run over it)"
    )
    print("\n".join(table(outputs, args.claims_835, args.reprice_claims, args.small)))


if __name__ == "__main__":
    main()
