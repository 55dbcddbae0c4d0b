"""`make bench` (`python -m benchmarks`): server-side figures for the consent screens,
the machine API, webhook delivery and earnings.

Builds a throwaway database, seeds the demo world small and then large (10,000 works per
artist), and measures in-process with the Django test client: the product matrix, a single
decision, the bulk action and the consent service underneath. Then, at a label of 100,000
works: the machine API (`benchmarks.api`: queries per check and the bulk check in-process;
gunicorn under wrk for the single check against a bare Django JSON view, the framework
floor) and webhook delivery (`benchmarks.delivery`: one Celery worker and a receiver on
loopback; a revocation's propagation from commit to receipt, and the changes per second
delivered after one bulk approval records 100,000). Earnings (`benchmarks.earnings`): the
artist's earnings page over twelve months of usage of 10,000 works, and a usage report of
100,000 lines ingested. Last, the load (`benchmarks.load`, about 2 minutes): 50 artists at
once for 60 s against gunicorn, a Celery worker with beat, PostgreSQL and Redis, browsing
and answering with a moment's thought between clicks; p50/p95/p99 per page and for the
htmx toggle, errors (aim: none), and every permission change they caused counted at a
signature-verifying receiver once the load stops (aim: all, within 2 minutes). Catalogue
imports (`benchmarks.imports`, about 20 minutes): 1,000,000 recordings as DDEX ERN 4.3
files and, into a second label, as one CSV, each imported through `import_catalogue` (aim:
under 10 minutes, peak RSS under 500 MB) and again unchanged (under 3 minutes), and a
20-track album withdrawn and its changes delivered (under 2 seconds). Last, the label home
and the roster view at a label topped up by COPY (`benchmarks.million`) to
BENCH_LABEL_WORKS works (250,000 by default; 1000000 for a label of a million, aim: label
home p95 under 150 ms). Then the permissions snapshot (`benchmarks.snapshot`): SNAPSHOT_PAIRS
more permitted pairs (200,000 by default; 10000000 for the issue's aim, under 2 minutes)
streamed over HTTP from gunicorn, with the server's RSS. The
server-side parts need PostgreSQL and Redis (DATABASE_URL, REDIS_URL); without them they
are skipped, and the report says why. Prints figures; never fails on speed, only when
something crashes.

One stage alone, on a fresh database seeded once at BENCH_SCALE (default 2,500, a label
of 100,000 works; 1 for a quick try):

    DATABASE_URL=postgres://... REDIS_URL=redis://.../6 .venv/bin/python -m benchmarks.api
    DATABASE_URL=postgres://... REDIS_URL=redis://.../6 .venv/bin/python -m benchmarks.delivery
    DATABASE_URL=postgres://... .venv/bin/python -m benchmarks.earnings  (at 500, then 2,500)
    DATABASE_URL=postgres://... REDIS_URL=redis://.../6 .venv/bin/python -m benchmarks.load  (at 1)
    DATABASE_URL=postgres://... .venv/bin/python -m benchmarks.imports  (400 recordings per unit)
    DATABASE_URL=postgres://... .venv/bin/python -m benchmarks.million [WORKS]  (1,000,000)
    SNAPSHOT_PAIRS=N DATABASE_URL=... REDIS_URL=... .venv/bin/python -m benchmarks.snapshot

On PostgreSQL the bench's database is `consent_bench`, or BENCH_DATABASE_NAME.
"""
