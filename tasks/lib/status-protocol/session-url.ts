import { usageError } from '../errors/harness-error.ts';

/** `ws://host:port` from what a user passes (`ws://`, `wss://`, `http://`, `https://`, trailing slash or not). */
export function normalizeBaseUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw usageError(`--url ${JSON.stringify(input)} is not a URL`, 'pass ws://host:port', 'BAD_URL');
  }
  const protocol = { 'ws:': 'ws:', 'wss:': 'wss:', 'http:': 'ws:', 'https:': 'wss:' }[url.protocol];
  if (!protocol) throw usageError(`--url must be ws://, wss://, http:// or https://, got ${url.protocol}`, 'pass ws://host:port', 'BAD_URL');
  url.protocol = protocol;
  return url.toString().replace(/\/+$/, '');
}

/** `ws://host:port/api/v1/session[/<model>]` */
export function sessionUrl(baseUrl: string, model?: string): string {
  return `${baseUrl}/api/v1/session${model === undefined ? '' : `/${encodeURIComponent(model)}`}`;
}

/** `http://host:port/api/v1/models` */
export function modelsUrl(baseUrl: string): string {
  return `${baseUrl.replace(/^ws/, 'http')}/api/v1/models`;
}
