"""Readers of catalogue files: one per format, each yielding `portal.imports.records`
items from a binary stream in constant memory."""
