/**
 * The Neural method in a model file, and scoring rows with it: the
 * autoencoder's layers (weights in×out as Keras' Dense kernels, biases,
 * activation; the float32 values the fit computed with), the latent K-Means
 * centers (profile cluster order), and the TensorFlow.js backend that trained
 * it. Scoring runs the encoder as the fit did (the same kernels, the same
 * chunks of rows, on the same backend), so the training rows get the same
 * latent codes bit for bit, then the nearest center as the fit labels rows.
 */
import { nearestCenters } from '../kernels/kmeans';
import type { JsonObject } from '../profile/profile';
import type { RunControl } from '../progress';
import { throwIfAborted } from '../errors';
import type { AutoencoderWeights } from '../methods/autoencoder';
import type { NeuralFit } from '../methods/neuralSegmentation';
import { nested, numbers, type ModelReader } from './modelFile';

type Activation = 'relu' | 'linear';
const ACTIVATIONS: readonly Activation[] = ['relu', 'linear'];
const BACKENDS = ['wasm', 'cpu'] as const;

/** The model file's Neural part. */
export function neuralModelJson(fit: NeuralFit): JsonObject {
  const { kernels, biases, architecture } = fit.weights;
  const { sizes, relu, bottleneck } = architecture;
  const layer = (l: number): JsonObject => ({
    weights: nested(kernels[l], [sizes[l], sizes[l + 1]]),
    biases: numbers(biases[l]),
    activation: relu[l] ? 'relu' : 'linear',
  });
  const layers = kernels.map((_, l) => l);
  return {
    backend: fit.backend,
    encoder: layers.slice(0, bottleneck).map(layer),
    decoder: layers.slice(bottleneck).map(layer),
    centers: nested(fit.centers, [fit.centers.length / fit.encodingDim, fit.encodingDim]),
  };
}

export interface NeuralScoringModel {
  k: number;
  /** The latent width. */
  e: number;
  backend: (typeof BACKENDS)[number];
  weights: AutoencoderWeights;
  /** k×e. */
  centers: Float64Array;
}

/** The Neural part of a model file with d features, checked: each layer's input is the previous one's output, the decoder ends at d. */
export function readNeuralModel(reader: ModelReader, d: number): NeuralScoringModel {
  const backend = reader.choice('backend', BACKENDS);
  const sizes = [d];
  const relu: boolean[] = [];
  const kernels: Float32Array[] = [];
  const biases: Float32Array[] = [];
  const readLayers = (field: string) => {
    for (const layer of reader.objects(field)) {
      const rows = sizes[sizes.length - 1];
      const first = (layer.get('weights') as unknown[] | undefined)?.[0];
      const width = Array.isArray(first) ? first.length : 0;
      if (width < 1) layer.fail('weights', `${rows} lists of numbers (one per input)`);
      kernels.push(Float32Array.from(layer.matrix('weights', rows, width)));
      biases.push(Float32Array.from(layer.vector('biases', width, () => true, 'numbers (one per output)')));
      relu.push(layer.choice('activation', ACTIVATIONS) === 'relu');
      sizes.push(width);
    }
  };
  readLayers('encoder');
  const bottleneck = kernels.length;
  const e = sizes[bottleneck];
  readLayers('decoder');
  if (sizes[sizes.length - 1] !== d) reader.fail('decoder', `layers whose last has ${d} outputs (one per feature)`);
  const list = reader.get('centers');
  const k = Array.isArray(list) ? list.length : 0;
  if (k < 2) reader.fail('centers', `at least 2 lists of ${e} numbers (one per cluster)`);
  return { k, e, backend, weights: { architecture: { sizes, relu, bottleneck }, kernels, biases }, centers: reader.matrix('centers', k, e) };
}

export interface NeuralScores {
  labels: Int32Array;
  /** Euclidean distance of each row's latent code to its cluster's center. */
  distances: Float64Array;
  /** n×e latent codes. */
  latent: Float64Array;
  /** n×d reconstructions, when asked for. */
  reconstructed: Float64Array | null;
  warnings: string[];
}

/** Latent codes (and reconstructions, with `reconstruct`) of the rows of z (n×d, standardised), and each row's nearest center. */
export async function scoreNeural(
  scoring: NeuralScoringModel,
  z: Float64Array,
  n: number,
  reconstruct: boolean,
  control: RunControl = {},
): Promise<NeuralScores> {
  const [{ Autoencoder }, { selectBackend }] = await Promise.all([import('../methods/autoencoder'), import('../methods/tfBackend')]);
  const selection = await selectBackend(scoring.backend === 'cpu' ? 'cpu' : 'auto');
  throwIfAborted(control.signal);
  const warnings =
    selection.backend === scoring.backend
      ? []
      : [
          'The model was trained on the WebAssembly backend, which cannot be used here, so the rows were encoded on the CPU backend: ' +
            "their latent codes can differ from the training's in the last digits.",
        ];
  const model = Autoencoder.fromWeights(scoring.weights);
  let latent: Float64Array;
  let reconstructed: Float64Array | null = null;
  try {
    latent = model.encode(z, n);
    throwIfAborted(control.signal);
    if (reconstruct) reconstructed = model.predict(z, n);
  } finally {
    model.dispose();
  }
  const { labels, distances } = nearestCenters(latent, n, scoring.e, scoring.centers, scoring.k);
  return { labels, distances, latent, reconstructed, warnings };
}
