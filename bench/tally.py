"""The tally of a large round (50 members × 200 use-cases × 3 criteria): every method and rule, next to a
plain pandas mean of the same scores, interleaved, median of several samples."""

from __future__ import annotations

import random
import statistics
import time

import pandas as pd

from katalog.voting.ballots import Ballot, ItemBallot
from katalog.voting.results import Voter, fold_sectors, tally
from katalog.voting.rounds import RoundSettings

MEMBERS, USECASES, SAMPLES = 50, 200, 7
SECTORS = ["Region", "Danske Regioner", "Kommune/KL", "Almen praksis/PLO", "Stat/SDS", "Andet"]


def _round() -> tuple[RoundSettings, list[Voter], pd.DataFrame]:
    rng = random.Random(7)
    usecases = [f"UC-{n:03d}" for n in range(USECASES)]
    settings = RoundSettings(usecases=usecases)
    keys = [c.key for c in settings.criteria]
    voters, rows = [], []
    for member in range(MEMBERS):
        items = {}
        for uc in usecases:
            scores = {k: (None if rng.random() < 0.05 else rng.randint(1, 9)) for k in keys}
            items[uc] = ItemBallot(scores=scores, recused=rng.random() < 0.01)
            rows += [(member, uc, k, s) for k, s in scores.items() if s is not None and not items[uc].recused]
        voters.append((str(member), SECTORS[member % len(SECTORS)], Ballot(items=items)))
    frame = pd.DataFrame(rows, columns=["member", "usecase", "criterion", "score"])
    return settings, fold_sectors(voters), frame


def _pandas_mean(frame: pd.DataFrame) -> pd.Series:
    return frame.groupby(["usecase", "criterion"])["score"].mean().groupby("usecase").mean().sort_values()


def tally_figures() -> dict:
    settings, voters, frame = _round()
    full, plain = [], []
    for _ in range(SAMPLES):  # interleaved, so both see the same machine load
        t0 = time.perf_counter()
        tally(settings, voters)
        full.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        _pandas_mean(frame)
        plain.append(time.perf_counter() - t0)
    full_s, plain_s = statistics.median(full), statistics.median(plain)
    return {"members": MEMBERS, "usecases": USECASES, "criteria": len(settings.criteria), "samples": SAMPLES,
            "tally_median_s": round(full_s, 3), "pandas_mean_median_s": round(plain_s, 4),
            "ratio_tally_over_pandas_mean": round(full_s / plain_s, 1), "aim_s": 1.0,
            "note": "tally = summaries per criterion and in total, consensus under three rules, sectors, "
                    "weighted mean, median, Borda and Schulze; pandas = mean of criterion means per use-case"}


if __name__ == "__main__":
    import json

    print(json.dumps(tally_figures(), indent=2))
