import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import getPort from 'get-port';
import { parseCommandTemplate } from '../lib/cli/command-template.ts';
import { usageError } from '../lib/errors/harness-error.ts';
import { checkReferenceEngine } from '../lib/preflight/engine-check.ts';
import { checkModelFile } from '../lib/preflight/model-check.ts';
import { checkPortsFree } from '../lib/preflight/ports-check.ts';
import { resolveExecutable } from '../lib/preflight/program-check.ts';
import { checkDiskSpace, checkSqlite, checkToolchain } from '../lib/preflight/toolchain-check.ts';
import { userCwd } from '../lib/cli/user-cwd.ts';
import { stateDefault } from '../lib/state/state-dir.ts';
import type { TaskDefinition } from '../runner/task-definition.ts';

const ENGINES_NODE = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } }).engines.node.replace(/^>=\s*/, '');


export const preflightTask: TaskDefinition = {
  name: 'preflight',
  summary: 'check what the other tasks need: Node and tools, worker command, model file, ports, SQLite, disk space, GPU build',
  description: [
    'Checks everything the e2e flow and worker:test need before they start anything, a ✅/❌ line',
    'each with a fix: Node and tool versions, the worker binary/command (or the reference worker and',
    'its llama.cpp build for each --backend: a GPU backend needs its GPU build), the model file (a',
    'valid GGUF), ports (named ones free; loopback binding works), the SQLite registry, disk space for',
    'logs. Exit 3 when something is missing. worker:test and e2e run the same checks (tasks/lib/preflight).',
  ].join('\n'),
  flags: [
    { name: 'model', type: 'string', valueName: 'path.gguf', defaultLabel: 'the generated tiny llama (generated if missing)', description: 'model file to validate' },
    { name: 'backend', type: 'list', choices: ['cpu', 'cuda', 'vulkan', 'metal'], default: ['cpu'], description: 'backends to check the engine build of' },
    { name: 'worker-bin', type: 'string', valueName: 'path', description: 'your worker binary: must exist and be executable' },
    { name: 'worker-cmd', type: 'string', valueName: 'command', description: 'your worker command line: its program must resolve' },
    { name: 'port', type: 'strings', valueName: 'port', description: 'a port that must be free on 127.0.0.1 (repeatable), e.g. the seed defaults 8080, 18081, 19200' },
    { name: 'registry', type: 'string', valueName: 'path|url', default: () => stateDefault('registry', 'workers.db'), defaultLabel: '<state dir>/registry/workers.db', description: 'worker registry to open (created if missing)' },
    { name: 'log-dir', type: 'string', valueName: 'dir', default: () => stateDefault(), defaultLabel: '<state dir>', description: 'where logs and reports go' },
    { name: 'min-disk', type: 'number', min: 0, default: 100, valueName: 'MB', description: 'free space needed in --log-dir' },
  ],
  examples: ['npm run task -- preflight', 'npm run task -- preflight --model ./models/tinyllama.gguf --backend cpu,cuda --port 8080 --port 18081'],
  async run(context, flags) {
    const { report, out } = context;
    const cwd = userCwd();
    const bin = flags.optionalString('worker-bin');
    const cmd = flags.optionalString('worker-cmd');
    if (bin && cmd) throw usageError('--worker-bin and --worker-cmd both name the worker; pass one');
    const ports = flags.list('port').map((raw) => {
      const port = Number(raw);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw usageError(`--port must be a port number (1–65535), got '${raw}'`);
      return { port, flag: '--port' };
    });
    out.step('Preflight');
    await report.check('node and tools', async () => checkToolchain(ENGINES_NODE));
    for (const backend of flags.list('backend')) {
      await report.check(`worker command (${backend})`, async () => {
        if (bin) return `${await resolveExecutable(resolve(cwd, bin), '--worker-bin')}`;
        if (cmd) return `${await resolveExecutable(parseCommandTemplate(cmd, 'worker-cmd')[0] as string, '--worker-cmd')}`;
        return `reference worker, ${checkReferenceEngine(backend)}`;
      });
    }
    const model = flags.optionalString('model');
    await report.check('model file', async () => {
      const checked = await checkModelFile(model === undefined ? undefined : resolve(cwd, model));
      return { detail: checked.detail, evidence: { model: checked.info } };
    });
    await report.check('ports', async () => {
      const picked = await getPort({ host: '127.0.0.1' });
      return `${ports.length ? `${await checkPortsFree(ports)}; ` : ''}loopback binding works (got free port ${picked} from get-port)`;
    });
    await report.check('SQLite registry', async () => checkSqlite(flags.string('registry'), cwd));
    await report.check('disk space for logs', async () => checkDiskSpace(resolve(cwd, flags.string('log-dir')), flags.number('min-disk')));
  },
};
