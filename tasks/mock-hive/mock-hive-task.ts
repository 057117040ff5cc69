import getPort from 'get-port';
import { MockHive, DEFAULT_MAX_BODY_BYTES, isLoopback } from '../../mock-hive/mock-hive-server.ts';
import { newHiveToken } from '../worker-test/remote-plan.ts';
import { installSignalTeardown, onShutdown } from '../lib/process/guard-registry.ts';
import { resolveProfile } from '../lib/worker/profile-store.ts';
import { hiveLauncher } from '../e2e/hive-launcher.ts';
import type { TaskDefinition } from '../runner/task-definition.ts';

/** The mock hive on its own, for testing a worker by hand: prints each heartbeat as it arrives. */
export const mockHiveTask: TaskDefinition = {
  name: 'mock-hive',
  kind: 'service',
  summary: 'run the mock hive by itself: print worker heartbeats, spawn workers on request, until Ctrl-C',
  description: [
    'Starts the mock hive on 127.0.0.1 and prints every heartbeat it accepts or rejects:',
    '  POST /heartbeat/workers  {"worker_id": "...", "state": "Loading" | "Ready" | ...}   (seed protocol)',
    '  POST /v1/heartbeat       {"worker_id": "...", "timestamp": "<RFC 3339>", "health_status": "healthy"}',
    '  GET  /v1/health          the hive itself;   GET /v1/heartbeats   everything received, as JSON',
    '  POST /v1/workers/spawn   {"model_path", "backend", "device", "model_ref"?, "worker_id"?, "profile"?, "command"?}',
    '                           starts a worker (the reference worker for the profile, or the argv template in command)',
    '  GET  /v1/workers[/<id>]  workers and their states (heartbeats update them);  POST /v1/workers/<id>/stop',
    'Point your worker at it with --hive-url http://127.0.0.1:<port>. Stops on Ctrl-C.',
  ].join('\n'),
  flags: [
    { name: 'bind', type: 'string', valueName: 'address', default: '127.0.0.1', description: 'address to listen on (127.0.0.x for simulated nodes); beyond loopback the hive takes only requests with a per-run token, printed once' },
    { name: 'worker-arg', type: 'strings', valueName: 'arg', description: 'extra argument for every worker this hive spawns (repeatable; e.g. --fault=crash-at-start for a failing node)' },
    { name: 'port', type: 'number', integer: true, min: 1, max: 65535, defaultLabel: '19200, or a free port if 19200 is taken', description: 'port to listen on (127.0.0.1)' },
    { name: 'max-body', type: 'number', integer: true, min: 64, default: DEFAULT_MAX_BODY_BYTES, valueName: 'bytes', description: 'largest heartbeat body accepted' },
    { name: 'log-file', type: 'string', valueName: 'path', description: 'also append heartbeat lines to this file' },
    { name: 'profile', type: 'string', default: 'seed', description: 'worker profile for spawn requests that name none' },
    { name: 'profiles', type: 'string', valueName: 'file.json', description: 'extra worker profiles spawn requests may name' },
    { name: 'heartbeat-interval', type: 'number', min: 0.05, default: 1, valueName: 'seconds', description: 'heartbeat interval given to spawned workers' },
  ],
  examples: ['npm run task -- mock-hive', 'npm run task -- mock-hive --port 19300 --log-file hive.log'],
  async run(context, flags) {
    const host = flags.string('bind');
    const port = flags.optionalNumber('port') ?? (await getPort({ port: 19200, host }));
    const token = isLoopback(host) ? undefined : newHiveToken();
    const profilesFile = flags.optionalString('profiles');
    const hive = await MockHive.start({
      port,
      host,
      ...(token ? { token } : {}),
      portFlag: '--port',
      maxBodyBytes: flags.number('max-body'),
      logFile: flags.optionalString('log-file'),
      onLine: (line) => context.out.print(line),
      pool: { launcher: hiveLauncher({ profile: resolveProfile(flags.string('profile'), profilesFile), profilesFile, heartbeatIntervalS: flags.number('heartbeat-interval'), threads: 1, contextSize: 256, extraArgs: flags.list('worker-arg') }), start: (options) => context.start(options) },
    });
    context.out.print(`🐝 mock hive listening on ${hive.url}  (worker flag: --hive-url ${hive.url}; Ctrl-C to stop)`);
    if (token) context.out.reveal(`🔑 hive token (printed only here): ${token}  — every request but GET /v1/health must carry "Authorization: Bearer <token>" (worker flag: --hive-token)`);
    installSignalTeardown();
    onShutdown(async () => {
      await hive.close();
      const workers = hive.log.workerIds();
      context.out.print(`mock hive stopped: ${hive.log.count()} heartbeats from ${workers.length} worker(s)${workers.length ? ` (${workers.join(', ')})` : ''}, ${hive.log.rejected().length} rejected`);
    });
    await new Promise<never>(() => undefined); // runs until a signal ends the process
  },
};
