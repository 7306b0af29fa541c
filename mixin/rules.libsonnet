// Recording rules: prometheus/rules/poolwatch.rules.yml. The comment of each rule is generated with it.
{
  local c = self._config,
  local ids = std.join(', ', c.identifyingLabels),
  local sel = c.selector,

  prometheusRules+:: {
    groups+: [{
      name: 'sqlite-pool.rules',
      rules: [
        {
          record: 'pool_role:sqlite_pool_acquire_seconds_bucket:rate5m',
          expr: 'sum by (%s, pool, role, le) (rate(sqlite_pool_acquire_seconds_bucket{%s}[5m]))' % [ids, sel],
          comment:: |||
            Acquire latency. Quantiles are computed from bucket rates summed first, never from other quantiles; dashboards
            can aggregate the bucket rule further, e.g. for one p95 over both roles of a pool.
          |||,
        },
        {
          record: 'pool_role:sqlite_pool_acquire_seconds:p50_rate5m',
          expr: 'histogram_quantile(0.50, pool_role:sqlite_pool_acquire_seconds_bucket:rate5m)',
        },
        {
          record: 'pool_role:sqlite_pool_acquire_seconds:p95_rate5m',
          expr: 'histogram_quantile(0.95, pool_role:sqlite_pool_acquire_seconds_bucket:rate5m) >= 0',
          comment:: |||
            ">= 0" drops the NaN of a role without acquires, so the baseline below is the median of the minutes that had
            traffic: a role idle most of the hour keeps a baseline instead of a NaN that would silence its alert.
          |||,
        },
        {
          record: 'pool_role:sqlite_pool_acquire_seconds:p99_rate5m',
          expr: 'histogram_quantile(0.99, pool_role:sqlite_pool_acquire_seconds_bucket:rate5m)',
        },
        {
          record: 'pool_role:sqlite_pool_acquire_seconds:median1h_p95_rate5m',
          expr: 'quantile_over_time(0.5, pool_role:sqlite_pool_acquire_seconds:p95_rate5m[%s] offset %s)'
                % [c.performanceDegraded.baselineWindow, c.performanceDegraded.baselineOffset],
          comment:: |||
            Baseline of SqlitePoolPerformanceDegraded, not a latency to display: the typical 5-minute p95 of an hour that
            ended an hour ago. The offset keeps a regression out of its own baseline for that long; the median of the
            hour's 5-minute p95s follows a sustained regression only after half the window more.
          |||,
        },

        {
          record: 'pool_role:sqlite_pool_connections_utilization:ratio',
          expr: |||
            sum by (%(ids)s, pool, role) (sqlite_pool_connections{%(sel)s, state="active"})
            /
            sum by (%(ids)s, pool, role) (sqlite_pool_connections_max{%(sel)s})
          ||| % { ids: ids, sel: sel },
          comment:: 'Connections in use. The 5-minute average smooths the instant snapshot for the health score.',
        },
        {
          record: 'pool_role:sqlite_pool_connections_utilization:ratio_avg5m',
          expr: |||
            sum by (%(ids)s, pool, role) (avg_over_time(sqlite_pool_connections{%(sel)s, state="active"}[5m]))
            /
            sum by (%(ids)s, pool, role) (avg_over_time(sqlite_pool_connections_max{%(sel)s}[5m]))
          ||| % { ids: ids, sel: sel },
        },

        {
          record: 'pool_role:sqlite_pool_acquire_seconds_count:rate5m',
          expr: 'sum by (%s, pool, role) (rate(sqlite_pool_acquire_seconds_count{%s, outcome="acquired"}[5m]))' % [ids, sel],
          comment:: 'Acquire attempts: _count counts successful acquires only, so a caller that timed out is added back.',
        },
        {
          record: 'pool_role:sqlite_pool_timeouts:rate5m',
          expr: |||
            sum by (%(ids)s, pool, role) (rate(sqlite_pool_timeouts_total{%(sel)s}[5m]))
            or
            0 * pool_role:sqlite_pool_acquire_seconds_count:rate5m
          ||| % { ids: ids, sel: sel },
          comment:: |||
            "or 0 * ..." makes a counter that has no series yet count as 0 instead of removing the role from every
            ratio below; an exporter that registers its counters lazily would otherwise hide healthy pools.
          |||,
        },
        {
          record: 'pool_role:sqlite_pool_acquire_attempts:rate5m',
          expr: 'pool_role:sqlite_pool_acquire_seconds_count:rate5m + pool_role:sqlite_pool_timeouts:rate5m',
        },
        {
          record: 'pool:sqlite_pool_acquire_attempts:rate5m',
          expr: 'sum by (%s, pool) (pool_role:sqlite_pool_acquire_attempts:rate5m)' % ids,
        },

        {
          record: 'pool_role:sqlite_pool_timeouts:ratio_rate5m',
          expr: 'pool_role:sqlite_pool_timeouts:rate5m / pool_role:sqlite_pool_acquire_attempts:rate5m',
          comment:: 'Timeouts are a part of the attempts: a ratio between 0 and 1.',
        },
        {
          record: 'pool:sqlite_pool_timeouts:ratio_rate5m',
          expr: |||
            sum by (%(ids)s, pool) (pool_role:sqlite_pool_timeouts:rate5m)
            /
            pool:sqlite_pool_acquire_attempts:rate5m
          ||| % { ids: ids },
        },

        {
          record: 'pool_kind:sqlite_pool_errors:rate5m',
          expr: 'sum by (%s, pool, kind) (rate(sqlite_pool_errors_total{%s}[5m]))' % [ids, sel],
          comment:: |||
            Errors of every kind, constraint and application included. They are counted per acquire attempt because the
            pool does not count statements; one borrow can raise several errors, so this is a "per" and can exceed 1.
          |||,
        },
        {
          record: 'pool_role:sqlite_pool_errors:rate5m',
          expr: |||
            sum by (%(ids)s, pool, role) (rate(sqlite_pool_errors_total{%(sel)s}[5m]))
            or
            0 * pool_role:sqlite_pool_acquire_seconds_count:rate5m
          ||| % { ids: ids, sel: sel },
        },
        {
          record: 'pool_role:sqlite_pool_errors_per_acquire_attempts:ratio_rate5m',
          expr: 'pool_role:sqlite_pool_errors:rate5m / pool_role:sqlite_pool_acquire_attempts:rate5m',
        },
        {
          record: 'pool:sqlite_pool_errors_per_acquire_attempts:ratio_rate5m',
          expr: |||
            sum by (%(ids)s, pool) (pool_role:sqlite_pool_errors:rate5m)
            /
            pool:sqlite_pool_acquire_attempts:rate5m
          ||| % { ids: ids },
        },

        {
          record: 'pool:sqlite_pool_health:penalty',
          labels: { component: 'utilization' },
          expr: 'max by (%s, pool) (clamp(100 * pool_role:sqlite_pool_connections_utilization:ratio_avg5m - 80, 0, 20)) >= 0' % ids,
          comment:: |||
            Health score: 100 minus four penalties that add up to at most 100 (docs/alerts.md#health-score).
            Each penalty is a number of points per unit of its signal, capped: utilization 1 point per percentage point
            above 80 % (max 20), timeouts 8 points per 1 % of attempts (max 40), errors 4 points per 1 % (max 20),
            latency 1 point per 10 ms of p95 above 50 ms (max 20).
            Each penalty takes the pool's worst role: a pool whose single writer is saturated is unhealthy however idle
            its readers are. A role without acquires has NaN ratios and no p95; max ignores NaN next to a number, and
            ">= 0" drops the NaN left when no role had acquires, so an idle pool pays no penalty.
          |||,
        },
        {
          record: 'pool:sqlite_pool_health:penalty',
          labels: { component: 'timeouts' },
          expr: 'max by (%s, pool) (clamp(800 * pool_role:sqlite_pool_timeouts:ratio_rate5m, 0, 40)) >= 0' % ids,
        },
        {
          record: 'pool:sqlite_pool_health:penalty',
          labels: { component: 'errors' },
          expr: 'max by (%s, pool) (clamp(400 * pool_role:sqlite_pool_errors_per_acquire_attempts:ratio_rate5m, 0, 20)) >= 0' % ids,
        },
        {
          record: 'pool:sqlite_pool_health:penalty',
          labels: { component: 'latency' },
          expr: 'max by (%s, pool) (clamp(100 * pool_role:sqlite_pool_acquire_seconds:p95_rate5m - 5, 0, 20)) >= 0' % ids,
        },
        {
          record: 'pool:sqlite_pool_health:score',
          expr: 'clamp(100 - sum by (%s, pool) (pool:sqlite_pool_health:penalty), 0, 100)' % ids,
        },

        {
          record: 'instance:sqlite_pool_pools:count',
          expr: 'count by (%s) (group by (%s, pool) (sqlite_pool_state{%s}))' % [ids, ids, sel],
          comment:: |||
            The pools each exporter publishes: which targets are poolwatch's, for SqlitePoolExporterDown and
            SqlitePoolMetricsAbsent, whatever their job is called.
          |||,
        },
      ],
    }],
  },
}
