/**
 * The Neural method's training, apart from K-Means: it does not depend on the
 * number of clusters, so a sweep trains once per seed and gives fitNeural the
 * training; the fit is then the same, bit for bit, as the one that trains.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NEURAL_DEFAULTS, fitNeural, trainNeural, type NeuralOptions } from '../../src/engine/methods/neuralSegmentation';
import { blobs } from '../helpers/data';
import { assertIdentical } from '../helpers/threads';

const data = blobs(
  [
    [0, 0, 0, 0],
    [5, 0, 0, 0],
    [0, 5, 5, 0],
  ],
  40,
  0.8,
  3,
);
const options: NeuralOptions = { ...NEURAL_DEFAULTS, epochs: 15, batchSize: 16, threads: 1 };

test('fitNeural with a training given equals fitNeural that trains, for every k', async () => {
  const training = await trainNeural(data, { ...options, nClusters: 2 });
  for (const k of [2, 3, 5]) {
    const own = await fitNeural(data, { ...options, nClusters: k });
    const given = await fitNeural(data, { ...options, nClusters: k }, {}, training);
    assertIdentical(given.labels, own.labels, `k ${k} labels`);
    assertIdentical(given.latent, own.latent, `k ${k} latent`);
    assertIdentical(given.centers, own.centers, `k ${k} centers`);
    assertIdentical(given.distances, own.distances, `k ${k} distances`);
    assertIdentical(given.memberMeans, own.memberMeans, `k ${k} member means`);
    assert.equal(given.reconstructionError, own.reconstructionError);
    assert.deepEqual(given.lossHistory, own.lossHistory);
    assert.deepEqual(given.warnings, own.warnings);
    assert.deepEqual(given.kmeans, own.kmeans);
  }
});

test('a training made with other options is refused', async () => {
  const training = await trainNeural(data, { ...options, nClusters: 2 });
  for (const other of [{ randomSeed: 7 }, { epochs: 14 }, { batchSize: 8 }, { learningRate: 0.01 }, { encodingDim: 3 }]) {
    await assert.rejects(fitNeural(data, { ...options, ...other, nClusters: 3 }, {}, training), {
      message: 'fitNeural: the training given was made with other options',
    });
  }
  // K-Means' own options are not the training's.
  await fitNeural(data, { ...options, nClusters: 3, nInit: 2, maxIter: 50, tol: 1e-3 }, {}, training);
});
