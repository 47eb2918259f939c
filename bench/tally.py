"""Benchmark: how long each vote-counting method takes on large, random elections.

Run: uv run --frozen python bench/tally.py [ballots]
Prints the best of 5 runs per method. Numbers go in bench/README.md and the issue notes,
never into test assertions.
"""

import random
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from decisions.tally import tally_approval, tally_dots, tally_ranked, tally_score  # noqa: E402


def main(ballots=20_000, options=12):
    rng = random.Random(2024)
    ids = list(range(1, options + 1))
    rankings = [rng.sample(ids, rng.randint(0, options)) for _ in range(ballots)]
    cases = {
        "ranked (instant runoff)": lambda: tally_ranked(rankings, ids),
        "approval": lambda: tally_approval([set(r[:3]) for r in rankings], ids),
        "dots": lambda: tally_dots([dict.fromkeys(r[:2], 2) for r in rankings], ids),
        "score": lambda: tally_score([{o: (o * 7 + i) % 6 for o in ids} for i in range(ballots)], ids),
    }
    print(f"{ballots} ballots, {options} options (best of 5)")
    for name, run in cases.items():
        best = min(timeit.repeat(run, number=1, repeat=5))
        print(f"  {name:<24} {best * 1000:8.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
