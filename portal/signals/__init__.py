"""Open signals: the AI-use preferences of each recording, in the formats crawlers,
distributors and provenance tools read (see docs/signals.md)."""
