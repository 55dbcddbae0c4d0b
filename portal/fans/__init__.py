"""Fans: an artist's public "AI and me" page, and the misuse reports fans file from it."""
