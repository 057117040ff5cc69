/**
 * A bench figure: what was measured, the goal it has (if any), and the baselines it is compared
 * with. `npm run bench` prints them side by side (goal, figure, pass/short, baselines) and writes
 * the same as JSON.
 */
export interface Baseline {
  name: string;
  value: number;
}

export interface Figure {
  bench: string;
  name: string;
  value: number;
  unit: 'ms' | 's' | '%' | 'req/s' | 'ms/s' | 'count';
  /** Upper bound the figure must stay at or below. */
  goal?: number;
  verdict?: 'pass' | 'short';
  baselines?: Baseline[];
  note?: string;
}

export function figure(input: Omit<Figure, 'verdict'>): Figure {
  return input.goal === undefined ? input : { ...input, verdict: input.value <= input.goal ? 'pass' : 'short' };
}

const show = (value: number, unit: Figure['unit']): string => {
  if (unit === 'count') return String(Math.round(value));
  const digits = unit === 's' ? 2 : value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${unit}`;
};

/** One line per figure: name, goal, figure, PASS/SHORT, then the baselines. */
export function figureTable(figures: readonly Figure[]): string {
  const width = Math.max(...figures.map((f) => f.name.length), 10) + 2;
  const header = `${'figure'.padEnd(width)}${'goal'.padStart(10)}${'measured'.padStart(12)}  verdict  baselines`;
  const lines = figures.map((f) => {
    const goal = f.goal === undefined ? '—' : `≤ ${show(f.goal, f.unit)}`;
    const verdict = f.verdict === undefined ? '     ' : f.verdict === 'pass' ? 'PASS ' : 'SHORT';
    const baselines = (f.baselines ?? []).map((b) => `${b.name} ${show(b.value, f.unit)}`).join(' · ');
    return `${f.name.padEnd(width)}${goal.padStart(10)}${show(f.value, f.unit).padStart(12)}  ${verdict}    ${baselines}${f.note ? `${baselines ? '  ' : ''}(${f.note})` : ''}`;
  });
  return [header, ...lines].join('\n');
}
