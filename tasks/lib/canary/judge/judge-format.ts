/** Number formats shared by the judge's reasons and its table: short, fixed meaning, no locale. */

/** Three significant digits (whole numbers from 1000 up to 10⁷), exponent only for extremes. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000 && magnitude < 1e7) return String(Math.round(value));
  if (magnitude >= 1e7 || magnitude < 0.001) return value.toPrecision(3).replace('e+', 'e');
  return String(Number(value.toPrecision(3)));
}

/** A ratio as `1.23×`. */
export function formatRatio(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return '–';
  if (!Number.isFinite(ratio)) return '∞×';
  return `${ratio.toFixed(2)}×`;
}

/** A p-value: two significant digits, `<0.0001` below that. */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || Number.isNaN(p)) return '–';
  if (p < 0.0001) return '<0.0001';
  return String(Number(p.toPrecision(2)));
}

/** A p-value in a sentence: `p = 0.012`, `p < 0.0001`. */
export function pPhrase(p: number | null | undefined): string {
  const text = formatP(p);
  return text.startsWith('<') ? `p ${text.replace('<', '< ')}` : `p = ${text}`;
}

/** A value with its unit: `12.3 ms`. */
export function withUnit(value: number | null | undefined, unit: string): string {
  const text = formatValue(value);
  return text === '–' || !unit ? text : `${text} ${unit}`;
}
