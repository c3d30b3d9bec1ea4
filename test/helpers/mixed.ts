/** The mixed fixture (tools/golden/make_mixed_fixture.py) and the run its golden labels come from (tools/golden/mixed_labels.ts). */
import { join } from 'node:path';

export const MIXED_FIXTURE = join(__dirname, '..', 'fixtures', 'csv', 'mixed-customers.csv');

export const MIXED_RUN = {
  prepare: { describe: ['satisfaction'] },
  options: { nClusters: 3, randomSeed: 42, covarianceType: 'full' as const },
};
