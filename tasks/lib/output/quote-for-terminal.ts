/**
 * A JSON-quoted string that is safe to print: JSON escapes C0 controls, and this also escapes C1
 * controls and DEL, which a terminal would otherwise interpret (model output can be any bytes).
 */
export function quoteForTerminal(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
