"""X12 parsing in process: `python -m reimbursement_engine.bench.x12_parse [claims] [--rounds N]`.

Generates one 835 and one 837P and one 837I of `claims` claims (two lines each) and prints claims
per CPU second of `parse_835` + `validate_835` and `parse_837` (envelope, every rule, mapping):
the best and median of the rounds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from reimbursement_engine.bench.x12_835 import generate_835
from reimbursement_engine.bench.x12_837 import Envelope837, generate_837
from reimbursement_engine.domain.x12 import ClaimKind, parse_835, parse_837, validate_835


def claims_per_second(parse: Callable[[bytes], int], data: bytes, rounds: int) -> list[float]:
    rates = []
    for _ in range(rounds):
        start = time.process_time()
        count = parse(data)
        rates.append(count / (time.process_time() - start))
    return sorted(rates)


def _835(data: bytes) -> int:
    remittance = parse_835(data)
    validate_835(remittance)
    return len(remittance.claims)


def _837(data: bytes) -> int:
    return len(parse_837(data))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m reimbursement_engine.bench.x12_parse")
    parser.add_argument("claims", nargs="?", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    files = {
        "835 (parse + validate)": (_835, generate_835(args.claims).encode()),
        "837P (parse)": (_837, generate_837(args.claims).encode()),
        "837I (parse)": (
            _837,
            generate_837(args.claims, envelope=Envelope837(ClaimKind.INSTITUTIONAL)).encode(),
        ),
    }
    for name, (parse, data) in files.items():
        rates = claims_per_second(parse, data, args.rounds)
        print(
            f"{name}, {args.claims:,} claims, {len(data) / 1e6:.1f} MB: best {rates[-1]:,.0f}, "
            f"median {statistics.median(rates):,.0f} claims per CPU second"
        )


if __name__ == "__main__":
    main()
