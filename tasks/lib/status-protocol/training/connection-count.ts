import { tryHttp } from '../../http/http-client.ts';
import { jobStatusUrl, metricsUrl } from './stream-urls.ts';

/** Field names a job's REST status may carry its live WebSocket client count under. */
export const COUNT_FIELDS = ['websocket_connections', 'connections', 'active_connections', 'ws_connections', 'websocket_clients', 'clients'] as const;

export interface ConnectionCount {
  count: number;
  /** Where it was read: `GET /jobs/job_x .websocket_connections`, `GET /metrics training_ws_connections{…}`. */
  source: string;
}

/**
 * The server's count of stream clients on the job, from its REST status (a numeric field named in
 * COUNT_FIELDS) or a Prometheus `/metrics` line whose name contains "connections" (labelled with
 * the job when labelled). Undefined when the server shows none.
 */
export async function readConnectionCount(baseUrl: string, jobId: string, headers: Record<string, string> = {}): Promise<ConnectionCount | undefined> {
  const url = jobStatusUrl(baseUrl, jobId);
  const status = await tryHttp(url, { headers, timeoutMs: 2000 });
  if (status.ok && status.response.status === 200) {
    try {
      const body = JSON.parse(status.response.text) as Record<string, unknown>;
      for (const field of COUNT_FIELDS) {
        if (typeof body[field] === 'number') return { count: body[field], source: `GET /jobs/${jobId} .${field}` };
      }
    } catch {
      // not JSON: no count there
    }
  }
  const metrics = await tryHttp(metricsUrl(baseUrl), { headers, timeoutMs: 2000 });
  if (!metrics.ok || metrics.response.status !== 200) return undefined;
  for (const line of metrics.response.text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*connections[\w:]*)(\{([^}]*)\})?\s+(\d+(?:\.\d+)?)\s*$/.exec(line.trim());
    if (!match) continue;
    const labels = match[3];
    if (labels && !labels.includes(`"${jobId}"`)) continue;
    return { count: Number(match[4]), source: `GET /metrics ${match[1]}${match[2] ?? ''}` };
  }
  return undefined;
}
