"""The benchmarks behind `make bench`: portal pages against a bare Flask ceiling, served the same way."""
