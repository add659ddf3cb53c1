"""Benchmarks: our kernels and solvers against a peer, side by side in one run."""
