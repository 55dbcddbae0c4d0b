"""Consent's pages: the decision screens every party shares (`decisions`), the artist's
own (`artist`) and the label manager's (`label`). Only `urls.py` imports them."""
