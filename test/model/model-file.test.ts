import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGguf, gguf } from '../../fixtures/tiny-model/gguf-writer.ts';
import { buildTinyLlamaGguf, writeTinyLlamaGguf } from '../../fixtures/tiny-model/write-tiny-llama.ts';
import { HarnessError } from '../../tasks/lib/errors/harness-error.ts';
import { GGUF_HEADER_BYTES } from '../../tasks/lib/model/gguf-format.ts';
import { inspectModelFile } from '../../tasks/lib/model/model-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'hivecheck-model-'));
let validPath = '';
let valid = Buffer.alloc(0);

beforeAll(async () => {
  validPath = join(dir, 'tiny.gguf');
  await writeTinyLlamaGguf(validPath, { seed: 7 });
  valid = readFileSync(validPath);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The HarnessError `inspectModelFile` rejects with. */
async function failure(path: string): Promise<HarnessError> {
  const error = await inspectModelFile(path).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HarnessError);
  const harnessError = error as HarnessError;
  expect(harnessError.kind).toBe('environment');
  expect(harnessError.exitCode).toBe(3);
  expect(harnessError.hint).toBeTruthy();
  return harnessError;
}

function writeVariant(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('inspectModelFile', () => {
  it('reads the header and metadata of a valid model', async () => {
    const info = await inspectModelFile(validPath);
    expect(info).toEqual({
      path: validPath,
      sizeBytes: valid.length,
      ggufVersion: 3,
      architecture: 'llama',
      tensorCount: 21,
      metadataCount: 25,
      name: 'hivecheck tiny llama (seed 7)',
      vocabSize: 263,
      contextLength: 256,
    });
  });

  it('reports a missing file with a hint on --model', async () => {
    const missing = join(dir, 'nowhere', 'model.gguf');
    const error = await failure(missing);
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toBe(`model file ${missing} does not exist`);
    expect(error.hint).toContain('--model <path.gguf>');
    expect(error.hint).toContain('omit --model to use the generated tiny model');
    expect(error.evidence.nearestExistingDirectory).toBe(dir);
  });

  it('names the .gguf files next to a missing one', async () => {
    const error = await failure(join(dir, 'tiny-typo.gguf'));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.hint).toContain('tiny.gguf');
  });

  it('refuses a directory and points at the model inside it', async () => {
    const folder = join(dir, 'models');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'inside.gguf'), valid);
    const error = await failure(folder);
    expect(error.code).toBe('MODEL_NOT_A_FILE');
    expect(error.message).toContain('is a directory');
    expect(error.hint).toContain(join(folder, 'inside.gguf'));
  });

  it('quotes the magic bytes of a file that is not GGUF (an HTML error page)', async () => {
    const path = writeVariant('page.gguf', Buffer.from('<!DOCTYPE html><html><body>Access denied</body></html>\n'));
    const error = await failure(path);
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain("magic bytes are 3c 21 44 4f ('<!DO'), expected 'GGUF'");
    expect(error.hint).toContain('HTML');
  });

  it('recognises a Git LFS pointer', async () => {
    const path = writeVariant('lfs.gguf', Buffer.from('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 668788096\n'));
    const error = await failure(path);
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.hint).toContain('git lfs pull');
  });

  it('refuses an empty file', async () => {
    const error = await failure(writeVariant('empty.gguf', Buffer.alloc(0)));
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain('empty');
  });

  it('says where a copy cut inside the header ends', async () => {
    const error = await failure(writeVariant('cut-header.gguf', valid.subarray(0, 10)));
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain('file ends at byte 10 while reading the header');
  });

  it('says which metadata key a copy cut inside the metadata ends in', async () => {
    const error = await failure(writeVariant('cut-metadata.gguf', valid.subarray(0, 2000)));
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toMatch(/file ends at byte 2000 while reading metadata key #\d+ of 25 \('tokenizer\.ggml\.tokens'\)/);
    expect(error.hint).toContain('cut short');
  });

  it('finds a copy cut inside the tensor data from the tensor index', async () => {
    const half = Math.floor(valid.length / 2);
    const error = await failure(writeVariant('cut-data.gguf', valid.subarray(0, half)));
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain(`the file is truncated: its tensors need ${valid.length} bytes but it has ${half}`);
  });

  it('refuses an unsupported GGUF version', async () => {
    for (const version of [1, 4]) {
      const bytes = Buffer.from(valid);
      bytes.writeUInt32LE(version, 4);
      const error = await failure(writeVariant(`v${version}.gguf`, bytes));
      expect(error.code).toBe('MODEL_INVALID');
      expect(error.message).toContain(`version ${version}`);
      expect(error.message).toContain('versions 2 and 3');
      expect(error.evidence.ggufVersion).toBe(version);
    }
  });

  it('reads version 2 files (same layout as 3)', async () => {
    const bytes = Buffer.from(valid);
    bytes.writeUInt32LE(2, 4);
    expect((await inspectModelFile(writeVariant('v2.gguf', bytes))).ggufVersion).toBe(2);
  });

  it('reads metadata larger than its first 1 MB window (a real tokenizer), and the truncation past it', async () => {
    // 200k token strings (~3 MB) before the architecture key: parsed again in larger windows.
    const tokens = Array.from({ length: 200_000 }, (_, i) => `token-${i}`);
    const bytes = encodeGguf({ metadata: [['tokenizer.ggml.tokens', gguf.strings(tokens)], ['general.architecture', gguf.string('llama')], ['general.name', gguf.string('big vocab')]], tensors: [] });
    expect(bytes.length).toBeGreaterThan(3 << 20);
    const info = await inspectModelFile(writeVariant('big-vocab.gguf', bytes));
    expect(info).toMatchObject({ architecture: 'llama', name: 'big vocab', vocabSize: 200_000, metadataCount: 3 });
    const error = await failure(writeVariant('big-vocab-cut.gguf', bytes.subarray(0, 2 << 20))); // cut inside the tokens, past the first window
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain(`file ends at byte ${2 << 20} while reading metadata key #1 of 3 ('tokenizer.ggml.tokens')`);
  });

  it('refuses a model without general.architecture', async () => {
    const bytes = encodeGguf({ metadata: [['general.name', gguf.string('nameless')]], tensors: [] });
    const error = await failure(writeVariant('no-arch.gguf', bytes));
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain("there is no 'general.architecture' in its 1 metadata keys");
  });

  it('refuses an implausible header', async () => {
    const bytes = Buffer.alloc(GGUF_HEADER_BYTES + 16);
    bytes.write('GGUF', 0, 'latin1');
    bytes.writeUInt32LE(3, 4);
    bytes.writeBigUInt64LE(1n << 60n, 8);
    const error = await failure(writeVariant('huge-count.gguf', bytes));
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain('the header claims');
  });

  it('reads only the front of a large file', async () => {
    const path = writeVariant('sparse.gguf', buildTinyLlamaGguf({ seed: 7 }));
    const size = 4 * 1024 ** 3; // sparse: takes no disk space
    truncateSync(path, size);
    const started = performance.now();
    const before = process.memoryUsage().rss;
    const info = await inspectModelFile(path);
    expect(info.sizeBytes).toBe(size);
    expect(info.architecture).toBe('llama');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });
});
