#!/usr/bin/env python3
"""Reference numbers for the canary judge's statistics, computed with SciPy.

Run:  python3 test/canary/golden/make-golden.py > test/canary/golden/judge-golden.json
(Debian: apt-get install python3-scipy). CI needs no Python: the JSON is committed and
test/canary/judge/golden.test.ts compares the TypeScript implementation against it.

Per case (samples are stored in the JSON, so the tests need not reproduce numpy's RNG):
- u: scipy.stats.mannwhitneyu(canary, baseline).statistic  (U of the canary)
- p_exact: mannwhitneyu(..., method='exact') (only when there are no ties)
- p_asymptotic: mannwhitneyu(..., method='asymptotic', use_continuity=True)
- hl: median of all pairwise differences canary_j - baseline_i (numpy)
- hl_exact / hl_asymptotic: the distribution-free interval at 95 %: sorted differences D,
  [D(k), D(N+1-k)] with N = n1*n2 and k chosen from the null distribution of U:
    exact:      k = largest k with P(U <= k-1) <= 0.025, P from SciPy's exact Mann-Whitney
                distribution (scipy.stats._mannwhitneyu._MWU.cdf; cross-checked below against the
                public mannwhitneyu(method='exact') p-value); coverage = 1 - 2 P(U <= k-1).
                When even k = 1 falls short, k = 1 and coverage = 1 - 2 P(U = 0).
    asymptotic: k = floor(N/2 + 0.5 - z * sigma), z = scipy.stats.norm.ppf(0.975),
                sigma = sqrt(n1 n2 / 12 * ((n+1) - sum(t^3 - t) / (n (n-1)))) (tie-corrected, as
                SciPy's test); clamped to [1, floor((N+1)/2)]; coverage = 0.95 (nominal).
- medians and p95/p5: numpy.quantile (linear interpolation).
- normal: scipy.stats.norm.sf / norm.ppf at a few points (the asymptotic test and interval use them).
- exceedance: W = canary values above the baseline's r-th largest, r = max(1, ceil(n_b * 0.05));
  p = scipy.stats.hypergeom.cdf(r-1, n_b + n_c, n_b, W + r - 1) (1 when W = 0).
"""
import json
import math
import sys

import numpy as np
import scipy
from scipy import stats
from scipy.stats._mannwhitneyu import _MWU

CONFIDENCE = 0.95
TAIL_Q = 0.95


def tie_term(values):
    _, counts = np.unique(values, return_counts=True)
    return float(np.sum(counts.astype(float) ** 3 - counts))


def exact_k(n1, n2):
    half = (1 - CONFIDENCE) / 2
    dist = _MWU(n1, n2)
    k = 0
    cumulative = 0.0
    while k <= n1 * n2 // 2:
        nxt = float(dist.cdf(np.asarray(k)))
        if nxt > half:
            break
        cumulative = nxt
        k += 1
    if k == 0:
        return 1, max(0.0, 1 - 2 * float(dist.cdf(np.asarray(0))))
    return k, 1 - 2 * cumulative


