import getPort from 'get-port';
import { HarnessError } from '../errors/harness-error.ts';

export interface WantedPort {
  port: number;
  /** The flag that named it, for the fix hint. */
  flag: string;
}

async function portIsFree(port: number): Promise<boolean> {
  return (await getPort({ port, host: '127.0.0.1' })) === port;
}

/** Ports the user named must be free now (ports the harness picks come from get-port). Throws `PORT_IN_USE`. */
export async function checkPortsFree(wanted: readonly WantedPort[]): Promise<string> {
  for (const { port, flag } of wanted) {
    if (!(await portIsFree(port))) {
      throw new HarnessError('PORT_IN_USE', `port ${port} (${flag}) is already in use on 127.0.0.1`, { kind: 'environment', evidence: { port, flag }, hint: `stop what listens there, pass another ${flag}, or omit ${flag} to get a free port` });
    }
  }
  return `${wanted.map(({ port }) => port).join(', ')} free on 127.0.0.1`;
}
