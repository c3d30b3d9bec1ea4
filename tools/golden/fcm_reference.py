"""Fuzzy C-Means in numpy, line for line as scikit-fuzzy 0.4.2's `skfuzzy.cluster.cmeans`.

scikit-fuzzy is not packaged for Debian, so this is its algorithm re-typed (same
operations in the same order), used by make_fcm_golden.py (golden values for the TS
tests) and by bench/fcm_numpy.py (the speed reference). Layout follows skfuzzy:
data is (features, samples) = X.T, memberships u are (clusters, samples).

skfuzzy's details kept here:
  * normalize_columns(u_old), then np.fmax(u_old, eps) before u**m;
  * cntr = um @ X / um.sum(axis=1)[:, None];
  * d = cdist(X, cntr).T, then np.fmax(d, eps);
  * jm = (um * d**2).sum()  -- memberships BEFORE the update, centers AFTER;
  * u = normalize_power_columns(d, -2/(m-1)): d / max, fmax eps, / min, ** exponent, normalise;
  * the loop runs `while p < maxiter - 1` (at most maxiter-1 updates) and stops when
    np.linalg.norm(u - u2) < error (Frobenius norm of the change of u).
"""

import numpy as np
from scipy.spatial.distance import cdist

EPS = np.finfo(np.float64).eps


def normalize_columns(columns):
    return columns / np.sum(columns, axis=0, keepdims=1)


def normalize_power_columns(x, exponent):
    assert np.all(x >= 0.0)
    x = x.astype(np.float64)
    x = x / np.max(x, axis=0, keepdims=True)
    x = np.fmax(x, np.finfo(x.dtype).eps)
    if exponent < 0:
        x /= np.min(x, axis=0, keepdims=True)
        x = x ** exponent
    else:
        x = x ** exponent
    return normalize_columns(x)


def _distance(data, centers):
    # data: (samples, features) here, as in skfuzzy after its transpose
    return cdist(data, centers, metric="euclidean").T


def cmeans0(data, u_old, c, m):
    """One skfuzzy iteration. data: (features, samples); u_old: (c, samples)."""
    u_old = normalize_columns(u_old)
    u_old = np.fmax(u_old, EPS)
    um = u_old ** m
    data = data.T
    cntr = um.dot(data) / np.atleast_2d(um.sum(axis=1)).T
    d = _distance(data, cntr)
    d = np.fmax(d, EPS)
    jm = (um * d ** 2).sum()
    u = normalize_power_columns(d, -2.0 / (m - 1))
    return cntr, u, jm, d


def fp_coeff(u):
    n = u.shape[1]
    return np.trace(u.dot(u.T)) / float(n)


def partition_entropy(u):
    """-(1/n) sum u ln u, natural log, 0 ln 0 = 0 (not in skfuzzy)."""
    n = u.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(u > 0, u * np.log(np.where(u > 0, u, 1.0)), 0.0)
    return -t.sum() / float(n)


def cmeans(data, c, m, error, maxiter, init, on_iteration=None):
    """skfuzzy.cluster.cmeans with a given init (c, samples), plus a per-iteration hook.

    Returns (cntr, u, u0, d, jm, p, fpc, converged). on_iteration(p, cntr, u, jm, change)
    is called after each update (p is 1-based).
    """
    u0 = init
    u = np.fmax(u0, EPS)
    jm = np.zeros(0)
    p = 0
    converged = False
    while p < maxiter - 1:
        u2 = u.copy()
        cntr, u, Jjm, d = cmeans0(data, u2, c, m)
        jm = np.hstack((jm, Jjm))
        p += 1
        change = np.linalg.norm(u - u2)
        if on_iteration is not None:
            on_iteration(p, cntr, u, Jjm, change)
        if change < error:
            converged = True
            break
    fpc = fp_coeff(u)
    return cntr, u, u0, d, jm, p, fpc, converged
