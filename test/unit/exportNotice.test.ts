/** The notification after an export (src/extension/exportNotice.ts): the headline, then the run's first warning in full. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportNotice } from '../../src/extension/exportNotice';
import type { MethodResult } from '../../src/shared/workerProtocol';
import type { MethodKey } from '../../src/shared/methods';

function result(method: MethodKey, silhouette: number, warnings: string[]): MethodResult {
  return {
    method,
    json: `/d/${method}.json`,
    yaml: `/d/${method}.yaml`,
    assignments: `/d/${method}.csv`,
    model: `/d/${method}_model.json`,
    nSamples: 1234,
    nClusters: 4,
    nFeatures: 5,
    metrics: { silhouette_score: silhouette },
    warnings,
  };
}

const DROPPED =
  '312 of 1,000 rows (31.2%) were dropped for a missing value in a clustered column: "income" in 212 rows and "age" in 130 rows. ' +
  "Fill the gaps with each column's median instead (segment.missingValues = median), or leave the sparsest columns out.";
const COLLAPSED = 'The variance of "is_active" in cluster_2 collapsed to the reg_covar floor (1e-6): …';

test('no warning: an information with the silhouette', () => {
  assert.deepEqual(exportNotice('shop.csv', [result('gmm', 0.41234, [])]), {
    text: 'Segment: GMM profile of shop.csv: silhouette 0.412 (4 clusters, 1,234 rows).',
    severity: 'info',
    warnings: [],
  });
});

test('a data-quality warning is shown in full, as a warning', () => {
  const notice = exportNotice('shop.csv', [result('gmm', 0.41234, [DROPPED])]);
  assert.equal(notice.severity, 'warning');
  assert.equal(notice.text, `Segment: GMM profile of shop.csv: silhouette 0.412 (4 clusters, 1,234 rows). Warning: ${DROPPED} (also in Segment: Show Log)`);
});

test('Export All: the data\'s warning once, the others counted', () => {
  const notice = exportNotice('shop.csv', [result('gmm', 0.4, [DROPPED, COLLAPSED]), result('fuzzy', 0.3, [DROPPED]), result('neural', 0.2, [DROPPED])]);
  assert.deepEqual(notice.warnings, [DROPPED, COLLAPSED]);
  assert.equal(
    notice.text,
    `Segment: 3 profiles of shop.csv: silhouette GMM 0.400, Fuzzy C-Means 0.300, Neural Network 0.200. Warning: ${DROPPED} (one more warning: see Segment: Show Log)`,
  );
});
