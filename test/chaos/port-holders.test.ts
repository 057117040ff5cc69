/**
 * The chaos script's leaked-port count: a port the run used that another process listens on now
 * (the number reused) is not a leak; one a process of the run still holds is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { portHolders, RUN_TAG_ENV, stillListening } from '../../tasks/lib/chaos/run-processes.ts';

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
});

/** A process listening on a free loopback port, with `env`; resolves with its pid and port. */
async function listener(env: Record<string, string>): Promise<{ pid: number; port: number }> {
  const child = spawn(process.execPath, ['-e', "const s = require('node:net').createServer(); s.listen(0, '127.0.0.1', () => console.log(s.address().port)); setInterval(() => {}, 1000);"], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const [line] = (await once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), 'line')) as [string];
  return { pid: child.pid as number, port: Number(line) };
}

describe('portHolders', () => {
  it('a port another process now listens on is "other", with that process named (the old count called it leaked)', async () => {
    const other = await listener({});
    expect(stillListening([other.port])).toEqual([other.port]); // what the chaos script counted as a leak
    const [holder] = portHolders([other.port], 'run-tag-1');
    expect(holder).toMatchObject({ port: other.port, owner: 'other' });
    expect(holder?.holders.map((found) => found.pid)).toEqual([other.pid]);
    expect(holder?.holders[0]?.commandLine).toContain('createServer');
  });

  it('a port a process of the run (tagged) still holds is "run": a leak', async () => {
    const tag = 'run-tag-2';
    const ours = await listener({ [RUN_TAG_ENV]: tag });
    expect(portHolders([ours.port], tag)).toMatchObject([{ port: ours.port, owner: 'run', holders: [{ pid: ours.pid }] }]);
  });

  it('a port nobody listens on any more is not listed', async () => {
    const gone = await listener({});
    const child = children.pop() as ChildProcess;
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(portHolders([gone.port], 'run-tag-3')).toEqual([]);
  });
});
