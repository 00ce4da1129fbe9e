"""The preference arena: the Bradley–Terry fit against known cases and an independent library, interval
coverage, the vote store (recorded once, concurrent writers, corrupt files), the simulated annotator, and
the CLI on real world runs with its one-line errors."""

from __future__ import annotations

import json
import math
import threading

import numpy as np
import pytest
from typer.testing import CliRunner

from streampro.arena.bt import Vote, bootstrap, comparisons, fit, rank_models, ranks
from streampro.arena.schedule import Scheduler
from streampro.arena.simulate import Annotator, simulate_votes, votes_needed
from streampro.arena.store import ArenaError, VoteStore
from streampro.cli import app

MODELS = ["m0", "m1", "m2", "m3", "m4"]
TRUE = np.array([1.2, 0.6, 0.0, -0.6, -1.2])


def bt_votes(n: int, seed: int, truth=TRUE, tie_rate: float = 0.0) -> list[Vote]:
    """Votes drawn from a Bradley-Terry model with known strengths (some of them ties)."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        i, j = rng.choice(len(truth), 2, replace=False)
        if rng.random() < tie_rate:
            out.append(Vote(f"q{k % 7}", MODELS[i], MODELS[j], "tie"))
            continue
        p = 1 / (1 + math.exp(-(truth[i] - truth[j])))
        out.append(Vote(f"q{k % 7}", MODELS[i], MODELS[j], "left" if rng.random() < p else "right"))
    return out


def test_two_models_closed_form_and_ties_as_two_half_observations():
    votes = [Vote("q", "a", "b", "left")] * 30 + [Vote("q", "b", "a", "left")] * 10
    theta = fit(comparisons(votes, ["a", "b"]), 2, l2=0.0)
    assert theta[0] - theta[1] == pytest.approx(math.log(3), abs=1e-6)  # 30 wins to 10: odds 3
    # 10 ties add 5 wins to each side: odds (30 + 5) / (10 + 5)
    tied = votes + [Vote("q", "a", "b", "tie")] * 10
    rows = comparisons(tied, ["a", "b"])
    assert sorted(map(tuple, rows[-2:].tolist())) == [(0, 1, 0.5), (1, 0, 0.5)]
    theta = fit(rows, 2, l2=0.0)
    assert theta[0] - theta[1] == pytest.approx(math.log(35 / 15), abs=1e-6)
    assert theta.sum() == pytest.approx(0.0, abs=1e-9)
    # both_bad: a tie by default, or dropped
    assert len(comparisons([Vote("q", "a", "b", "both_bad")], ["a", "b"])) == 2
    assert len(comparisons([Vote("q", "a", "b", "both_bad")], ["a", "b"], both_bad="drop")) == 0


def test_fit_equals_choix_and_recovers_known_strengths():
    choix = pytest.importorskip("choix")
    votes = bt_votes(3000, seed=1, tie_rate=0.1)
    theta = fit(comparisons(votes, MODELS), 5, l2=0.0)
    # choix has no weights: a tie = one win each way, a win = two wins (the same likelihood, doubled)
    data = []
    for v in votes:
        a, b = MODELS.index(v.left), MODELS.index(v.right)
        data += {"left": [(a, b)] * 2, "right": [(b, a)] * 2, "tie": [(a, b), (b, a)]}[v.vote]
    ref = choix.opt_pairwise(5, data, alpha=0.0)
    assert np.allclose(theta, ref - ref.mean(), atol=1e-4)
    assert list(ranks(theta)) == [1, 2, 3, 4, 5]
    assert np.abs(theta - TRUE).max() < 0.2


def test_bootstrap_intervals_cover_the_truth_at_about_the_nominal_rate():
    covered = total = 0
    for sim in range(25):
        votes = bt_votes(400, seed=100 + sim)
        boot = bootstrap(votes, MODELS, n=100, seed=sim)
        lo, hi = np.percentile(boot, [2.5, 97.5], axis=0)
        covered += int(np.sum((lo <= TRUE) & (TRUE <= hi)))
        total += len(MODELS)
    assert 0.85 <= covered / total <= 1.0, covered / total


def test_rank_models_reports_stability_and_agreement():
    votes = bt_votes(600, seed=3)
    f1 = {m: 50 - 10 * i for i, m in enumerate(MODELS)}
    r = rank_models(votes, MODELS, f1, n_boot=200, seed=0)
    assert r["models"] == MODELS and r["n_votes"] == 600
    for m in MODELS:
        s = r["scores"][m]
        assert s["bt_low"] <= s["bt_median"] <= s["bt_high"]
        assert sum(s["rank_stability"]) == pytest.approx(1.0)
        assert s["wins"] + s["losses"] + s["ties"] + s["both_bad"] == s["votes"]
    assert r["scores"]["m0"]["rank_stability"][0] > 0.9
    assert r["agreement"]["spearman"] == pytest.approx(1.0) and r["agreement"]["kendall"] == pytest.approx(1.0)
    lo, hi = r["agreement"]["spearman_ci"]
    assert lo <= 1.0 <= hi + 1e-9
    # the same seed, the same result
    assert rank_models(votes, MODELS, f1, n_boot=200, seed=0) == r


def test_scheduler_balances_pairs_questions_and_sides():
    s = Scheduler(["a", "b", "c"], ["q1", "q2"], seed=0)
    shown = [s.next() for _ in range(60)]  # 6 (question, pair) cells: 10 each
    cells = {}
    for q, left, right in shown:
        cells[(q, *sorted((left, right)))] = cells.get((q, *sorted((left, right))), 0) + 1
    assert sorted(cells.values()) == [10] * 6
    assert 20 <= sum(left == "a" for _, left, _ in shown) <= 40  # sides drawn at random
    s2 = Scheduler(["a", "b", "c"], ["q1", "q2"], seed=5)  # a restarted server counts what the database holds
    for q, left, right in shown[:59]:
        s2.seen(q, left, right)
    q, left, right = s2.next()
    assert (q, *sorted((left, right))) == (shown[59][0], *sorted(shown[59][1:]))  # the one cell short of 10


def test_store_records_a_vote_once_survives_reopening_and_concurrent_writers(tmp_path):
    db = tmp_path / "votes.sqlite"
    store = VoteStore(db)
    token = store.issue("q1", "a", "b", "ann1")
    assert store.vote(token, "left", "ann1") is True
    assert store.vote(token, "left", "ann1") is False  # a repeated submit
    with pytest.raises(ArenaError, match="unknown task"):
        store.vote("nope", "left", "ann1")
    with pytest.raises(ArenaError, match="unknown vote"):
        store.vote(token, "sideways", "ann1")
    assert VoteStore(db).votes() == [Vote("q1", "a", "b", "left")]

    def annotator(k):
        s = VoteStore(db)  # each annotator's own connection, as the server's threads have
        for i in range(40):
            t = s.issue(f"q{i}", "a", "b", f"ann{k}")
            s.vote(t, "tie", f"ann{k}")
            s.vote(t, "tie", f"ann{k}")

    threads = [threading.Thread(target=annotator, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert VoteStore(db).count() == 1 + 4 * 40
    (tmp_path / "bad.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(ArenaError, match="not a usable arena database"):
        VoteStore(tmp_path / "bad.sqlite")


def test_simulated_annotator_follows_the_metric_and_the_study_finds_a_vote_count():
    f1 = {"good": {f"q{i}": 0.8 for i in range(10)}, "mid": {f"q{i}": 0.5 for i in range(10)},
          "bad": {f"q{i}": 0.0 for i in range(10)}}
    qs = list(f1["good"])
    exact = simulate_votes(f1, qs, 300, Annotator(noise=0.0), seed=0)
    for v in exact:
        want = "left" if f1[v.left][v.question] > f1[v.right][v.question] else "right"
        assert v.vote == want
    assert simulate_votes(f1, qs, 50, Annotator(), seed=4) == simulate_votes(f1, qs, 50, Annotator(), seed=4)
    study = votes_needed(f1, qs, {"good": 80, "mid": 50, "bad": 0}, Annotator(noise=0.6), [10, 40, 160],
                         repeats=10, seed=0)
    shares = [row["share_rho_ge"] for row in study["grid"]]
    assert shares[-1] >= shares[0] and study["needed"] in (10, 40, 160)


@pytest.fixture(scope="module")
def world_runs(small_bench, tmp_path_factory):
    """Three reference models evaluated on the 42-question world split."""
    out = tmp_path_factory.mktemp("arena_runs")
    run = CliRunner().invoke
    for m in ("oracle", "eager", "silent"):
        r = run(app, ["eval", "--model", m, "--bench", str(small_bench), "--out", str(out / m), "--no-report"])
        assert r.exit_code == 0, r.output
    return out


def test_cli_simulate_then_rank_on_world_runs_and_one_line_errors(small_bench, world_runs, tmp_path):
    run = CliRunner().invoke
    runs = [str(world_runs / m) for m in ("oracle", "eager", "silent")]
    db = tmp_path / "votes.sqlite"
    r = run(app, ["arena", "simulate", "--runs", *runs, "--bench", str(small_bench), "--db", str(db), "--votes", "300",
                  "--study", str(tmp_path / "study.json"), "--study-grid", "30,120", "--study-repeats", "4"])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "study.json").read_text())["grid"][1]["votes"] == 120
    r = run(app, ["arena", "simulate", "--runs", *runs, "--bench", str(small_bench), "--db", str(db), "--votes", "300"])
    assert r.exit_code == 0 and "nothing to do" in r.output and VoteStore(db).count() == 300
    r = run(app, ["arena", "simulate", "--runs", *runs, "--bench", str(small_bench), "--db", str(db), "--votes", "301"])
    assert r.exit_code == 2 and "other settings" in r.output and VoteStore(db).count() == 300
    out = tmp_path / "rank"
    r = run(app, ["arena", "rank", "--db", str(db), "--runs", *runs, "--out", str(out), "--n-boot", "100"])
    assert r.exit_code == 0, r.output
    result = json.loads((out / "ranking.json").read_text())
    assert result["models"] == ["oracle", "eager", "silent"] and result["agreement"]["spearman"] == pytest.approx(1.0)
    for fig in ("bt_scores", "rank_stability", "bt_vs_f1"):
        assert (out / f"{fig}.png").stat().st_size > 5000 and (out / f"{fig}.svg").exists()

    def one_line_error(args, expect):
        r = run(app, args)
        assert r.exit_code == 2 and expect in r.output and "Traceback" not in r.output, r.output
        assert len(r.output.strip().splitlines()) == 1, r.output

    empty = tmp_path / "empty_run"
    empty.mkdir()
    one_line_error(["arena", "simulate", "--runs", runs[0], str(empty), "--bench", str(small_bench), "--db",
                    str(tmp_path / "x.sqlite")], "no predictions.jsonl")
    one_line_error(["arena", "simulate", "--runs", runs[0], "--bench", str(small_bench), "--db", str(tmp_path / "x.sqlite")],
                   "at least two runs")
    (tmp_path / "corrupt.sqlite").write_bytes(b"\x00garbage" * 512)
    one_line_error(["arena", "rank", "--db", str(tmp_path / "corrupt.sqlite")], "not a usable arena database")
    one_line_error(["arena", "rank", "--db", str(tmp_path / "missing.sqlite")], "no such database")
    one_line_error(["arena", "rank", "--db", str(db), "--runs", runs[0]], "no run among --runs")
    one_line_error(["arena", "serve", "--runs", *runs, "--bench", str(small_bench), "--host", "0.0.0.0", "--no-token"],
                   "loopback only")
