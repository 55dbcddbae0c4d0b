"""Catalogue imports' writes: `start` stores uploads and queues the run, `run` imports
every waiting file of an import."""
