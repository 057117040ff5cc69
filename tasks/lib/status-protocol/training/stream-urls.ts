/** `ws://host:port/ws/training/<job>` */
export function trainingStreamUrl(baseUrl: string, jobId: string): string {
  return `${baseUrl}/ws/training/${encodeURIComponent(jobId)}`;
}

/** `http://host:port/jobs/<job>`: the REST status beside the stream. */
export function jobStatusUrl(baseUrl: string, jobId: string): string {
  return `${baseUrl.replace(/^ws/, 'http')}/jobs/${encodeURIComponent(jobId)}`;
}

/** `http://host:port/metrics` */
export function metricsUrl(baseUrl: string): string {
  return `${baseUrl.replace(/^ws/, 'http')}/metrics`;
}
