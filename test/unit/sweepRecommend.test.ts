/**
 * How `segment sweep` recommends a k (PROFILE.md, "Choosing k"): the kneedle
 * method on its own, then every branch of the rule with its reason, word for
 * word.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kneedle } from '../../src/engine/sweep/kneedle';
import { recommend, smallClusterRows, type Candidate } from '../../src/engine/sweep/recommend';
import type { CovarianceType } from '../../src/shared/methods';

const K2_8 = [2, 3, 4, 5, 6, 7, 8];

test('kneedle: the knee of a falling curve that levels off, none on a straight line, a concave curve or a gentle bend', () => {
  // Normalised and turned over, the difference curve is 0, .49, .55, .43, .30, .16, 0: its maximum at k = 4
  // is confirmed when it falls below .55 − 1/6 at k = 6.
  assert.equal(kneedle(K2_8, [1000, 400, 200, 150, 120, 100, 90]), 2);
  assert.equal(kneedle(K2_8, [7, 6, 5, 4, 3, 2, 1]), undefined, 'a straight line');
  assert.equal(kneedle(K2_8, [100, 99, 97, 93, 85, 69, 37]), undefined, 'falling ever faster');
  assert.equal(kneedle(K2_8, [10, 8.5, 7.1, 5.8, 4.6, 3.5, 2.5]), undefined, 'a bend too gentle for the threshold');
  assert.equal(kneedle(K2_8, [5, 5, 5, 5, 5, 5, 5]), undefined, 'flat');
  assert.equal(kneedle([2, 3], [10, 1]), undefined, 'two points');
  // The first confirmed maximum wins: the example customers' diag BIC (one drop at k = 3, another at k = 6).
  assert.equal(kneedle(K2_8, [15653.7, 6298.6, 5886.1, 2982.1, -4625.3, -4282.9, -6070.8]), 1);
  // A maximum whose fall is cut short by the next maximum is not the knee; the later one is
  // (difference curve 0, .30, .25, .35, .28, .15, 0).
  assert.equal(kneedle(K2_8, [100, 53.3, 41.7, 15, 5, 2, 0]), 3);
  assert.throws(() => kneedle([1, 2, 3], [1, 2]), { message: '3 x values but 2 y values' });
});

/** A fit of k clusters: sizes that split n evenly unless given. */
function fit(k: number, values: { bic?: number; silhouette?: number; ari?: number; sizes?: number[]; covarianceType?: CovarianceType }, n = 200): Candidate {
  const sizes = values.sizes ?? Array.from({ length: k }, (_, c) => Math.floor(n / k) + (c < n % k ? 1 : 0));
  return {
    k,
    covarianceType: values.covarianceType,
    bic: values.bic,
    silhouette: values.silhouette ?? 0.5,
    stabilityAri: values.ari ?? 1,
    sizes,
  };
}

const gmm = (bics: number[], covarianceType: CovarianceType = 'full', first = 2) => bics.map((bic, i) => fit(first + i, { bic, covarianceType }));

test('GMM: the lowest BIC inside the range', () => {
  assert.deepEqual(recommend('gmm', gmm([100, 50, 20, 40]), 200, 5), {
    k: 4,
    covarianceType: 'full',
    criterion: 'bic',
    reason: 'k = 4 (full covariance) has the lowest BIC (20.0).',
  });
  // Over several covariance types, the lowest of all.
  assert.deepEqual(recommend('gmm', [...gmm([100, 50, 20, 40]), ...gmm([90, 10, 30, 35], 'diag')], 200, 5), {
    k: 3,
    covarianceType: 'diag',
    criterion: 'bic',
    reason: 'k = 3 (diag covariance) has the lowest BIC (10.0).',
  });
});

test('GMM: when the lowest BIC is at the largest k tried, the knee of that BIC curve by the kneedle method, and the reason says so', () => {
  const falling = [1000, 400, 200, 150, 120, 100, 90];
  assert.deepEqual(recommend('gmm', [...gmm(falling), ...gmm(falling.map((b) => b + 500), 'diag')], 200, 8), {
    k: 4,
    covarianceType: 'full',
    criterion: 'bic_knee',
    reason:
      'The lowest BIC (90.0) is at k = 8 (full covariance), the largest k tried, so the BIC may fall further beyond the range; ' +
      'recommended instead is k = 4 (full covariance), the knee of the full BIC curve by the kneedle method (Satopää et al. 2011).',
  });
  // No knee: the largest k, with the advice to look further.
  assert.deepEqual(recommend('gmm', gmm([7, 6, 5, 4, 3, 2, 1], 'diag'), 200, 8), {
    k: 8,
    covarianceType: 'diag',
    criterion: 'bic',
    reason:
      'The lowest BIC (1.0) is at k = 8 (diag covariance), the largest k tried, so the BIC may fall further beyond the range, ' +
      'and there is no knee in the diag BIC curve by the kneedle method (Satopää et al. 2011): try larger k.',
  });
  // The end is the range's: when k = 8 failed, k = 7 is inside it.
  assert.equal(recommend('gmm', gmm(falling.slice(0, 6)), 200, 8).criterion, 'bic');
});

