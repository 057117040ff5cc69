import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkNamed, runTask, verdicts } from '../helpers/run-task-in-process.ts';

describe('preflight task', () => {
  it('passes on this machine with the built-in fixtures: a line per check', async () => {
    const run = await runTask(['preflight']);
    expect(run.exitCode, run.output).toBe(0);
    expect(Object.keys(verdicts(run.report))).toEqual(['node and tools', 'worker command (cpu)', 'model file', 'ports', 'SQLite registry', 'disk space for logs']);
    expect(checkNamed(run.report, 'SQLite registry').detail).toMatch(/SQLite 3\.\d+/);
  }, 60_000);

  it('exit 3 with a fix for each missing thing: model file, GPU build, a taken port', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const run = await runTask(['preflight', '--model', '/nonexistent/model.gguf', '--backend', 'cpu,cuda', '--port', String(port)]);
      expect(run.exitCode).toBe(3);
      expect(checkNamed(run.report, 'model file')).toMatchObject({ verdict: 'fail', code: 'MODEL_NOT_FOUND' });
      expect(checkNamed(run.report, 'worker command (cpu)').verdict).toBe('pass');
      expect(checkNamed(run.report, 'worker command (cuda)')).toMatchObject({ verdict: 'fail', code: 'ENGINE_BUILD_MISSING', hint: 'run: npm run engine:install -- --gpu cuda' });
      expect(checkNamed(run.report, 'ports')).toMatchObject({ verdict: 'fail', code: 'PORT_IN_USE' });
      expect(run.output).toContain('fix: ');
    } finally {
      server.close();
    }
  }, 60_000);

  it('a registry that is not a database fails the SQLite check with exit 3', async () => {
    const run = await runTask(['preflight', '--registry', 'package.json']);
    expect(run.exitCode).toBe(3);
    expect(checkNamed(run.report, 'SQLite registry')).toMatchObject({ verdict: 'fail', code: expect.stringMatching(/^REGISTRY_/) });
  }, 60_000);
});
