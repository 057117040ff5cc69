import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { $ } from 'zx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importEngine } from '../../fixtures/reference-worker/src/engine-module.ts';
import {
  defaultModelDir,
  TINY_LLAMA_GENERATOR_VERSION,
  buildTinyLlamaGguf,
  ensureTinyModel,
  tinyModelFileName,
  tinyVocabulary,
  writeTinyLlamaGguf,
} from '../../fixtures/tiny-model/write-tiny-llama.ts';
import { GgmlType } from '../../tasks/lib/model/gguf-format.ts';
import { repoPath } from '../helpers/fixture-path.ts';

const dir = mkdtempSync(join(tmpdir(), 'hivecheck-tiny-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the tiny llama generator', () => {
  it('is deterministic from its seed and a few hundred KB', () => {
    const a = buildTinyLlamaGguf({ seed: 1 });
    expect(buildTinyLlamaGguf({ seed: 1 }).equals(a)).toBe(true);
    expect(buildTinyLlamaGguf({ seed: 2 }).equals(a)).toBe(false);
    expect(a.length).toBeGreaterThan(300_000);
    expect(a.length).toBeLessThan(700_000);
  });

  it('has a byte vocabulary with control tokens and a few pieces', () => {
    const vocab = tinyVocabulary();
    expect(vocab.tokens.slice(0, 4)).toEqual(['<unk>', '<s>', '</s>', '<0x00>']);
    expect(vocab.tokens[3 + 0xff]).toBe('<0xFF>');
    expect(vocab.tokens).toContain('▁');
    expect(vocab.tokens.length).toBe(263);
    expect([...vocab.types.slice(0, 4)]).toEqual([2, 3, 3, 6]);
  });

  it('writes through the CLI and refuses a bad seed', async () => {
    const out = join(dir, 'cli.gguf');
    const script = repoPath('fixtures/tiny-model/write-tiny-llama.ts');
    const ok = await $({ nothrow: true, quiet: true })`${process.execPath} --import tsx ${script} --out ${out} --seed 9`;
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toContain(`wrote ${out}`);
    expect(readFileSync(out).equals(buildTinyLlamaGguf({ seed: 9 }))).toBe(true);
    const bad = await $({ nothrow: true, quiet: true })`${process.execPath} --import tsx ${script} --out ${out} --seed banana`;
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--seed must be an integer');
  });
});

describe('ensureTinyModel', () => {
  it('caches the model under a versioned name and reuses it', async () => {
    const cache = join(dir, 'cache');
    const path = await ensureTinyModel(cache);
    expect(path).toBe(join(cache, tinyModelFileName()));
    expect(path).toContain(`-v${TINY_LLAMA_GENERATOR_VERSION}-`);
    const first = statSync(path).mtimeMs;
    expect(await ensureTinyModel(cache)).toBe(path);
    expect(statSync(path).mtimeMs).toBe(first);
  });

  it('writes the model again when the cached file is damaged', async () => {
    const cache = join(dir, 'damaged');
    const path = await ensureTinyModel(cache);
    writeFileSync(path, 'not a model');
    expect(await ensureTinyModel(cache)).toBe(path);
    expect(readFileSync(path).equals(buildTinyLlamaGguf())).toBe(true);
  });

  it('defaults to the state dir: .hivecheck/models where the user runs it, or HIVECHECK_HOME/models', () => {
    const saved = { state: process.env.HIVECHECK_HOME, init: process.env.INIT_CWD };
    try {
      delete process.env.HIVECHECK_HOME;
      process.env.INIT_CWD = dir;
      expect(defaultModelDir()).toBe(join(dir, '.hivecheck', 'models'));
      process.env.HIVECHECK_HOME = join(dir, 'state');
      expect(defaultModelDir()).toBe(join(dir, 'state', 'models'));
    } finally {
      for (const [key, value] of [['HIVECHECK_HOME', saved.state], ['INIT_CWD', saved.init]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

describe('node-llama-cpp reads the generated file (an independent GGUF parser)', () => {
  const path = join(dir, 'cross-check.gguf');
  beforeAll(async () => {
    await writeTinyLlamaGguf(path, { seed: 42 });
  });

  it('agrees on the header, metadata and tensor index', async () => {
    const { readGgufFileInfo } = await importEngine();
    const info = await readGgufFileInfo(path, { readTensorInfo: true });
    expect(info.version).toBe(3);
    expect(info.metadata.general.architecture).toBe('llama');
    expect(info.metadata.general.name).toBe('hivecheck tiny llama (seed 42)');
    expect(info.metadata.general.alignment).toBe(32);
    const llama = (info.metadata as unknown as { llama: Record<string, unknown> }).llama;
    expect(llama).toMatchObject({
      vocab_size: 263,
      context_length: 256,
      embedding_length: 64,
      block_count: 2,
      feed_forward_length: 128,
      attention: { head_count: 4, head_count_kv: 4 },
      rope: { dimension_count: 16, freq_base: 10000 },
    });
    expect((llama.attention as { layer_norm_rms_epsilon: number }).layer_norm_rms_epsilon).toBeCloseTo(1e-5, 10);
    const tokenizer = info.metadata.tokenizer?.ggml;
    expect(tokenizer?.model).toBe('llama');
    expect(tokenizer?.tokens.length).toBe(263);
    expect(tokenizer?.tokens[259]).toBe('▁');
    expect(tokenizer?.token_type?.length).toBe(263);
    expect(tokenizer?.scores?.length).toBe(263);
    expect([tokenizer?.bos_token_id, tokenizer?.eos_token_id, tokenizer?.unknown_token_id]).toEqual([1, 2, 0]);
    expect(tokenizer?.add_bos_token).toBe(true);

    const tensors = info.tensorInfo ?? [];
    expect(tensors.length).toBe(21);
    const names = tensors.map((tensor) => tensor.name);
    expect(names).toEqual(expect.arrayContaining(['token_embd.weight', 'output_norm.weight', 'output.weight', 'blk.1.ffn_down.weight', 'blk.0.attn_q.weight']));
    const byName = new Map(tensors.map((tensor) => [tensor.name, tensor]));
    expect(byName.get('token_embd.weight')?.dimensions.map(Number)).toEqual([64, 263]);
    expect(byName.get('blk.0.ffn_down.weight')?.dimensions.map(Number)).toEqual([128, 64]);
    expect(tensors.every((tensor) => tensor.ggmlType === GgmlType.F32)).toBe(true);

    // The data lies where node-llama-cpp says: the control tokens' output rows are zero.
    const bytes = readFileSync(path);
    const output = byName.get('output.weight');
    expect(output).toBeDefined();
    const rows = new Float32Array(bytes.buffer.slice(bytes.byteOffset + Number(output?.fileOffset), bytes.byteOffset + Number(output?.fileOffset) + 263 * 64 * 4));
    for (const token of [0, 1, 2]) expect(rows.subarray(token * 64, token * 64 + 64).every((value) => value === 0)).toBe(true);
    expect(rows.subarray(3 * 64 + 0x41 * 64, 3 * 64 + 0x41 * 64 + 64).some((value) => value !== 0)).toBe(true);
  });

  it('uses the same tensor type ids as node-llama-cpp', async () => {
    const engine = await importEngine();
    for (const [name, id] of Object.entries(GgmlType)) expect((engine.GgmlType as unknown as Record<string, number>)[name], name).toBe(id);
  });
});