test('GMM: a fit with a cluster under 1% of the rows or 10 rows is passed over, or recommended with a caveat', () => {
  const fits = gmm([100, 50, 20, 40]);
  fits[2] = fit(4, { bic: 20, covarianceType: 'full', sizes: [100, 60, 35, 5] });
  assert.deepEqual(recommend('gmm', fits, 200, 5), {
    k: 5,
    covarianceType: 'full',
    criterion: 'bic',
    reason:
      'k = 5 (full covariance) has the lowest BIC (40.0); passed over for a smallest cluster under 10 rows (1% of the rows, at least 10): ' +
      'k = 4 (full covariance) with 5 rows (2.5%).',
  });
  // The knee itself small: recommended, and said so.
  const falling = gmm([1000, 400, 200, 150, 120, 100, 90]);
  falling[2] = fit(4, { bic: 200, covarianceType: 'full', sizes: [100, 60, 37, 3] });
  assert.equal(
    recommend('gmm', falling, 200, 8).reason,
    'The lowest BIC (90.0) is at k = 8 (full covariance), the largest k tried, so the BIC may fall further beyond the range; ' +
      'recommended instead is k = 4 (full covariance), the knee of the full BIC curve by the kneedle method (Satopää et al. 2011); ' +
      'its smallest cluster holds only 3 rows (1.5%), under 10 rows (1% of the rows, at least 10).',
  );
});

test('the smallest cluster allowed: 1% of the rows, at least 10', () => {
  assert.deepEqual([100, 999, 1000, 1001, 5000, 123456].map(smallClusterRows), [10, 10, 10, 11, 50, 1235]);
});

test('Fuzzy C-Means and Neural: the highest silhouette among the fits with stability ≥ 0.8, else the most stable', () => {
  const fits = [fit(2, { silhouette: 0.5 }), fit(3, { silhouette: 0.6, ari: 0.9 }), fit(4, { silhouette: 0.7, ari: 0.79 }), fit(5, { silhouette: 0.65, ari: 0.85 })];
  for (const method of ['fuzzy', 'neural'] as const) {
    assert.deepEqual(recommend(method, fits, 200, 5), {
      k: 5,
      criterion: 'silhouette',
      reason: 'k = 5 has the highest silhouette (0.6500) of the fits with stability ARI ≥ 0.8.',
    });
  }
  const unstable = [fit(2, { silhouette: 0.9, ari: 0.5 }), fit(3, { silhouette: 0.2, ari: 0.7 }), fit(4, { silhouette: 0.4, ari: 0.7 }), fit(5, { ari: 0.6 })];
  assert.deepEqual(recommend('fuzzy', unstable, 200, 5), {
    k: 4,
    criterion: 'stability_ari',
    reason: 'No fit has stability ARI ≥ 0.8, so the most stable is recommended: k = 4 (ARI 0.700).',
  });
});

test('Fuzzy C-Means and Neural: small clusters passed over, or every fit small and said so', () => {
  const n = 5000;
  const fits = [fit(2, { silhouette: 0.5 }, n), fit(3, { silhouette: 0.8, sizes: [2500, 2460, 40] }, n), fit(4, { silhouette: 0.6 }, n)];
  assert.equal(
    recommend('neural', fits, n, 4).reason,
    'k = 4 has the highest silhouette (0.6000) of the fits with stability ARI ≥ 0.8; ' +
      'passed over for a smallest cluster under 50 rows (1% of the rows, at least 10): k = 3 with 40 rows (0.8%).',
  );
  const small = [fit(2, { silhouette: 0.5, sizes: [196, 4] }), fit(3, { silhouette: 0.7, sizes: [190, 6, 4] })];
  assert.equal(
    recommend('fuzzy', small, 200, 3).reason,
    'k = 3 has the highest silhouette (0.7000) of the fits with stability ARI ≥ 0.8; its smallest cluster holds only 4 rows (2.0%), under 10 rows (1% of the rows, at least 10).',
  );
  assert.throws(() => recommend('fuzzy', [], 200, 3), { message: 'no fit to recommend' });
});
