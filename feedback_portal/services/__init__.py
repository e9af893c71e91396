"""Plain functions per domain. The only layer that queries and commits."""
