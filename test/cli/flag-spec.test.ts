import { describe, expect, it } from 'vitest';
import { parseFlags, renderFlagHelp, type FlagSpec } from '../../tasks/lib/cli/flag-spec.ts';
import { HarnessError } from '../../tasks/lib/errors/harness-error.ts';

const specs: FlagSpec[] = [
  { name: 'port', type: 'number', integer: true, min: 1, max: 65535, description: 'port' },
  { name: 'backend', type: 'list', choices: ['cpu', 'cuda', 'vulkan'], default: ['cpu'], description: 'backends' },
  { name: 'worker-id', type: 'string', default: () => 'generated', defaultLabel: 'test-worker-<uuid v4>', description: 'id' },
  { name: 'stream', type: 'boolean', description: 'stream' },
];

describe('parseFlags', () => {
  it('parses typed values and fills defaults', () => {
    const flags = parseFlags(['--port', '18081', '--backend', 'cpu,cuda', '--stream'], specs);
    expect(flags.number('port')).toBe(18081);
    expect(flags.list('backend')).toEqual(['cpu', 'cuda']);
    expect(flags.string('worker-id')).toBe('generated');
    expect(flags.boolean('stream')).toBe(true);
  });

  it.each([
    [['--port', 'x'], "--port expects a number, got 'x'"],
    [['--port', '1.5'], "--port expects a whole number, got '1.5'"],
    [['--port', '70000'], '--port must be at most 65535, got 70000'],
    [['--backend', 'metal'], "--backend must be one of cpu, cuda, vulkan; got 'metal'"],
    [['--nope'], "Unknown option '--nope'"],
    [['stray'], 'Unexpected argument'],
  ])('%j is a usage error', (argv, message) => {
    let caught: unknown;
    try {
      parseFlags(argv, specs);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HarnessError);
    expect((caught as HarnessError).exitCode).toBe(2);
    expect((caught as HarnessError).message).toContain(message);
  });

  it('renders help with placeholders, choices and defaults', () => {
    const help = renderFlagHelp(specs).join('\n');
    expect(help).toMatch(/--backend <a,b> +backends \[cpu\|cuda\|vulkan\] \(default: cpu\)/);
    expect(help).toMatch(/--worker-id <value> +id \(default: test-worker-<uuid v4>\)/);
  });
});
