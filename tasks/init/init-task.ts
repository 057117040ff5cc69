import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findConfigFile } from '../lib/config/config-file.ts';
import { usageError } from '../lib/errors/harness-error.ts';
import type { TaskDefinition } from '../runner/task-definition.ts';

/** The starter config: every task's most used settings, commented out, so the built-in fixtures stay the default. */
export const STARTER_MJS = `// hivecheck settings for this repository. Every key is a task's flag without "--" (see
// \`npx hivecheck <task> --help\`); a flag given on the command line overrides the value here.
// Relative paths resolve from the folder you run hivecheck in. Commented out = the built-in fixture.
// A typo in a key or a value of the wrong type is exit 2, naming the key.

/** @type {import('hivecheck').HivecheckConfig} */
export default {
  defaults: {
    // 'state-dir': '.hivecheck',   // runs, models and the engine go here
    // 'log-lines': 30,             // log tail shown per process when something fails
  },
  'worker:test': {
    // 'worker-cmd': './target/release/llm-worker --port {port} --hive-url {hiveUrl} --model {model}',
    // profile: 'seed',             // how the worker speaks: seed, v1, llama-server (--profiles for your own)
    // model: './models/tinyllama.gguf',
    // timeout: 30,                 // seconds to wait for health
  },
  'status-protocol:test': {
    // 'server-cmd': 'python -m my_policy.serve --port {port}',
    // protocol: 'policy',          // or 'training'
  },
  'canary:check': {
    // kind: 'worker',
    // baseline: './llm-worker-v1 --port {port} --hive-url {hiveUrl} --model {model}',
    // canary: './llm-worker-v2 --port {port} --hive-url {hiveUrl} --model {model}',
  },
  e2e: {
    // 'hive-cmd': './target/debug/rbee-hive daemon --port {port}',
    // 'keeper-cmd': './target/debug/rbee infer --node {node} --model {modelRef} --prompt {prompt}',
  },
};
`;

export const STARTER_JSON = `${JSON.stringify(
  {
    $schema: './node_modules/hivecheck/hivecheck.config.schema.json',
    defaults: {},
    'worker:test': {},
    'status-protocol:test': {},
    'canary:check': {},
    e2e: {},
  },
  null,
  2,
)}\n`;

export const initTask: TaskDefinition = {
  name: 'init',
  kind: 'command',
  summary: 'write a commented starter config (hivecheck.config.mjs, or --format json) into this folder',
  description: [
    'Writes a starter hivecheck.config.mjs (commented: every setting shown, none set, so the built-in',
    'fixtures stay the default) or, with --format json, hivecheck.config.json pointing at the shipped',
    'JSON Schema for editors. Refuses to overwrite a config file unless --force.',
  ].join('\n'),
  flags: [
    { name: 'format', type: 'string', choices: ['mjs', 'json'], default: 'mjs', description: 'which kind of file to write' },
    { name: 'force', type: 'boolean', description: 'overwrite an existing config file' },
  ],
  examples: ['npm run task -- init', 'npm run task -- init --format json'],
  async run(context, flags) {
    const format = flags.string('format');
    const path = join(context.cwd, `hivecheck.config.${format}`);
    const existing = findConfigFile(context.cwd);
    if (existing && existing.startsWith(context.cwd) && !flags.boolean('force')) {
      throw usageError(`a config file is already there: ${existing}`, 'edit it, or pass --force to overwrite it', 'CONFIG_EXISTS');
    }
    if (existsSync(path) && !flags.boolean('force')) throw usageError(`${path} already exists`, 'pass --force to overwrite it', 'CONFIG_EXISTS');
    writeFileSync(path, format === 'json' ? STARTER_JSON : STARTER_MJS);
    context.out.print(`wrote ${path}: set what differs from the built-in fixtures, then run: npx hivecheck worker:test`);
  },
};
