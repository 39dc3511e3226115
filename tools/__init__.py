"""Developer tooling: the `guide` CLI, the benchmark, the load generator, the dependency audit.

May import anything in the project; nothing imports it.
"""
