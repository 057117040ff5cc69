import { HarnessError } from '../../errors/harness-error.ts';
import { http, parseJsonBody } from '../../http/http-client.ts';
import { modelsUrl } from '../session-url.ts';
import type { StatusCheck } from './check-state.ts';

/** `GET /api/v1/models` answers 200 `{"models": [str, ...]}`, and lists `--model` if one was given. */
export const modelListing: StatusCheck = {
  name: 'model listing',
  async run(state) {
    const { target } = state;
    const url = modelsUrl(target.baseUrl);
    const response = await http(url, { headers: target.token ? { authorization: `Bearer ${target.token}` } : {}, timeoutMs: target.timing.openTimeoutMs, ...(target.signal ? { signal: target.signal } : {}) });
    const evidence = { url, status: response.status, body: response.text.slice(0, 2000) };
    if (response.status !== 200) throw new HarnessError('MODEL_LISTING_FAILED', `GET ${url} answered HTTP ${response.status}: ${response.text.slice(0, 200)}`, { evidence });
    const body = parseJsonBody<{ models?: unknown }>(response);
    const models = body?.models;
    if (!Array.isArray(models) || !models.every((model) => typeof model === 'string')) {
      throw new HarnessError('MODEL_LISTING_MALFORMED', `GET ${url} must answer {"models": ["id", ...]} with string ids, got ${response.text.slice(0, 200)}`, { evidence });
    }
    if (models.length === 0) throw new HarnessError('MODEL_LISTING_EMPTY', `GET ${url} lists no models`, { evidence });
    state.models = models;
    if (target.model !== undefined && !models.includes(target.model)) {
      throw new HarnessError('MODEL_NOT_LISTED', `--model ${target.model} is not among the listed models: ${models.join(', ')}`, { evidence, hint: `pick one of ${models.join(', ')}` });
    }
    return { detail: `${models.length} model${models.length === 1 ? '' : 's'}: ${models.join(', ')}`, evidence: { ...evidence, models, durationMs: Math.round(response.durationMs) } };
  },
};
