// The one place for poolwatch's alerting choices: selectors, identifying labels, thresholds, windows, for: and
// links. prometheus/rules/*.yml are generated from it (scripts/generate-rules); override any field in your own
// jsonnet file, as docs/alerts.md#overriding-a-threshold shows.
//
// Windows and for: are sized for the shipped 5 s scrape and evaluation interval (prometheus/prometheus.yml):
// docs/alerts.md#detection-latency lists, per alert, how long after a fault starts it fires and how long after
// the fault ends it resolves.
{
  _config+:: {
    // Which series are poolwatch's. The default takes every job that exposes sqlite_pool_* metrics, so an exporter
    // embedded in an application under the application's job name is watched too.
    selector: 'job=~".+"',
    // Alertmanager's and Prometheus's own metrics, for the alerts on the monitoring itself.
    alertmanagerSelector: 'job="alertmanager"',
    prometheusSelector: 'job="prometheus"',
    // Labels that tell one exporter from another; every aggregation keeps them. A label a setup does not have is
    // harmless in by (...) and on (...).
    identifyingLabels: ['cluster', 'namespace', 'job', 'instance'],

    runbookUrl: 'https://github.com/poolwatch/poolwatch/blob/main/docs/runbooks/%s.md',
    dashboardUrl: 'http://localhost:3000/d/',
    // The dashboards' uids: alert links and the links between dashboards use them.
    dashboardUids: {
      overview: 'poolwatch-overview',
      poolDetail: 'poolwatch-pool-detail',
      recovery: 'poolwatch-recovery',
      jvm: 'poolwatch-jvm',
      fleet: 'poolwatch-fleet',
    },
    // The identifying labels the dashboards have a variable for, in narrowing order; every query is narrowed by
    // them. Prometheus gives every target job and instance; add cluster or namespace where your setup has them.
    dashboardLabels: ['job', 'instance'],

    // Callers wait and every connection of the role is busy, in at least half of the window's scrapes.
    exhaustedReader: { window: '1m', 'for': '15s' },
    // A queue for the single writer is normal for a while, so it waits longer, and only a person can shorten it.
    exhaustedWriter: { window: '2m', 'for': '2m' },
    acquireTimeouts: { ratio: 0.01, window: '1m', 'for': '30s' },
    // p95 acquire time above the target, with enough acquires for a p95 to mean something.
    acquireLatency: { seconds: 0.05, minRate: 0.1, window: '1m', 'for': '30s' },
    // p95 several times its own usual value. The baseline is the median of the 5-minute p95s of an hour that ended
    // `baselineOffset` ago, so a regression enters its own baseline only that long after it began.
    performanceDegraded: { factor: 3, floorSeconds: 0.01, minRate: 0.1, window: '1m', 'for': '1m',
                           baselineWindow: '1h', baselineOffset: '1h' },
    lockContention: { perMinute: 1, window: '1m', 'for': '15s' },
    // io and other errors per acquire attempt; application, constraint and the kinds with their own alert are out.
    // Read from the 5-minute recording rules.
    errorRate: { ratio: 0.05, 'for': '5m' },
    // degraded: where the dashboards turn a score orange (no alert; below `below` it turns red and alerts).
    healthScore: { below: 50, degraded: 80, 'for': '15m' },
    leak: { window: '2m', 'for': '15s' },
    // The pool sets journal_size_limit to 64 MiB; a WAL four times as large has not been reset for a while.
    walTooLarge: { mebibytes: 256, 'for': '1m' },
    checkpointStarved: { ageSeconds: 600, walMebibytes: 64, 'for': '5m' },
    diskFull: { window: '5m', 'for': '1m' },
    // Under freeRatio free, and the last window's trend reaches zero within horizonSeconds (node-mixin's shape).
    diskFillingUp: { freeRatio: '0.2', window: '1h', horizonSeconds: 4 * 3600, 'for': '15m' },
    readOnly: { window: '5m', 'for': '1m' },
    corruption: { window: '1h', 'for': '1m' },
    // Free-list pages above this share of the file, on a file where they add up to more than minFreeBytes.
    fragmented: { share: 0.25, minFreeBytes: 64 * 1024 * 1024, 'for': '6h' },
    notOpen: { 'for': '5m' },
    // An exporter counts as poolwatch's while it has published a pool within `memory`.
    exporterDown: { memory: '1d', 'for': '1m' },
    metricsAbsent: { 'for': '5m' },
    recoveryFailing: { window: '30m', 'for': '1m' },
    remediationStorm: { actions: 5, window: '30m', 'for': '1m' },
    circuitOpen: { 'for': '1m' },
    watchdog: { 'for': '1m' },
    notificationsFailing: { window: '10m', 'for': '1m' },
    ruleEvaluationFailing: { window: '10m', 'for': '1m' },
  },
}
