"""Throughput figures (`make bench`): `python -m reimbursement_engine.bench [lines] [claims_835]
[--workers N] [--rounds N] [--postgres]`.

Prints the core count, in-process pricing lines/s, batch API lines/s through POST /v1/claims/batch
on a real uvicorn server (Kafka disabled; SQLite in a temp dir, or with `--postgres` a local
PostgreSQL cluster; `--workers` uvicorn workers, default min(2, cores), fed over as many parallel
client connections) and 835 ingest claims/s. Both pricing figures price the same generated claims
under the same contract and Medicare year (checked: the API's expected allowed equals the
in-process sum); each round sends `lines` new lines; best and median of the rounds are printed.
"""
