/**
 * Which TensorFlow.js backend trains the autoencoder. Both download nothing
 * at install time: WebAssembly (@tensorflow/tfjs-backend-wasm, whose .wasm
 * binaries ship inside the npm package) and plain JavaScript
 * (@tensorflow/tfjs-backend-cpu). 'auto' takes WebAssembly when its binaries
 * are found and it provides every kernel training runs, otherwise the CPU
 * backend (with a warning in the profile). Only tfjs-core and the two
 * backends are imported: never the umbrella package, and not tfjs-layers (the
 * training step in autoencoder.ts needs no layers and no gradient registry).
 *
 * Where the .wasm files are looked for, in order:
 *   1. $SEGMENT_WASM_DIR, when set (and then only there);
 *   2. beside the running bundle (scripts/build.mjs copies them into dist/);
 *   3. the installed package, node_modules/@tensorflow/tfjs-backend-wasm/dist/.
 *
 * A backend is process-wide state in TensorFlow.js: runs in one process use
 * the backend of the latest selectBackend call, so run them one at a time.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
// Named imports, not bare ones: the packages' "sideEffects" lists leave out their Node bundles, so a
// bundler would drop `import '@tensorflow/tfjs-backend-cpu'` and with it the backend's registration.
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { SegmentError } from '../errors';
import type { BackendChoice } from '../../shared/methods';

export type BackendName = 'wasm' | 'cpu';

/** The binaries the WebAssembly backend loads in Node (SIMD when the runtime has it, else the plain one). */
export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'] as const;

/**
 * Every kernel a training step, an encode and a predict dispatch (autoencoder.ts
 * calls them by name; test/unit/autoencoder.test.ts records them with
 * tf.profile on both backends and checks this list against it).
 */
export const TRAINING_KERNELS: readonly string[] = ['_FusedMatMul', 'BatchMatMul', 'Transpose', 'Sub', 'Sum', 'Step', 'Multiply'];

export interface BackendSelection {
  backend: BackendName;
  /** The backend package's version (the TensorFlow.js release). */
  version: string;
  /** Why 'auto' did not get WebAssembly, for the profile's warnings. */
  warnings: string[];
}

let quiet = false;
let wasmPathsSet = false;

/** The folder holding the .wasm binaries, or null. */
export function wasmDirectory(): string | null {
  const override = process.env.SEGMENT_WASM_DIR;
  const candidates = override ? [override] : [__dirname, packageWasmDirectory()];
  return candidates.find((dir) => dir !== null && WASM_FILES.every((f) => existsSync(join(dir, f)))) ?? null;
}

function packageWasmDirectory(): string | null {
  try {
    // main is dist/tf-backend-wasm.node.js, beside the binaries.
    return dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  } catch {
    return null;
  }
}

/** Kernels of TRAINING_KERNELS that `backend` does not register. */
export function missingKernels(backend: string, kernels: readonly string[] = TRAINING_KERNELS): string[] {
  return kernels.filter((name) => tf.getKernel(name, backend) === undefined);
}

async function tryWasm(): Promise<string | null> {
  const dir = wasmDirectory();
  if (dir === null) {
    return `the WebAssembly binaries (${WASM_FILES.join(', ')}) were not found beside the program or in node_modules`;
  }
  if (!wasmPathsSet) {
    setWasmPaths(join(dir, '/'));
    wasmPathsSet = true;
  }
  if (!(await tf.setBackend('wasm'))) return 'the WebAssembly backend failed to start';
  const missing = missingKernels('wasm');
  if (missing.length > 0) return `the WebAssembly backend lacks the kernels ${missing.join(', ')}`;
  return null;
}

/** Makes `choice` the active backend; 'auto' falls back from WebAssembly to the CPU backend. */
export async function selectBackend(choice: BackendChoice): Promise<BackendSelection> {
  if (!quiet) {
    // PROD silences TensorFlow.js's console warnings (e.g. the "install tfjs-node" banner).
    tf.env().set('PROD', true);
    quiet = true;
  }
  if (choice !== 'cpu') {
    const problem = await tryWasm();
    if (problem === null) return { backend: 'wasm', version: version_wasm, warnings: [] };
    if (choice === 'wasm') {
      throw new SegmentError(
        'BACKEND_UNAVAILABLE',
        `The WebAssembly backend cannot be used: ${problem}. Use backend "cpu" (slower) or "auto".`,
      );
    }
    await useCpu();
    return {
      backend: 'cpu',
      version: version_cpu,
      warnings: [`The autoencoder was trained on the slower CPU backend because ${problem}.`],
    };
  }
  await useCpu();
  return { backend: 'cpu', version: version_cpu, warnings: [] };
}

async function useCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error('the TensorFlow.js CPU backend is not registered');
}

/** tf.memory().numTensors: tensors alive in the engine (tests check nothing leaks). */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
