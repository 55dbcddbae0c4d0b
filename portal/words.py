"""Counting things in messages people read."""


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """ "1 work", "1,200 works", "2 new deliveries" (with `plural` for irregular ones)."""
    return f"{count:,} {singular if count == 1 else (plural or singular + 's')}"
