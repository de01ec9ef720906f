"""Developer tools kept out of the product (not in the wheel): the benchmarks, tools/bench."""
