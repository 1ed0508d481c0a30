"""One module per command word; each has `register(commands)` and its handlers.

A handler takes the parsed options and returns an `Outcome`; it raises `DataError` for
anything the person can fix.
"""
