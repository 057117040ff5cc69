import { addGate, emptyEvidence, outcomeOf, type CanaryEvidence } from '../lib/canary/canary-evidence.ts';
import { sampleInterleaved } from '../lib/canary/interleave.ts';
import { ROLES, type Role } from '../lib/canary/probe-outcome.ts';
import { RunReport } from '../lib/report/run-report.ts';
import { closeSessions, newCheckState, type StatusCheckState } from '../lib/status-protocol/checks/check-state.ts';
import { crashDuringLoad } from '../lib/status-protocol/checks/crash-during-load.ts';
import { runStatusChecks, STATUS_CHECKS } from '../lib/status-protocol/checks/run-status-checks.ts';
import { defaultObservation } from '../lib/status-protocol/observation.ts';
import { launchPolicyServer, REPO_ROOT, referenceServerArgv, type LaunchedServer } from '../lib/status-protocol/policy-server-launcher.ts';
import { SESSION_DEFAULTS, SessionClient, type ReadyInfo, type SessionClientOptions } from '../lib/status-protocol/session-client.ts';
import { sessionOptions, type StatusTarget, type StatusTiming } from '../lib/status-protocol/status-target.ts';
import type { TaskContext } from '../runner/task-context.ts';
import { FAULT_TIMING } from '../status-protocol-test/status-protocol-flags.ts';
import type { CanaryPlan } from './canary-plan.ts';

/** The built-in pair: short loads so many cold starts fit in a run; the canary faults double the load or bring back the periodic-gap bug. */
export const BUILT_IN_POLICY = { loadSeconds: 0.5, slowLoadSeconds: 1, updateIntervalSeconds: 0.05 } as const;
/** Cold starts per side for the built-in pair (one model each, on the running server). */
export const BUILT_IN_COLD_STARTS = 8;

function timing(builtIn: boolean): StatusTiming {
  const base = { openTimeoutMs: SESSION_DEFAULTS.openTimeoutMs, maxPayload: SESSION_DEFAULTS.maxPayload };
  if (builtIn) return { ...base, keepaliveMs: FAULT_TIMING.keepalive * 1000, messageTimeoutMs: FAULT_TIMING.messageTimeout * 1000, pingIntervalMs: FAULT_TIMING.pingInterval * 1000, pingTimeoutMs: FAULT_TIMING.pingTimeout * 1000 };
  return { ...base, keepaliveMs: 20_000, messageTimeoutMs: 30_000, pingIntervalMs: 20_000, pingTimeoutMs: 20_000 };
}

const coldModels = (n: number): string[] => Array.from({ length: n }, (_, i) => `cold-${i + 1}`);

function sideArgv(plan: CanaryPlan, role: Role, coldStarts: number): string[] {
  if (!plan.builtIn) return plan.argv[role];
  const canaryFault = role === 'canary' ? plan.canaryFault : undefined;
  return referenceServerArgv({
    loadSeconds: canaryFault === 'slow-load' ? BUILT_IN_POLICY.slowLoadSeconds : BUILT_IN_POLICY.loadSeconds,
    updateIntervalSeconds: BUILT_IN_POLICY.updateIntervalSeconds,
    models: ['alpha', 'beta', ...coldModels(coldStarts)],
    fault: canaryFault === 'gap' ? 'buggy-periodic' : undefined,
  });
}

interface Side {
  role: Role;
  server: LaunchedServer;
  state: StatusCheckState;
  checks: RunReport;
  relaunch: (name: string) => Promise<LaunchedServer>;
}

