"""The Search tab: every message of the file, ranked, a page at a time."""
