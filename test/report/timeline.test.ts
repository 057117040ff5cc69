import { describe, expect, it } from 'vitest';
import { Timeline, currentTimeline, withTimeline } from '../../tasks/lib/report/timeline.ts';
import { FrameLog } from '../../tasks/lib/status-protocol/frame-log.ts';

describe('Timeline', () => {
  it('keeps probe attempts in a row with the same outcome as one event with every attempt time', () => {
    const timeline = new Timeline(0);
    for (const at of [1, 2, 3]) timeline.record({ lane: 'probe:w /health', kind: 'probe', label: 'refused', status: 'refused', atMs: at });
    for (const at of [4, 5]) timeline.record({ lane: 'probe:w /health', kind: 'probe', label: 'HTTP 503', status: 'not-ready', atMs: at });
    timeline.record({ lane: 'probe:other', kind: 'probe', label: 'refused', status: 'refused', atMs: 5.5 });
    timeline.record({ lane: 'probe:w /health', kind: 'probe', label: 'HTTP 200', status: 'ok', atMs: 6, detail: { observed: 'ready' } });
    const events = timeline.toJSON().events.filter((event) => event.lane === 'probe:w /health');
    expect(events.map((event) => [event.label, event.count, event.ticks, event.atMs, event.endMs])).toEqual([
      ['refused', 3, [1, 2, 3], 1, 3],
      ['HTTP 503', 2, [4, 5], 4, 5],
      ['HTTP 200', 1, [6], 6, undefined],
    ]);
  });

  it('records into the run it is called from, and nowhere outside a run', async () => {
    const run = new Timeline();
    currentTimeline().record({ lane: 'x', kind: 'note', label: 'outside' });
    await withTimeline(run, async () => {
      await Promise.resolve();
      currentTimeline().record({ lane: 'x', kind: 'note', label: 'inside' });
    });
    expect(run.events.map((event) => event.label)).toEqual(['inside']);
  });
});

describe('WebSocket frames on the timeline', () => {
  it('marks a server frame after a silence above the keepalive with warn and the gap', () => {
    const timeline = new Timeline(0);
    const log = withTimeline(timeline, () => new FrameLog('cold-start'));
    log.warnGapMs = 1000;
    log.record('local', 'open', 0, 'socket open', undefined, 10);
    log.record('in', 'binary', 40, 'loading', { status: 'loading' }, 900);
    log.record('out', 'ping', 0, 'keepalive ping', undefined, 1200);
    log.record('in', 'binary', 40, 'loading', { status: 'loading' }, 2400);
    log.record('in', 'binary', 60, 'ready', { status: 'ready' }, 2500);
    const frames = timeline.toJSON().events;
    expect(frames.map((event) => [event.lane, event.label, event.status])).toEqual([
      ['ws:cold-start', 'socket open', 'info'],
      ['ws:cold-start', 'loading', 'info'],
      ['ws:cold-start', 'keepalive ping', 'info'],
      ['ws:cold-start', 'loading after 1.50 s gap', 'warn'],
      ['ws:cold-start', 'ready', 'ok'],
    ]);
    expect(frames[3]?.detail?.gapAboveKeepalive).toEqual({ gapMs: 1500, keepaliveMs: 1000 });
  });
});
