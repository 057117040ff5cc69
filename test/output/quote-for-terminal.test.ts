import { describe, expect, it } from 'vitest';
import { quoteForTerminal } from '../../tasks/lib/output/quote-for-terminal.ts';

describe('quoteForTerminal', () => {
  it('escapes C0 and C1 control characters and DEL, keeps the rest', () => {
    expect(quoteForTerminal('a\u0002b\u0082c\u007fé"')).toBe('"a\\u0002b\\u0082c\\u007fé\\""');
  });
});
