"""Benchmarks: `python -m bench` measures start-up, cost per journey, scale, throughput and package
size, and writes docs/performance.md. Every figure is a ratio or a count measured side by side in
one run, so that it holds on a noisy machine; absolute times appear only beside their baseline."""
