"""Catalogue imports' writes: `start` stores uploads and queues the run, `run` imports
every waiting file of an import. One file is `files.file_import`, which writes by
concept: `works` (and `artists`, the roster), `releases`, `report`; `notices` tells the
artists whose catalogue grew."""