def asymptotic_k(n1, n2, sigma):
    z = stats.norm.ppf(1 - (1 - CONFIDENCE) / 2)
    k = math.floor(n1 * n2 / 2 + 0.5 - z * sigma)
    if k < 1:
        coverage = 0.0 if sigma == 0 else max(0.0, 1 - 2 * stats.norm.sf((n1 * n2 / 2 - 0.5) / sigma))
        return 1, coverage
    return min(k, (n1 * n2 + 1) // 2), CONFIDENCE


def interval(diffs, k, coverage):
    return {"k": k, "low": float(diffs[k - 1]), "high": float(diffs[len(diffs) - k]), "confidence": coverage}


def exceedance(baseline, canary, better):
    sign = 1.0 if better == "lower" else -1.0
    worst_first = np.sort(sign * np.asarray(baseline))[::-1]
    r = max(1, math.ceil(len(baseline) * (1 - TAIL_Q) - 1e-9))
    threshold = worst_first[min(r, len(worst_first)) - 1]
    w = int(np.sum(sign * np.asarray(canary) > threshold))
    p = 1.0 if w == 0 else float(stats.hypergeom.cdf(r - 1, len(baseline) + len(canary), len(baseline), w + r - 1))
    return {"r": r, "w": w, "p": p}


def case(name, baseline, canary, better="lower"):
    baseline = [float(v) for v in baseline]
    canary = [float(v) for v in canary]
    n1, n2 = len(baseline), len(canary)
    pooled = np.concatenate([baseline, canary])
    t = tie_term(pooled)
    ties = t > 0
    n = n1 + n2
    sigma = math.sqrt(max(0.0, n1 * n2 / 12 * ((n + 1) - t / (n * (n - 1))))) if n > 1 else 0.0
    asym = stats.mannwhitneyu(canary, baseline, alternative="two-sided", method="asymptotic", use_continuity=True)
    out = {
        "name": name,
        "better": better,
        "baseline": baseline,
        "canary": canary,
        "ties": bool(ties),
        "u": float(asym.statistic),
        "sigma": sigma,
        "p_asymptotic": float(asym.pvalue),
    }
    diffs = np.sort(np.subtract.outer(np.asarray(canary), np.asarray(baseline)).ravel())
    out["hl"] = float(np.median(diffs))
    out["hl_asymptotic"] = interval(diffs, *asymptotic_k(n1, n2, sigma))
    if not ties:
        exact = stats.mannwhitneyu(canary, baseline, alternative="two-sided", method="exact")
        out["p_exact"] = float(exact.pvalue)
        # Cross-check the private distribution used for k against the public exact p-value.
        larger = max(out["u"], n1 * n2 - out["u"])
        via_cdf = min(1.0, 2 * float(_MWU(n1, n2).cdf(np.asarray(int(n1 * n2 - larger)))))
        assert math.isclose(via_cdf, out["p_exact"], rel_tol=1e-12), (name, via_cdf, out["p_exact"])
        out["hl_exact"] = interval(diffs, *exact_k(n1, n2))
        out["p_smallest_exact"] = min(1.0, 2 * float(_MWU(n1, n2).cdf(np.asarray(0))))
    q = TAIL_Q if better == "lower" else 1 - TAIL_Q
    out["median"] = {"baseline": float(np.quantile(baseline, 0.5)), "canary": float(np.quantile(canary, 0.5))}
    out["tail"] = {"quantile": q, "baseline": float(np.quantile(baseline, q)), "canary": float(np.quantile(canary, q))}
    out["exceedance"] = exceedance(baseline, canary, better)
    return out


def main():
    rng = np.random.default_rng(20261125)
    lognormal = lambda n, scale=1.0, sigma=0.25: (100 * scale * rng.lognormal(0.0, sigma, n)).tolist()
    cases = [
        case("n=5/5 fully separated", [1, 2, 3, 4, 5], [6, 7, 8, 9, 10]),
        case("n=3/4 interleaved", [1.5, 3.25, 7.0], [2.0, 4.5, 5.0, 8.75]),
        case("n=1/1", [10.0], [12.0]),
        case("n=1/6", [10.0], [3.0, 8.0, 11.0, 12.0, 14.0, 20.0]),
        case("n=8/7 no ties", lognormal(8), lognormal(7, 1.3)),
        case("n=6/6 with ties", [3, 4, 4, 5, 7, 7], [4, 5, 6, 7, 7, 9]),
        case("all equal", [5.0] * 6, [5.0] * 6),
        case("n=12/12 integers, ties", rng.integers(10, 20, 12).tolist(), rng.integers(12, 22, 12).tolist()),
        case("n=20/20 unshifted", lognormal(20), lognormal(20)),
        case("n=20/20 1.5x slower", lognormal(20), lognormal(20, 1.5)),
        case("n=20/20 rounded (ties)", np.round(lognormal(20)).tolist(), np.round(lognormal(20, 1.2)).tolist()),
        case("n=20/30 higher is better", lognormal(20), lognormal(30, 0.85), better="higher"),
        case("n=30/30 unshifted", lognormal(30), lognormal(30)),
        case("n=30/30 1.1x slower", lognormal(30), lognormal(30, 1.1)),
        case("n=50/50 1.05x slower", lognormal(50), lognormal(50, 1.05)),
        case("n=50/50 wider spread", lognormal(50, 1.0, 0.2), lognormal(50, 1.0, 0.6)),
        case("n=60/60 shifted (asymptotic only)", lognormal(60), lognormal(60, 1.2)),
    ]
    normal = {
        "sf": [[z, float(stats.norm.sf(z))] for z in [-9.0, -3.0, -0.6, -0.1, 0.0, 0.3, 0.67, 0.7, 1.0, 1.96, 3.5, 5.6, 5.7, 8.0, 20.0, 37.0]],
        "ppf": [[p, float(stats.norm.ppf(p))] for p in [1e-15, 1e-9, 0.001, 0.025, 0.05, 0.07, 0.3, 0.5, 0.8, 0.95, 0.975, 0.999, 1 - 1e-9]],
    }
    json.dump({"generator": "test/canary/golden/make-golden.py", "scipy": scipy.__version__, "numpy": np.__version__,
               "confidence": CONFIDENCE, "tailQuantile": TAIL_Q, "normal": normal, "cases": cases}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
