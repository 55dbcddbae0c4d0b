"""`make bench` (`python -m benchmarks`): server-side figures for the consent screens.

Builds a throwaway database, seeds the demo world small and then large (10,000 works per
artist), and measures in-process with the Django test client: the product matrix, a single
decision, the bulk action and the consent service underneath. Prints figures; never fails
on speed, only when something crashes.
"""
