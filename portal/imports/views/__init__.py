"""The imports' pages: a label's imports on the label's pages (`label`)."""
