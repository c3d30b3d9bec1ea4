// Runs before `npm test` (npm's pretest): makes sure the real browser and the real VS Code
// the tests drive are on this machine, so `npm test` works on a fresh clone.
// - Debian's Chromium and the Kerberos headers code-server compiles against: apt, when we
//   are root (as on CI and the project's machines); otherwise it says what to run.
// - Node 24 and code-server: npm packages in git-ignored folders (tools/vscode-host/install.sh;
//   about 3 minutes the first time, a second after).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

// What we keep of the outer npm's settings for the installs in tools/vscode-host: how to
// reach the registry. With Node 24 first on PATH the inner npm would look for its global
// config file beside Node 24, so without globalconfig the machine's one (its cafile, say)
// would be lost; the others are kept in case they were given on the outer command line.
const KEEP = /^npm_config_(registry|(https?_)?proxy|noproxy|cafile|ca|strict_ssl|userconfig|globalconfig|cache|offline|prefer_offline)$/i;

// `npm test` runs us as its pretest and puts its own state in the environment: every
// setting as npm_config_* (npm_config_user_agent names Node 20, and code-server's
// postinstall takes the Node version from it: "code-server currently requires node v24"),
// the package as npm_package_*, the script as npm_lifecycle_*, and npm_command,
// npm_execpath, npm_node_execpath, NODE, INIT_CWD. The inner npm, run with Node 24, must
// work it all out afresh, as in a terminal. (The node_modules/.bin folders npm puts on PATH
// stay: the inner npm adds them again, tools/vscode-host being inside the project.)
function withoutOuterNpm(env) {
  const clean = { ...env };
  if (clean.NODE !== undefined && clean.NODE === clean.npm_node_execpath) delete clean.NODE;
  for (const name of Object.keys(clean)) {
    if ((/^npm_/i.test(name) && !KEEP.test(name)) || name === 'INIT_CWD') delete clean[name];
  }
  return clean;
}

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`ensure-test-host: "${command} ${args.join(' ')}" failed (exit ${result.status}).`);
    process.exit(1);
  }
}

// Debian packages the tests drive, each with a file that tells it is installed. Add a row
// when a test needs another real component; a missing one is installed, never skipped.
const DEBIAN_PACKAGES = [
  { name: 'chromium', present: ['/usr/bin/chromium'] },
  { name: 'libkrb5-dev', present: ['/usr/include/gssapi/gssapi.h', '/usr/include/gssapi.h'] },
  // The SQL tests start a real server (initdb, pg_ctl); its folder names the major version: 13 on Debian 11, 15 on 12, 17 on 13.
  { name: 'postgresql', present: ['13', '14', '15', '16', '17', '18'].map((v) => `/usr/lib/postgresql/${v}/bin/initdb`) },
  // The Dask scale-out job's test runs the generated script on a LocalCluster (test/scaleout).
  { name: 'python3-numpy', present: ['/usr/lib/python3/dist-packages/numpy/__init__.py'] },
  { name: 'python3-pandas', present: ['/usr/lib/python3/dist-packages/pandas/__init__.py'] },
  { name: 'python3-dask', present: ['/usr/lib/python3/dist-packages/dask/__init__.py'] },
  { name: 'python3-distributed', present: ['/usr/lib/python3/dist-packages/distributed/__init__.py'] },
];

const missing = DEBIAN_PACKAGES.filter((p) => !p.present.some((file) => existsSync(file))).map((p) => p.name);
if (missing.length > 0) {
  if (process.getuid?.() === 0) {
    console.log(`ensure-test-host: installing ${missing.join(', ')} from Debian's packages`);
    run('apt-get', ['update']);
    run('apt-get', ['install', '-y', ...missing], { ...process.env, DEBIAN_FRONTEND: 'noninteractive' });
  } else {
    console.error(
      `ensure-test-host: the tests need Debian's ${missing.join(', ')}. Install them once:\n` +
        `  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`,
    );
    process.exit(1);
  }
}
run('bash', ['tools/vscode-host/install.sh'], withoutOuterNpm(process.env));
