import { describe, expect, it } from 'vitest';
import { fillTemplate, parseCommandTemplate } from '../../tasks/lib/cli/command-template.ts';

describe('command templates', () => {
  it('splits words like a shell, keeps quotes together and $VARS literal', () => {
    expect(parseCommandTemplate(`./worker --name "a b" --home $HOME --port {port}`, 'worker-cmd')).toEqual(['./worker', '--name', 'a b', '--home', '$HOME', '--port', '{port}']);
  });

  it.each(['./worker | tee log', './worker && rm -rf /', './worker > out', './worker; echo'])('refuses shell operators: %s', (source) => {
    expect(() => parseCommandTemplate(source, 'worker-cmd')).toThrow(/run without a shell/);
  });

  it('fills placeholders inside words and refuses unknown ones', () => {
    expect(fillTemplate(['w', '--url=http://127.0.0.1:{port}/x', '{model}'], { port: 8080, model: '/m.gguf' }, 'worker-cmd')).toEqual(['w', '--url=http://127.0.0.1:8080/x', '/m.gguf']);
    expect(() => fillTemplate(['{nope}'], { port: 1 }, 'worker-cmd')).toThrow('--worker-cmd uses {nope}, which is not a known placeholder (known: {port})');
  });
});
