/** Number formats shared by the judge's reasons and its table: short, fixed meaning, no locale. */

/** Three significant digits, without exponent noise for everyday magnitudes. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000 || magnitude < 0.001) return value.toPrecision(3).replace('e+', 'e');
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

/** A value with its unit: `12.3 ms`. */
export function withUnit(value: number | null | undefined, unit: string): string {
  const text = formatValue(value);
  return text === '–' || !unit ? text : `${text} ${unit}`;
}
