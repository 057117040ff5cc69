import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameRecord } from '../../tasks/lib/status-protocol/frame-log.ts';
import type { ReportJson } from '../../tasks/lib/report/run-report.ts';

/** A finished run: its report and the directory its logs went to (`<dir>/logs/policy-server.log`). */
export interface RunFiles {
  report: ReportJson;
  reportDir: string;
}

export interface TimingComparison {
  /** open → frame 1 → … → ready, as the harness received them. */
  harnessGapsMs: number[];
  /** connect → frame 1 → … → ready, from the server's own send stamps. */
  serverGapsMs: number[];
  deltasMs: number[];
  /** The largest gap the harness reported (report.json), and which gap it is. */
  harnessLargestMs: number;
  largestIndex: number;
  /** The server's gap between the same two frames. */
  serverSamePairMs: number;
  serverLargestMs: number;
}

/**
 * Used by the tests for what holds on any machine (which gap is the largest, in both views) and by
 * `npm run bench -- status-gaps` for how closely the numbers agree (a figure, not an assertion).
 *
 * Pairs the cold-start session's frames as the harness received them (report.json evidence) with
 * the server's own log of when it sent them (matched by the client's port), and compares the gaps.
 */
export function compareColdStartGaps(run: RunFiles): TimingComparison {
  const cold = run.report.checks.find((check) => check.name === 'cold start');
  if (!cold) throw new Error('no cold start check');
  const frames = cold.evidence.frames as FrameRecord[];
  const port = cold.evidence.localPort as number;
  const harnessLargestMs = cold.evidence.largestGapMs as number;
  const opened = frames.find((frame) => frame.kind === 'open') as FrameRecord;
  const received = frames.filter((frame) => frame.direction === 'in' && frame.kind === 'binary');
  const readyAt = received.findIndex((frame) => (frame.content as { status?: string }).status === 'ready');
  const harnessPoints = [opened.epochMs, ...received.slice(0, readyAt + 1).map((frame) => frame.epochMs)];
  const log = readFileSync(join(run.reportDir, 'logs', 'policy-server.log'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { event: string; peer?: number; epochMs: number });
  const mine = log.filter((event) => event.peer === port);
  const connect = mine.find((event) => event.event === 'connect');
  const sends = mine.filter((event) => event.event === 'send').slice(0, readyAt + 1);
  if (!connect || sends.length !== readyAt + 1) throw new Error(`server log has ${sends.length} sends for port ${port}, the harness saw ${readyAt + 1} frames up to ready`);
  const serverPoints = [connect.epochMs, ...sends.map((event) => event.epochMs)];
  const gaps = (points: number[]): number[] => points.slice(1).map((point, i) => point - (points[i] as number));
  const harnessGapsMs = gaps(harnessPoints);
  const serverGapsMs = gaps(serverPoints);
  const largestIndex = harnessGapsMs.reduce((best, gap, i) => (gap > (harnessGapsMs[best] as number) ? i : best), 0);
  return {
    harnessGapsMs,
    serverGapsMs,
    deltasMs: harnessGapsMs.map((gap, i) => Math.abs(gap - (serverGapsMs[i] as number))),
    harnessLargestMs,
    largestIndex,
    serverSamePairMs: serverGapsMs[largestIndex] as number,
    serverLargestMs: Math.max(...serverGapsMs),
  };
}

export function describeTiming(label: string, timing: TimingComparison): string {
  const list = (gaps: number[]): string => gaps.map((gap) => gap.toFixed(2)).join(', ');
  return [
    `${label}: harness gaps [${list(timing.harnessGapsMs)}] ms`,
    `server gaps [${list(timing.serverGapsMs)}] ms`,
    `largest gap (#${timing.largestIndex}) harness ${timing.harnessLargestMs.toFixed(3)} ms vs server ${timing.serverSamePairMs.toFixed(3)} ms (Δ ${Math.abs(timing.harnessLargestMs - timing.serverSamePairMs).toFixed(3)} ms)`,
    `|Δ| per gap [${list(timing.deltasMs)}] ms`,
  ].join('; ');
}
