// Loaded into the harness process by the fleet bench (node --import): at exit, writes the
// process's own CPU time and peak memory (getrusage) to $FLEET_USAGE_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.FLEET_USAGE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ userCpuMs: usage.userCPUTime / 1000, systemCpuMs: usage.systemCPUTime / 1000, maxRssKb: usage.maxRSS }));
  });
}
