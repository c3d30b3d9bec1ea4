// Runs before `npm test` (npm's pretest): makes sure the real browser and the real VS Code
// the tests drive are on this machine, so `npm test` works on a fresh clone.
// - Debian's Chromium and the Kerberos headers code-server compiles against: apt, when we
//   are root (as on CI and the project's machines); otherwise it says what to run.
// - Node 24 and code-server: npm packages in git-ignored folders (tools/vscode-host/install.sh;
//   about 2 minutes the first time, a few seconds after).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`ensure-test-host: "${command} ${args.join(' ')}" failed (exit ${result.status}).`);
    process.exit(1);
  }
}

const haveChromium = existsSync('/usr/bin/chromium');
const haveKerberos = existsSync('/usr/include/gssapi/gssapi.h') || existsSync('/usr/include/gssapi.h');
if (!haveChromium || !haveKerberos) {
  const packages = ['chromium', 'libkrb5-dev'];
  if (process.getuid?.() === 0) {
    console.log(`ensure-test-host: installing ${packages.join(' and ')} from Debian's packages`);
    run('apt-get', ['update']);
    run('apt-get', ['install', '-y', ...packages]);
  } else {
    console.error(
      `ensure-test-host: the browser tests need Debian's ${packages.join(' and ')}. Install them once:\n` +
        `  sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`,
    );
    process.exit(1);
  }
}
run('bash', ['tools/vscode-host/install.sh']);
