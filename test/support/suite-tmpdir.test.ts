import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';

describe('the suite temp dir (test/support/suite-tmpdir.ts)', () => {
  it('is one directory for the whole run, not one inside another per vitest project', () => {
    expect(process.env.HIVECHECK_SUITE_TMPDIR).toBe(tmpdir());
    expect(tmpdir().split('/').filter((part) => part.startsWith('hivecheck-suite-'))).toHaveLength(1);
  });
});
