import { CHAOS_FAULTS, type ChaosRunResult } from './chaos-run.ts';

export interface ChaosFigures {
  runs: number;
  injectedByKind: Record<string, number>;
  survivors: number;
  leakedPorts: number;
  largestOverrunMs: number;
}

export function chaosFigures(results: readonly ChaosRunResult[]): ChaosFigures {
  const injectedByKind = Object.fromEntries(CHAOS_FAULTS.map((fault) => [fault, results.filter((result) => result.injected && result.fault === fault).length]));
  return {
    runs: results.length,
    injectedByKind,
    survivors: results.reduce((sum, result) => sum + result.survivors.length, 0),
    leakedPorts: results.reduce((sum, result) => sum + result.leakedPorts.length, 0),
    largestOverrunMs: Math.max(0, ...results.map((result) => result.overrunMs)),
  };
}

export function describeRun(index: number, result: ChaosRunResult): string {
  const fault = result.injected ? `${result.fault} after ${result.delayMs} ms` : `${result.fault} not injected (the run ended first)`;
  const exit = result.exitSignal ? `killed by ${result.exitSignal}` : `exit ${result.exitCode}`;
  const leaks = result.survivors.length || result.leakedPorts.length ? `  LEFT: ${result.survivors.map((found) => `${found.pid} ${found.commandLine.slice(0, 80)}`).join('; ')} ports ${result.leakedPorts.join(', ')}` : '';
  const reused = result.reusedPorts.length ? `  (not leaks: ${result.reusedPorts.map((holder) => `port ${holder.port} now held by ${holder.holders.map((found) => `pid ${found.pid} ${found.commandLine.slice(0, 60)}`).join(', ')}`).join('; ')})` : '';
  return `#${String(index + 1).padStart(2)} ${fault.padEnd(42)} ${result.forkGrandchildren ? 'forking worker' : 'plain worker  '}  ${exit.padEnd(18)} ports ${String(result.portsSeen.length).padStart(2)}  survivors ${result.survivors.length}  leaked ports ${result.leakedPorts.length}  overrun ${Math.round(result.overrunMs)} ms${leaks}${reused}`;
}

export function describeFigures(figures: ChaosFigures): string {
  const kinds = Object.entries(figures.injectedByKind).map(([kind, count]) => `${kind} ${count}`).join(', ');
  return [
    `runs ${figures.runs}; faults injected: ${kinds}`,
    `survivors ${figures.survivors}, leaked ports ${figures.leakedPorts}, largest overrun ${Math.round(figures.largestOverrunMs)} ms (targets: 0, 0, ≤ 1000 ms)`,
  ].join('\n');
}
