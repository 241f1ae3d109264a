"""Full-scale benchmarks: `python -m benchmarks --scale small|full`."""
