"""The demo world behind `manage.py seed_demo`: logins, catalogues, products, licences,
decisions, and twelve months of usage with earnings. It sits above every other app, and
nothing in the portal imports it.

Everything is found or created by a natural key (an email, a name, a slug, an ISRC, a
report's reference), so a second run changes nothing and a larger scale only adds works.
Decisions go through the consent services, so the ledger stays whole, and only where
nobody has answered yet: a choice someone made in the demo is never overwritten by a
re-run. Usage goes through the same parsing and ingest as a product's report.

The history is dated in the past (`history.Timeline`): the licences began and the
answers were given before the first month of usage, since usage is checked against the
permission history of its month.

- `specs`: who and what the demo holds (logins, labels, artists, products, rates).
- `people`: the logins, verified, with the published second factor.
- `catalogue`: each artist's works and credits, generated deterministically.
- `products`: the licensees' products and their licences with both labels.
- `history`: when it all happened, and the decisions given along the way.
- `usage`: a year of monthly usage reports, through the products' own ingest.
- `shown`: what each login shows, for the command's closing summary (reads only).
- `seed`: `demo_seed`, the whole world in one transaction.
"""
