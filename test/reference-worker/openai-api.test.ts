import { describe, expect, it } from 'vitest';
import { readSse } from '../../tasks/lib/http/sse-client.ts';
import { getJson, postJson, sharedWorker, spawnWorker, ssePayloads, waitUntilReady } from './worker-process.ts';

/** One worker for the file, OpenAI-compatible. Its model id is the file name (no --model-ref). */
let modelId = '';
const shared = sharedWorker(async () => {
  const worker = await spawnWorker('openai', ['--api', 'openai']);
  await waitUntilReady(worker, '/health');
  modelId = ((await getJson(`${worker.baseUrl}/v1/models`)).body as { data: { id: string }[] }).data[0]?.id ?? '';
  return worker;
});
const w = shared.worker;

interface Completion {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: { text: string; index: number; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

describe('reference worker, OpenAI API', () => {
  it('answers /health and lists its model under the file name', async () => {
    expect(await getJson(`${w().baseUrl}/health`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(modelId).toMatch(/^tiny-llama-v\d+-seed\d+\.gguf$/);
    expect(await getJson(`${w().baseUrl}/v1/models`)).toEqual({ status: 200, body: { object: 'list', data: [{ id: modelId, object: 'model', created: 0, owned_by: 'hivecheck' }] } });
  });

  it('completes as JSON with usage', async () => {
    const { status, body } = await postJson(`${w().baseUrl}/v1/completions`, { model: modelId, prompt: 'The capital of France is', max_tokens: 32, temperature: 0.7 });
    expect(status).toBe(200);
    const completion = body as Completion;
    expect(completion).toMatchObject({ object: 'text_completion', model: modelId, choices: [{ index: 0, finish_reason: 'length' }] });
    expect(completion.id).toMatch(/^cmpl-/);
    expect(completion.choices[0]?.text.length).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBe(32);
    expect(completion.usage?.total_tokens).toBe((completion.usage?.prompt_tokens ?? 0) + 32);
  });

  it('streams chunks with choices[0].text, a finish chunk, usage when asked, then [DONE]', async () => {
    const result = await readSse(`${w().baseUrl}/v1/completions`, { json: { prompt: 'Hello', max_tokens: 8, stream: true, stream_options: { include_usage: true } } });
    const events = ssePayloads(result.events);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1) as Completion[];
    const tokenChunks = chunks.filter((chunk) => chunk.choices[0]?.finish_reason === null);
    expect(tokenChunks).toHaveLength(8);
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason === 'length')?.choices[0]?.text).toBe('');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 8 } });
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it.each([
    ['an unknown model', { model: 'gpt-4', prompt: 'x' }, 404, 'model_not_found'],
    ['n above 1', { prompt: 'x', n: 2 }, 400, null],
    ['no prompt', { max_tokens: 3 }, 400, null],
    ['max_tokens 0', { prompt: 'x', max_tokens: 0 }, 400, null],
  ])('refuses %s in the OpenAI error shape', async (_what, body, status, code) => {
    const answer = await postJson(`${w().baseUrl}/v1/completions`, body);
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ error: { message: expect.any(String), type: expect.any(String), code } });
  });
});
