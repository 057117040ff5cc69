/**
 * The simulated fleet of the fleet bench: N hives in one process, each on its own loopback
 * address (127.0.0.2, .3, …, all on one port, as every node of a real fleet listens on 8080),
 * each spawning real workers on request (the reference worker, or the stand-in the spawn
 * request's command names). Prints one JSON line `{"urls": [...]}` once all listen; on SIGTERM
 * stops every worker, then exits.
 *
 * Run: node --import tsx bench/fleet/fleet-sim.ts <N>
 */
import getPort from 'get-port';
import { MockHive } from '../../mock-hive/mock-hive-server.ts';
import { hiveLauncher } from '../../tasks/e2e/hive-launcher.ts';
import { resolveProfile } from '../../tasks/lib/worker/profile-store.ts';

const count = Number(process.argv[2] ?? 1);
if (!Number.isInteger(count) || count < 1 || count > 250) {
  console.error('usage: fleet-sim.ts <nodes 1..250>');
  process.exit(2);
}
const port = await getPort({ host: '127.0.0.2' });
const launcher = hiveLauncher({ profile: resolveProfile('seed'), heartbeatIntervalS: 1, threads: 1, contextSize: 256 });
const hives: MockHive[] = [];
for (let i = 0; i < count; i += 1) hives.push(await MockHive.start({ host: `127.0.0.${2 + i}`, port, pool: { launcher, graceMs: 3000 } }));
process.stdout.write(`${JSON.stringify({ urls: hives.map((hive) => hive.url) })}\n`);

let closing = false;
const close = async (): Promise<void> => {
  if (closing) return;
  closing = true;
  await Promise.allSettled(hives.map((hive) => hive.close()));
  process.exit(0);
};
process.on('SIGTERM', () => void close());
process.on('SIGINT', () => void close());
