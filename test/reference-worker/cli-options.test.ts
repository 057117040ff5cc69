import { describe, expect, it } from 'vitest';
import { CliUsageError, parseWorkerOptions } from '../../fixtures/reference-worker/src/cli-options.ts';

const base = ['--worker-id', 'w1', '--model', '/m/tiny.gguf'];

describe('reference worker flags', () => {
  it('has the documented defaults', () => {
    expect(parseWorkerOptions(base)).toEqual({
      workerId: 'w1',
      model: '/m/tiny.gguf',
      modelRef: undefined,
      backend: 'cpu',
      device: 0,
      port: 0,
      host: '127.0.0.1',
      hiveUrl: undefined,
      callbackUrl: undefined,
      heartbeatIntervalMs: 30_000,
      localMode: false,
      threads: 1,
      contextSize: 256,
      api: 'seed',
      faults: new Set(),
      loadDelayMs: 0,
      tokenDelayMs: 0,
    });
  });

  it('reads every flag', () => {
    const options = parseWorkerOptions([
      ...base,
      '--model-ref', 'hf:tiny', '--backend', 'vulkan', '--device', '1', '--port', '18081', '--hive-url', 'http://127.0.0.1:19200/',
      '--callback-url', 'http://127.0.0.1:19200/ready', '--heartbeat-interval', '0.2', '--local-mode', '--threads', '2', '--context-size', '512',
      '--api', 'llama-server', '--fault', 'no-heartbeats', '--fault', 'never-ready', '--load-delay-ms', '250',
    ]);
    expect(options).toMatchObject({
      modelRef: 'hf:tiny', backend: 'vulkan', device: 1, port: 18081, hiveUrl: 'http://127.0.0.1:19200', callbackUrl: 'http://127.0.0.1:19200/ready',
      heartbeatIntervalMs: 200, localMode: true, host: '127.0.0.1', threads: 2, contextSize: 512, api: 'llama-server', loadDelayMs: 250,
    });
    expect(options !== 'help' && [...options.faults]).toEqual(['no-heartbeats', 'never-ready']);
  });

  it('answers --help', () => {
    expect(parseWorkerOptions(['--help'])).toBe('help');
  });

  it.each([
    ['no --worker-id', ['--model', 'm.gguf'], '--worker-id <id> is required'],
    ['no --model', ['--worker-id', 'w'], '--model <path.gguf> is required'],
    ['an unknown flag', [...base, '--gpu-layers', '3'], "Unknown option '--gpu-layers'"],
    ['a stray argument', [...base, 'extra'], "Unexpected argument 'extra'"],
    ['a bad --api', [...base, '--api', 'grpc'], '--api must be one of seed, v1, llama-server, openai'],
    ['a bad --backend', [...base, '--backend', 'metal'], '--backend must be one of cpu, cuda, vulkan'],
    ['a bad --fault', [...base, '--fault', 'explode'], '--fault must be one of crash-at-start, no-heartbeats, never-ready, health-errors'],
    ['a zero --heartbeat-interval', [...base, '--heartbeat-interval', '0'], '--heartbeat-interval must be a number of seconds above 0'],
    ['a word for --heartbeat-interval', [...base, '--heartbeat-interval', 'often'], '--heartbeat-interval must be a number of seconds above 0'],
    ['a bad --port', [...base, '--port', 'eighty'], '--port must be an integer'],
    ['a port out of range', [...base, '--port', '70000'], '--port must be between 0 and 65535'],
    ['zero --threads', [...base, '--threads', '0'], '--threads must be between 1 and 1024'],
    ['a --hive-url that is not a URL', [...base, '--hive-url', 'localhost:9200'], '--hive-url must be an http(s) URL'],
    ['--local-mode with a public --host', [...base, '--local-mode', '--host', '0.0.0.0'], '--local-mode binds 127.0.0.1 only'],
  ])('refuses %s', (_what, args, message) => {
    expect(() => parseWorkerOptions(args)).toThrow(CliUsageError);
    expect(() => parseWorkerOptions(args)).toThrow(message);
  });
});
