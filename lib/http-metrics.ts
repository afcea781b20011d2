/**
 * How a service's HTTP server reports requests to Prometheus. Alerts (error budget burn) and dashboards
 * (request rate, errors, latency) are written from it, so a service that declares it gets them for free.
 */
export interface HttpMetrics {
  /** Counter of handled requests, one series per status code, e.g. `http_server_requests_seconds_count`. */
  readonly requests: string;
  /** Label of that counter holding the HTTP status code. */
  readonly statusLabel: string;
  /** Histogram buckets of request durations in seconds. @default latency is not exported */
  readonly durationBuckets?: string;
  /** Configuration the service needs to export these metrics, merged into its ConfigMap. @default none */
  readonly config?: Readonly<Record<string, string>>;
}

/** Spring Boot 3 (Micrometer) on `/actuator/prometheus`, with the request histogram switched on. */
export const SPRING_BOOT_HTTP_METRICS: HttpMetrics = {
  requests: 'http_server_requests_seconds_count',
  statusLabel: 'status',
  durationBuckets: 'http_server_requests_seconds_bucket',
  config: { MANAGEMENT_METRICS_DISTRIBUTION_PERCENTILESHISTOGRAM_HTTP_SERVER_REQUESTS: 'true' },
};

/** Share of requests that may fail (5xx) before the error budget is spent. */
export const DEFAULT_AVAILABILITY_OBJECTIVE = 0.999;