/** A session that is ready within `ms` (the socket closed again when not). */
async function openReady(options: SessionClientOptions, ms: number): Promise<{ client: SessionClient; ready: ReadyInfo }> {
  const client = await SessionClient.open(options);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ready within ${ms} ms`)), ms)));
  try {
    return { client, ready: await Promise.race([client.waitReady(), deadline]) };
  } catch (error) {
    await client.close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The session the latency samples are taken on: the cold start check's, while it is still ready
 * (a check may end it: "another model while one is in use" closes it so the server can move on),
 * else a new one on the default model, closed with the checks' sessions. Undefined when none gets
 * ready: that side's samples are then lost, and the metric row says so.
 */
async function latencySession(side: Side, ms: number): Promise<SessionClient | undefined> {
  const held = side.state.cold?.client;
  if (held?.phase === 'ready') return held;
  try {
    const { client } = await openReady(sessionOptions(side.state.target, `${side.role}-latency`), ms);
    side.state.opened.push(client);
    return client;
  } catch {
    return undefined;
  }
}

/**
 * `--kind policy`: a baseline and a canary policy server. Every status-protocol:test check is a
 * hard gate; cold-start time to ready and the largest status gap come from interleaved cold
 * starts (a fresh model each on the built-in pair, a fresh server each for yours); inference
 * latency from interleaved observations on a ready session.
 */
export async function runPolicyCanary(context: TaskContext, plan: CanaryPlan): Promise<CanaryEvidence> {
  const evidence = emptyEvidence();
  const { out } = context;
  const coldStarts = plan.builtIn ? BUILT_IN_COLD_STARTS : plan.starts;
  const sides = {} as Record<Role, Side>;
  try {
    out.step('Starting both policy servers');
    for (const role of ROLES) {
      const argv = sideArgv(plan, role, coldStarts);
      const relaunch = (name: string): Promise<LaunchedServer> =>
        launchPolicyServer({ start: (options) => context.start({ ...options, ...(plan.builtIn ? {} : { cwd: process.env.INIT_CWD ?? REPO_ROOT }) }), argv, name, flag: plan.flagOf[role], startTimeoutMs: plan.connectTimeoutMs, tailLines: context.tailLines });
      const server = await relaunch(`${role}-policy-server`);
      out.info(`${role}: ${server.baseUrl} up in ${Math.round(server.startupMs)} ms`);
      const target: StatusTarget = { baseUrl: server.baseUrl, timing: timing(plan.builtIn) };
      sides[role] = { role, server, relaunch, checks: new RunReport(`status-protocol:test (${role})`), state: newCheckState(target, { guard: server.guard, relaunch }) };
    }
    out.step('status-protocol:test checks on both (the crash check last)');
    const checks = STATUS_CHECKS.filter((check) => check !== crashDuringLoad);
    await Promise.all(ROLES.map((role) => runStatusChecks(sides[role].checks, sides[role].state, checks)));

    out.step(`Inference latency: ${plan.samples} observations per side, interleaved`);
    const sessions = {} as Record<Role, SessionClient | undefined>;
    await Promise.all(ROLES.map(async (role) => (sessions[role] = await latencySession(sides[role], plan.connectTimeoutMs))));
    const latency = await sampleInterleaved(plan.samples, async (role, i) => {
      const session = sessions[role];
      if (!session) return undefined;
      const reply = await session.infer(defaultObservation(i)).catch(() => undefined);
      return reply?.ok ? reply.latencyMs : undefined;
    });

    // The reference server holds one model at a time: the checks' sessions must end before other models load.
    await Promise.all(ROLES.map((role) => closeSessions(sides[role].state)));
    out.step(`Cold starts: ${coldStarts} per side, interleaved`);
    const ready = { baseline: [] as number[], canary: [] as number[] };
    const gaps = { baseline: [] as number[], canary: [] as number[] };
    // The status checks' own cold start is a sample too.
    for (const role of ROLES) {
      const evidenceOfCold = sides[role].checks.checks.find((check) => check.name === 'cold start')?.evidence;
      if (typeof evidenceOfCold?.timeToReadyMs === 'number') ready[role].push(evidenceOfCold.timeToReadyMs);
      if (typeof evidenceOfCold?.largestGapMs === 'number') gaps[role].push(evidenceOfCold.largestGapMs);
    }
    const models = coldModels(coldStarts);
    await sampleInterleaved(plan.builtIn ? coldStarts : Math.max(0, coldStarts - 1), async (role, i) => {
      const side = sides[role];
      let server: LaunchedServer | undefined;
      try {
        if (!plan.builtIn) server = await side.relaunch(`${role}-policy-server-cold${i + 2}`);
        const { client, ready: info } = await openReady(sessionOptions({ ...side.state.target, baseUrl: server?.baseUrl ?? side.server.baseUrl }, `${role}-cold-${i + 1}`, plan.builtIn ? models[i] : undefined), plan.connectTimeoutMs);
        void client.close();
        ready[role].push(info.timeToReadyMs);
        if (info.largestGap) gaps[role].push(info.largestGap.ms);
        return info.timeToReadyMs;
      } catch {
        return undefined;
      } finally {
        await server?.guard.stop();
      }
    });
    evidence.metrics.push(
      { name: 'cold start to ready', unit: 'ms', better: 'lower', baseline: ready.baseline, canary: ready.canary },
      { name: 'largest status gap', unit: 'ms', better: 'lower', baseline: gaps.baseline, canary: gaps.canary },
      { name: 'inference latency', unit: 'ms', better: 'lower', baseline: latency.baseline.values, canary: latency.canary.values },
    );
    await Promise.all(ROLES.map((role) => runStatusChecks(sides[role].checks, sides[role].state, [crashDuringLoad])));
    const names = [...new Set(ROLES.flatMap((role) => sides[role].checks.checks.map((check) => check.name)))];
    for (const name of names) addGate(evidence, `status-protocol:test ${name}`, { baseline: outcomeOf(sides.baseline.checks, name), canary: outcomeOf(sides.canary.checks, name) });
  } finally {
    await Promise.all(ROLES.map((role) => (sides[role] ? closeSessions(sides[role].state) : undefined)));
  }
  return evidence;
}
