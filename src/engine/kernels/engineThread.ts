/**
 * The entry of an engine thread (src/engine/kernels/threads.ts starts it): dist/engineThread.js
 * beside the bundles, or this file through tsx when running from source. It
 * builds the task's chunk runner over the shared buffers it is given and
 * serves passes until the pool closes.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { serveRange, type RangeThreadSetup } from '../data/csvRanges';
import { fcmChunkRunner } from './fcm';
import { gmmChunkRunner } from './gmmKernels';
import { silhouetteChunkRunner } from './metrics';
import { rowTailsChunkRunner } from '../profile/rowTails';
import { serveChunks, type EngineThreadData } from './threads';

if (!isMainThread) {
  const data = workerData as EngineThreadData;
  switch (data.task.kind) {
    case 'gmm':
      serveChunks(data.control, gmmChunkRunner(data.task.setup));
      break;
    case 'fcm':
      serveChunks(data.control, fcmChunkRunner(data.task.setup));
      break;
    case 'silhouette':
      serveChunks(data.control, silhouetteChunkRunner(data.task.setup));
      break;
    case 'rowTails':
      serveChunks(data.control, rowTailsChunkRunner(data.task.setup));
      break;
    case 'csvRange':
      void serveRange(data.task.setup as RangeThreadSetup);
      break;
  }
}
