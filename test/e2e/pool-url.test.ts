import { describe, expect, it } from 'vitest';
import { nodeHost, poolUrl } from '../../tasks/lib/e2e/pool-url.ts';

describe('pool URL rule (seed 004)', () => {
  it('uses localhost and 127.0.0.1 as they are', () => {
    expect(poolUrl('localhost', 8080)).toBe('http://localhost:8080');
    expect(poolUrl('127.0.0.1', 9200)).toBe('http://127.0.0.1:9200');
  });
  it('gives other node names the .home.arpa suffix, once', () => {
    expect(poolUrl('gpu-1', 8080)).toBe('http://gpu-1.home.arpa:8080');
    expect(nodeHost('gpu-1.home.arpa')).toBe('gpu-1.home.arpa');
  });
});
