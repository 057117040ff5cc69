import { describe, expect, it } from 'vitest';
import { liveGuards } from '../../tasks/lib/process/guard-registry.ts';
import { runCli } from '../../tasks/runner/run-cli.ts';
import { TASKS } from '../../tasks/task-table.ts';
import { repoPath } from '../helpers/fixture-path.ts';

async function run(args: string[]): Promise<{ code: number; output: string }> {
  let output = '';
  const sink = { write: (text: string) => (output += text), isTTY: false };
  const code = await runCli(['canary:check', ...args], TASKS, { stdout: sink, stderr: sink, env: { ...process.env, CI: 'true' }, cwd: repoPath('') });
  return { code, output };
}

const BOT = 'node bot.js --url {url}';

describe('canary:check usage errors: exit 2 with a reason, nothing started', () => {
  it.each([
    [['--aa', '--baseline', BOT, '--canary', BOT], /--aa runs the baseline against itself; it cannot be combined with --canary/],
    [['--aa', '--canary-fault', 'keepalive-off'], /--canary-fault would make the two differ/],
    [['--canary', BOT], /--canary needs --baseline/],
    [['--baseline', BOT], /--baseline needs --canary \(or --aa/],
    [['--baseline', BOT, '--canary', BOT, '--canary-fault', 'keepalive-off'], /--canary-fault changes the built-in canary/],
    [['--canary-fault', 'slow-tokens'], /--canary-fault slow-tokens does not apply to --kind ws-client/],
    [['--kind', 'worker', '--idle', '1'], /--idle applies to --kind ws-client and ws-server only/],
    [['--idle', '1', '--soak', '8'], /--idle and --soak both set the idle time/],
    [['--baseline', BOT, '--canary', BOT, '--ping-interval', '1'], /--ping-interval sets up the built-in bots/],
    [['--starts', '5'], /--starts applies to --kind worker and policy only/],
    [['--baseline', 'node bot.js', '--canary', BOT], /--baseline must contain \{url\}/],
    [['--baseline', BOT, '--canary', 'node bot.js --url {url} --port {port}'], /--canary uses \{port\}, which --kind ws-client does not fill/],
    [['--baseline', 'node bot.js --url {url} | tee log', '--canary', BOT], /--baseline is run without a shell/],
    [['--samples', '3'], /--samples must be at least 5/],
    [['--replicas', '2'], /--replicas applies to --kind worker only/],
    [['--kind', 'policy', '--replicas', '2'], /--replicas applies to --kind worker only/],
    [['--kind', 'worker', '--samples', '8'], /--samples 8 with --replicas 5 leaves fewer than 3 samples per round/],
    [['--kind', 'worker', '--replicas', '0'], /--replicas must be at least 1/],
    [['--kind', 'grpc'], /--kind must be one of ws-client, ws-server, worker, policy/],
    [['--kind', 'ws-client', '--ws-path', '/chat'], /--ws-path applies to --kind ws-server only/],
    [['--kind', 'ws-server', '--profile', 'llama-server'], /--profile applies to --kind worker only \(it is worker:test's flag, taken as it is\)/],
    [['--kind', 'policy', '--model', 'x.gguf'], /--model applies to --kind worker only/],
    [['--kind', 'ws-server', '--baseline', 'node svc.js --url {url}', '--canary', 'node svc.js --port {port}'], /--baseline must contain \{port\}/],
  ])('%j', async (args, reason) => {
    const { code, output } = await run(args);
    expect(code).toBe(2);
    expect(output).toMatch(reason);
    expect(liveGuards()).toEqual([]);
  });

  it('lists canary:check in help, with its exit codes', async () => {
    let output = '';
    const sink = { write: (text: string) => (output += text), isTTY: false };
    expect(await runCli(['canary:check', '--help'], TASKS, { stdout: sink, stderr: sink, env: {}, cwd: repoPath('') })).toBe(0);
    expect(output).toMatch(/0 promote, 1 rollback, 4 hold/);
    expect(output).toMatch(/--replicas <k>.*fresh baseline and canary worker/);
    // worker:test's own flag definitions, taken by --kind worker
    expect(output).toMatch(/--profile .*worker: worker profile: seed, v1, llama-server, openai/);
    expect(output).toMatch(/--header .*worker: extra HTTP header/);
    expect(output).toMatch(/--min-effect-ms <ms>.*absolute floor/);
  });
});
