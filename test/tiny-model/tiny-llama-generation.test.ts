import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlamaEngine } from '../../fixtures/reference-worker/src/llama-engine.ts';
import type { Logger } from '../../fixtures/reference-worker/src/logger.ts';
import { writeTinyLlamaGguf } from '../../fixtures/tiny-model/write-tiny-llama.ts';

const dir = mkdtempSync(join(tmpdir(), 'hivecheck-tiny-gen-'));
const warnings: string[] = [];
const log: Logger = { debug: () => undefined, info: () => undefined, warn: (line) => warnings.push(line), error: (line) => warnings.push(line) };
let engine: LlamaEngine;

beforeAll(async () => {
  const { path } = await writeTinyLlamaGguf(join(dir, 'tiny.gguf'));
  engine = await LlamaEngine.load({ modelPath: path, backend: 'cpu', threads: 1, contextSize: 256, log });
});

afterAll(async () => {
  await engine?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('llama.cpp runs the tiny model', () => {
  it('gives exactly the tokens asked for, every time (EOS is never sampled)', async () => {
    const prompts = ['The capital of France is', 'Hello', 'a', 'the the the', '1 2 3 4 5', 'Once upon a time, in a land far away,'];
    let requests = 0;
    for (const temperature of [0, 0.7, 1.5]) {
      for (let i = 0; i < 30; i += 1) {
        const prompt = prompts[i % prompts.length] as string;
        const maxTokens = 32 + (i % 3) * 16;
        const perToken: string[] = [];
        const result = await engine.generate({ prompt, maxTokens, temperature, seed: i, onToken: (text) => perToken.push(text) });
        requests += 1;
        expect(result, `${prompt} @ ${temperature}`).toMatchObject({ tokens: maxTokens, finishReason: 'length', aborted: false });
        expect(perToken.length).toBe(maxTokens);
        expect(perToken.join('')).toBe(result.text);
        expect(result.text.length).toBeGreaterThan(0);
      }
    }
    expect(requests).toBe(90);
  });

  it('writes printable text, one character or piece per token', async () => {
    const result = await engine.generate({ prompt: 'Hello', maxTokens: 64, temperature: 1 });
    expect(result.text).toMatch(/^[\x20-\x7e]+$/);
  });

  it('is deterministic at temperature 0', async () => {
    const a = await engine.generate({ prompt: 'The capital of France is', maxTokens: 24, temperature: 0 });
    const b = await engine.generate({ prompt: 'The capital of France is', maxTokens: 24, temperature: 0 });
    expect(a.text).toBe(b.text);
  });

  it('counts prompt tokens with the BOS token', () => {
    // "▁the" is one piece; "xyz" falls back to bytes; plus BOS.
    expect(engine.promptTokens('the')).toBe(2);
    expect(engine.promptTokens('xyz')).toBe(5);
  });

  it('loads without llama.cpp warnings', () => {
    expect(warnings).toEqual([]);
  });
});
