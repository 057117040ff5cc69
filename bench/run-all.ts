/**
 * Benchmarks print figures and ratios; they assert nothing (timed assertions flake on shared
 * 2-core machines). `npm run bench` runs all; `npm run bench -- <name>` runs one.
 */
import { canaryAaBench } from './canary-aa.ts';
import { readinessBench } from './readiness-latency.ts';
import { statusGapBench } from './status-gap-agreement.ts';
import { workerBenchAgreement } from './worker-bench-agreement.ts';
import { trainingFanoutBench } from './training-fanout.ts';
import { workerTestBench } from './worker-test-wall.ts';

const benches: Record<string, () => Promise<void>> = {
  readiness: readinessBench,
  'worker-test': workerTestBench,
  'status-gaps': statusGapBench,
  'worker-bench': workerBenchAgreement,
  'training-fanout': trainingFanoutBench,
  'canary-aa': canaryAaBench,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length) {
  console.error(`unknown bench: ${unknown.join(', ')} (known: ${Object.keys(benches).join(', ')})`);
  process.exit(2);
}
for (const name of wanted.length ? wanted : Object.keys(benches)) {
  console.log(`\n=== ${name} ===`);
  await (benches[name] as () => Promise<void>)();
}
process.exit(0);
