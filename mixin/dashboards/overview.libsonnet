// grafana/dashboards/overview.json; the panel ids are part of the alerts' dashboard_url links (viewPanel), keep them.
{
  local c = $._config,
  local g = (import 'lib.libsonnet')(c),

  grafanaDashboards+:: {
    'overview.json': g.dashboard(
      'overview',
      'poolwatch / Overview',
      'Every SQLite pool at a glance: health, state, saturation, latency, errors, alerts and recovery.',
      [
      g.row(1, 'Health', 0),
      g.stat(
        2,
        'Health score',
        [0, 1, 6, 5],
        'Composite 0-100 health of each pool, from the recording rule pool:sqlite_pool_health:score (saturation, timeouts, errors and latency). Below %d is degraded, below %d needs attention (SqlitePoolHealthScoreLow).' % [c.healthScore.degraded, c.healthScore.below],
        [g.q('pool:sqlite_pool_health:score{%(sel)s, pool=~"$pool"}', '%(legend)s {{pool}}')],
        'none',
        steps=g.healthSteps,
        decimals=0,
        min=0,
        max=100,
        graphMode='area',
      ),
      g.stateTimeline(
        3,
        'Pool state',
        [6, 1, 10, 5],
        'Lifecycle state of each pool over time (open, paused, restarting, closed). Anything but open means callers cannot get connections.',
        [
          g.q('max by (%(ids)s, pool) (\n  sqlite_pool_state{%(sel)s, pool=~"$pool", state="open"} * 1\n  or\n  sqlite_pool_state{%(sel)s, pool=~"$pool", state="paused"} * 2\n  or\n  sqlite_pool_state{%(sel)s, pool=~"$pool", state="restarting"} * 3\n  or\n  sqlite_pool_state{%(sel)s, pool=~"$pool", state="closed"} * 4\n)', '%(legend)s {{pool}}'),
        ],
        [
          {
            type: 'value',
            options: {
              '1': { text: 'open', color: 'green', index: 0 },
              '2': { text: 'paused', color: 'orange', index: 1 },
              '3': { text: 'restarting', color: 'yellow', index: 2 },
              '4': { text: 'closed', color: 'red', index: 3 },
            },
          },
        ],
      ),
      g.stat(
        4,
        'Alerts firing now',
        [16, 1, 3, 5],
        'Number of SqlitePool* alerts firing now for the selected pools, including alerts that have no pool label (exporter down, remediation storm).',
        [
          g.q('count(ALERTS{alertstate="firing", alertname=~"SqlitePool.*", %(alerts)s, pool=~"$pool|"}) or vector(0)', 'firing'),
        ],
        'short',
        steps=g.steps([g.step('green'), g.step('red', 1)]),
        decimals=0,
        textMode='value',
      ),
      g.stat(
        5,
        'Exporter up',
        [19, 1, 5, 5],
        'Whether Prometheus\' last scrape of each poolwatch exporter succeeded: targets of the selected jobs that published poolwatch_build_info within the time range, so other targets of a shared Prometheus stay out. When one is down every other panel goes blank or stale for it.',
        [
          g.q('up{%(sel)s}\nand on (%(ids)s)\npresent_over_time(poolwatch_build_info{%(sel)s}[$__range])', '{{job}} %(legend)s'),
        ],
        'none',
        steps=g.steps([g.step('red'), g.step('green', 1)]),
        mappings=[
          {
            type: 'value',
            options: { '0': { text: 'down', color: 'red', index: 0 }, '1': { text: 'up', color: 'green', index: 1 } },
          },
        ],
      ),
      g.table(
        6,
        'Firing alerts by pool',
        [0, 6, 24, 6],
        'SqlitePool* alerts firing now (from the ALERTS series), with severity and the pool they concern. The alert\'s dashboard_url annotation links to the panel that explains it.',
        [
          g.q('max by (alertname, severity, %(ids)s, pool, role) (ALERTS{alertstate="firing", alertname=~"SqlitePool.*", %(alerts)s, pool=~"$pool|"})', instant=true, format='table'),
        ],
        'none',
        [
          g.organize(['alertname', 'severity', 'pool', 'role'],
                     { alertname: 'Alert', severity: 'Severity', pool: 'Pool', role: 'Role' }, { Value: true }),
        ],
        [{ displayName: 'Severity', desc: false }],
      ),
      g.row(7, 'Connections', 20),
      g.table(
        8,
        'Connections by instance, pool and role',
        [0, 21, 12, 8],
        'Current connections per instance, pool and role: borrowed (in use), idle, the configured maximum, and callers waiting. The writer role always has a maximum of 1. Click a pool to open its detail dashboard.',
        [
          g.q('sum by (%(ids)s, pool, role) (sqlite_pool_connections{%(sel)s, pool=~"$pool", state="active"})', instant=true, format='table'),
          g.q('sum by (%(ids)s, pool, role) (sqlite_pool_connections{%(sel)s, pool=~"$pool", state="idle"})', instant=true, format='table'),
          g.q('sum by (%(ids)s, pool, role) (sqlite_pool_connections_max{%(sel)s, pool=~"$pool"})', instant=true, format='table'),
          g.q('sum by (%(ids)s, pool, role) (sqlite_pool_connections_pending{%(sel)s, pool=~"$pool"})', instant=true, format='table'),
        ],
        'short',
        [
          { id: 'merge', options: {} },
          g.organize(['pool', 'role', 'Value #A', 'Value #B', 'Value #C', 'Value #D'], {
            pool: 'Pool',
            role: 'Role',
            'Value #A': 'In use',
            'Value #B': 'Idle',
            'Value #C': 'Max',
            'Value #D': 'Waiting',
          }),
        ],
        [{ displayName: 'Pool', desc: false }],
        overrides=[
          {
            matcher: { id: 'byName', options: 'Pool' },
            properties: [
              {
                id: 'links',
                value: [
                  {
                    title: 'Open pool detail',
                    url: g.rowLink('poolDetail', g.title, first=['var-pool=${__value.raw}']),
                  },
                ],
              },
            ],
          },
          {
            matcher: { id: 'byName', options: 'Waiting' },
            properties: [
              { id: 'custom.cellOptions', value: { type: 'color-text' } },
              {
                id: 'thresholds',
                value: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'red', value: 1 }] },
              },
            ],
          },
        ],
      ),
      g.timeseries(
        9,
        'Connection utilisation',
        [12, 21, 6, 8],
        'Borrowed connections divided by the role\'s maximum. The writer lane holds one connection, so it reads 0 % or 100 %: judge the writer by callers waiting, the readers by this ratio.',
        [
          g.q('sum by (%(ids)s, pool, role) (sqlite_pool_connections{%(sel)s, pool=~"$pool", state="active"})\n/\nsum by (%(ids)s, pool, role) (sqlite_pool_connections_max{%(sel)s, pool=~"$pool"})', '%(legend)s {{pool}}/{{role}}'),
        ],
        'percentunit',
        max=1,
      ),
      g.timeseries(
        10,
        'Callers waiting',
        [18, 21, 6, 8],
        'Callers blocked waiting for a connection right now, per pool and role. A sustained non-zero value means the role is saturated.',
        [
          g.q('sum by (%(ids)s, pool, role) (sqlite_pool_connections_pending{%(sel)s, pool=~"$pool"})', '%(legend)s {{pool}}/{{role}}'),
        ],
        'short',
        decimals=0,
      ),
      g.row(11, 'Latency and errors', 29),
      g.timeseries(
        12,
        'Acquire latency',
        [0, 30, 12, 8],
        'p50, p95 and p99 time to get a connection, per pool and role, from the acquire histogram. The 50 ms bucket boundary is the latency target the alerts use. Timed-out attempts count at the time they waited, so under saturation the quantiles are not biased toward the callers that got a connection.',
        [
          g.q('histogram_quantile(0.5, sum by (%(ids)s, pool, role, le) (rate(sqlite_pool_acquire_seconds_bucket{%(sel)s, pool=~"$pool"}[$__rate_interval])))', '%(legend)s {{pool}}/{{role}} p50'),
          g.q('histogram_quantile(0.95, sum by (%(ids)s, pool, role, le) (rate(sqlite_pool_acquire_seconds_bucket{%(sel)s, pool=~"$pool"}[$__rate_interval])))', '%(legend)s {{pool}}/{{role}} p95'),
          g.q('histogram_quantile(0.99, sum by (%(ids)s, pool, role, le) (rate(sqlite_pool_acquire_seconds_bucket{%(sel)s, pool=~"$pool"}[$__rate_interval])))', '%(legend)s {{pool}}/{{role}} p99'),
        ],
        's',
        steps=g.steps([g.step('green'), g.step('red', c.acquireLatency.seconds)]),
        thresholdsStyle='line',
      ),
      g.timeseries(
        13,
        'Acquire timeout ratio',
        [12, 30, 6, 8],
        'Share of acquire attempts that timed out: acquire histogram observations with outcome="timeout" over all of them. Empty while a role has no attempts.',
        [
          g.q('sum by (%(ids)s, pool, role) (rate(sqlite_pool_acquire_seconds_count{%(sel)s, pool=~"$pool", outcome="timeout"}[$__rate_interval]))\n/\nsum by (%(ids)s, pool, role) (rate(sqlite_pool_acquire_seconds_count{%(sel)s, pool=~"$pool"}[$__rate_interval]))', '%(legend)s {{pool}}/{{role}}'),
        ],
        'percentunit',
      ),
      g.timeseries(
        14,
        'SQLite errors by kind',
        [18, 30, 6, 8],
        'SQLite errors per second raised on the pool\'s connections, by result-code class, each kind in a fixed colour (corrupt red, readonly dark red, full purple, busy yellow, locked orange, io dark orange, constraint blue, application light blue, other grey).',
        [
          g.q('sum by (%(ids)s, pool, kind) (rate(sqlite_pool_errors_total{%(sel)s, pool=~"$pool"}[$__rate_interval]))', '%(legend)s {{pool}} {{kind}}'),
        ],
        'cps',
        overrides=[
          {
            matcher: { id: 'byRegexp', options: '.* busy$' },
            properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'yellow' } }],
          },
          {
            matcher: { id: 'byRegexp', options: '.* locked$' },
            properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'orange' } }],
          },
          {
            matcher: { id: 'byRegexp', options: '.* full$' },
            properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'purple' } }],
          },
          {
            matcher: { id: 'byRegexp', options: '.* readonly$' },
            properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'dark-red' } }],
          },
          {
            matcher: { id: 'byRegexp', options: '.* corrupt$' },
            properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }],
          },
          {
            matcher: { id: 'byRegexp', options: '.* io$' },
            properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'dark-orange' } }],
          },
          {
            matcher: { id: 'byRegexp', options: '.* constraint$' },
            properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'blue' } }],
          },
          {
            matcher: { id: 'byRegexp', options: '.* application$' },
            properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'light-blue' } }],
          },
          {
            matcher: { id: 'byRegexp', options: '.* other$' },
            properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: '#8e8e8e' } }],
          },
        ],
        stack=true,
      ),
      g.row(15, 'Recovery', 38),
      g.stat(
        16,
        'Recovery decisions in the window',
        [0, 39, 16, 5],
        'Decisions the recovery endpoint took over the dashboard\'s time range, by outcome (executed, succeeded, failed, deduplicated, cooled_down, budget_suspended, dry_run, rejected, resolved). increase() extrapolates, so counts are approximate.',
        [
          g.q('sum by (outcome) (increase(poolwatch_recovery_actions_total{%(sel)s, pool=~"$pool"}[$__range]))', '{{outcome}}', instant=true),
        ],
        'short',
        steps=g.steps([g.step('text')]),
        decimals=0,
        overrides=[
          {
            matcher: { id: 'byName', options: 'failed' },
            properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }],
          },
          {
            matcher: { id: 'byName', options: 'succeeded' },
            properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'green' } }],
          },
          {
            matcher: { id: 'byName', options: 'budget_suspended' },
            properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'orange' } }],
          },
        ],
        colorMode='value',
      ),
      g.stat(
        17,
        'Remediation circuit',
        [16, 39, 8, 5],
        'Open while the recovery action budget is exhausted: alerts still arrive but remediation is suspended until the budget refills.',
        [g.q('max by (%(ids)s) (poolwatch_recovery_circuit_open{%(sel)s})', '%(legend)s')],
        'none',
        steps=g.steps([g.step('green'), g.step('red', 1)]),
        mappings=[
          {
            type: 'value',
            options: {
              '0': { text: 'closed', color: 'green', index: 0 },
              '1': { text: 'open: suspended', color: 'red', index: 1 },
            },
          },
        ],
      ),
      g.timeseries(
        18,
        'Acquires per second',
        [0, 12, 12, 8],
        'Connections handed out per second (traffic), per instance, pool and role, and callers that gave up (timeout). A drop to zero with callers waiting means the pool is stuck; a drop with nobody waiting means no load.',
        [
          g.q('sum by (%(ids)s, pool, role, outcome) (rate(sqlite_pool_acquire_seconds_count{%(sel)s, pool=~"$pool"}[$__rate_interval]))', '%(legend)s {{pool}}/{{role}} {{outcome}}'),
        ],
        'ops',
        decimals=0,
      ),
      g.timeseries(
        19,
        'Health score penalties',
        [12, 12, 12, 8],
        'The points each component takes off the health score (100 minus their sum), from the recording rule pool:sqlite_pool_health:penalty: utilization (max 20), timeouts (max 40), errors (max 20), latency (max 20). Shows which signal pulled a score down.',
        [
          g.q('pool:sqlite_pool_health:penalty{%(sel)s, pool=~"$pool"}', '%(legend)s {{pool}} {{component}}'),
        ],
        'none',
        decimals=0,
        stack=true,
      ),
      ],
    ),
  },
}
