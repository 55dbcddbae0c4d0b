"""Earnings' pages: an artist's money (`artist`), a label's (`label`), and credits and
monthly statements (`statements`). Only `urls.py` imports them."""
