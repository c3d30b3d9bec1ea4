/** Drives the extension's background process (dist/worker.js) as the extension does: one request, every message it answers with. */
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FromWorker, InspectRequest, RunRequest } from '../../src/shared/workerProtocol';

const BUNDLE = join(__dirname, '..', '..', 'dist', 'worker.js');

export async function runWorker(request: RunRequest | InspectRequest): Promise<FromWorker[]> {
  assert.ok(existsSync(BUNDLE), 'dist/worker.js exists (npm test builds it first; or run npm run build)');
  const worker = fork(BUNDLE, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const messages: FromWorker[] = [];
  const ended = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      messages.push(message);
      if (message.type === 'done' || message.type === 'error' || message.type === 'inspected') worker.kill();
    });
    worker.on('exit', () => resolve());
    worker.on('error', reject);
  });
  worker.send(request);
  await ended;
  return messages;
}
