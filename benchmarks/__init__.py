"""Benchmarks: a generator of realistic OrchestratorChat databases and a runner that times the
application's data layer against raw `sqlite3` doing the same work.

    python -m benchmarks.generate OUT.db [--small]
    python -m benchmarks.run [--size small|full] [--db PATH] [--repeat N]

Nothing here is imported by the application or by the ordinary tests (apart from a small smoke
test), and no test asserts on wall-clock time.
"""
