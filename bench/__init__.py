"""pricewatch benchmarks: each module measures one thing against the machine's own limits and prints its
figures, ending with one line that gives the key figure and whether the target holds. `python -m bench`
runs them all; see bench/RESULTS.md for the latest figures."""
