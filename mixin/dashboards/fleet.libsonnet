// grafana/dashboards/fleet.json; the panel ids are part of the alerts' dashboard_url links (viewPanel), keep them.
{
  local c = $._config,
  local g = (import 'lib.libsonnet')(c),

  grafanaDashboards+:: {
    'fleet.json': g.dashboard(
      'fleet',
      'poolwatch / Fleet',
      'Every instance and pool at a glance: health, latency, errors, WAL and alerts, one row per pool of each instance, linking to the pool\'s detail dashboard for that instance.',
      [
      g.stat(
        1,
        'Instances up',
        [0, 0, 5, 5],
        'Exporters of the poolwatch job that answered their last scrape, of all that Prometheus knows. An instance that is down has no rows below: SqlitePoolExporterDown fires for it.',
        [
          g.q('count((up{%(sel)s} and on (%(ids)s) present_over_time(poolwatch_build_info{%(sel)s}[$__range])) == 1) or vector(0)'),
        ],
        'none',
        decimals=0,
        textMode='value',
      ),
      g.stat(
        2,
        'Pools',
        [5, 0, 5, 5],
        'Pools reporting a health score, over every selected instance.',
        [g.q('count(pool:sqlite_pool_health:score{%(sel)s, pool=~"$pool"}) or vector(0)')],
        'none',
        decimals=0,
        textMode='value',
      ),
      g.stat(
        3,
        'Pools below ' + c.healthScore.degraded,
        [10, 0, 5, 5],
        'Pools whose health score is below %d (degraded); the table below lists them first.' % c.healthScore.degraded,
        [g.q('count(pool:sqlite_pool_health:score{%(sel)s, pool=~"$pool"} < ' + c.healthScore.degraded + ') or vector(0)')],
        'none',
        steps=g.steps([g.step('green'), g.step('orange', 1)]),
        decimals=0,
        textMode='value',
      ),
      g.stat(
        4,
        'Alerts firing in the fleet',
        [15, 0, 4, 5],
        'SqlitePool* alerts firing now on the selected instances and pools.',
        [
          g.q('count(ALERTS{alertstate="firing", alertname=~"SqlitePool.*", %(alerts)s, pool=~"$pool|"}) or vector(0)'),
        ],
        'none',
        steps=g.steps([g.step('green'), g.step('red', 1)]),
        decimals=0,
        textMode='value',
      ),
      g.stat(
        5,
        'Relayed recovery alerts in the window',
        [19, 0, 5, 5],
        'Alerts the fleet relay handled in the dashboard\'s time range, by outcome: relayed to their owner, or refused (unknown_instance, misdirected) or failed. Anything but relayed means Alertmanager or the peer list needs a look (docs/fleet.md).',
        [
          g.q('sum by (outcome) (increase(poolwatch_fleet_alerts_total{%(sel)s}[$__range])) or vector(0)', '{{outcome}}'),
        ],
        'none',
        decimals=0,
        textMode='value',
      ),
      g.table(
        6,
        'Every pool of every instance',
        [0, 5, 24, 12],
        'One row per pool of each instance, worst health first; click a header to sort by it. Health score (0-100), the p99 time to get a connection (worst role), SQLite errors per acquire attempt, the WAL file\'s size and the SqlitePool alerts firing for the pool, all over 5 minutes from the recording rules. The pool opens its detail dashboard for that instance, the instance its overview.',
        [
          g.q('min by (%(ids)s, pool) (pool:sqlite_pool_health:score{%(sel)s, pool=~"$pool"})', instant=true, format='table'),
          g.q('max by (%(ids)s, pool) (pool_role:sqlite_pool_acquire_seconds:p99_rate5m{%(sel)s, pool=~"$pool"})', instant=true, format='table'),
          g.q('max by (%(ids)s, pool) (pool:sqlite_pool_errors_per_acquire_attempts:ratio_rate5m{%(sel)s, pool=~"$pool"})', instant=true, format='table'),
          g.q('max by (%(ids)s, pool) (sqlite_pool_wal_size_bytes{%(sel)s, pool=~"$pool"})', instant=true, format='table'),
          g.q('count by (%(ids)s, pool) (ALERTS{alertstate="firing", alertname=~"SqlitePool.*", %(alerts)s, pool=~"$pool"})\nor on (%(ids)s, pool)\n0 * min by (%(ids)s, pool) (pool:sqlite_pool_health:score{%(sel)s, pool=~"$pool"})', instant=true, format='table'),
        ],
        'none',
        [
          { id: 'merge', options: {} },
          g.organize(['pool', 'Value #A', 'Value #B', 'Value #C', 'Value #D', 'Value #E'], renameLabels=false),
        ],
        [{ displayName: 'Health score', desc: false }],
        // The label columns keep their names, which the links read; instance links to its overview.
        overrides=[
          {
            matcher: { id: 'byName', options: l },
            properties: [{ id: 'displayName', value: g.title(l) }],
          }
          for l in g.shownLabels if l != 'instance'
        ] + [
          {
            matcher: { id: 'byName', options: 'instance' },
            properties: [
              { id: 'displayName', value: 'Instance' },
              {
                id: 'links',
                value: [
                  {
                    title: 'Open this instance\'s overview',
                    url: g.rowLink('overview', function(l) l),
                  },
                ],
              },
            ],
          },
          {
            matcher: { id: 'byName', options: 'pool' },
            properties: [
              { id: 'displayName', value: 'Pool' },
              {
                id: 'links',
                value: [
                  {
                    title: 'Open this pool\'s detail',
                    url: g.rowLink('poolDetail', function(l) l, after=['var-pool=${__data.fields.pool}']),
                  },
                ],
              },
            ],
          },
          {
            matcher: { id: 'byName', options: 'Value #A' },
            properties: [
              { id: 'displayName', value: 'Health score' },
              { id: 'decimals', value: 0 },
              {
                id: 'thresholds',
                value: g.healthSteps,
              },
              { id: 'custom.cellOptions', value: { type: 'color-background' } },
            ],
          },
          {
            matcher: { id: 'byName', options: 'Value #B' },
            properties: [{ id: 'displayName', value: 'p99 acquire' }, { id: 'unit', value: 's' }],
          },
          {
            matcher: { id: 'byName', options: 'Value #C' },
            properties: [{ id: 'displayName', value: 'Errors per attempt' }, { id: 'unit', value: 'percentunit' }],
          },
          {
            matcher: { id: 'byName', options: 'Value #D' },
            properties: [{ id: 'displayName', value: 'WAL size' }, { id: 'unit', value: 'bytes' }],
          },
          {
            matcher: { id: 'byName', options: 'Value #E' },
            properties: [
              { id: 'displayName', value: 'Firing alerts' },
              {
                id: 'thresholds',
                value: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'red', value: 1 }] },
              },
              { id: 'custom.cellOptions', value: { type: 'color-text' } },
            ],
          },
        ],
      ),
      g.table(
        7,
        'Firing alerts by pool',
        [0, 17, 24, 6],
        'SqlitePool* alerts firing now in the whole fleet, with the instance and pool they concern. Recovery alerts are acted on by that instance only (docs/recovery.md#many-instances).',
        [
          g.q('max by (alertname, severity, %(ids)s, pool) (ALERTS{alertstate="firing", alertname=~"SqlitePool.*", %(alerts)s, pool=~"$pool|"})', instant=true, format='table'),
        ],
        'none',
        [
          g.organize(['alertname', 'severity', 'pool'], { alertname: 'Alert', severity: 'Severity', pool: 'Pool' },
                     { Value: true }, labelsAt=2),
        ],
        [{ displayName: 'Severity', desc: false }],
      ),
      g.timeseries(
        8,
        'Health score by instance',
        [0, 23, 12, 8],
        'Each pool\'s health score over time, one line per instance and pool: a fleet-wide dip points at a shared cause (disk, load), a single line at one instance.',
        [
          g.q('min by (%(ids)s, pool) (pool:sqlite_pool_health:score{%(sel)s, pool=~"$pool"})', '%(legend)s {{pool}}'),
        ],
        'none',
        max=100,
      ),
      g.timeseries(
        9,
        'p99 acquire by instance',
        [12, 23, 12, 8],
        'The p99 time to get a connection, worst role of each pool, per instance, from the 5-minute recording rule.',
        [
          g.q('max by (%(ids)s, pool) (pool_role:sqlite_pool_acquire_seconds:p99_rate5m{%(sel)s, pool=~"$pool"})', '%(legend)s {{pool}}'),
        ],
        's',
        min=null,
      ),
      g.timeseries(
        10,
        'WAL size by instance',
        [0, 31, 12, 8],
        'Size of each pool\'s -wal file per instance. One growing while the others stay flat is a checkpoint starved on that instance (SqlitePoolWalTooLarge).',
        [
          g.q('max by (%(ids)s, pool) (sqlite_pool_wal_size_bytes{%(sel)s, pool=~"$pool"})', '%(legend)s {{pool}}'),
        ],
        'bytes',
        min=null,
      ),
      g.timeseries(
        11,
        'Errors per acquire attempt by instance',
        [12, 31, 12, 8],
        'SQLite errors per acquire attempt over 5 minutes, per instance and pool.',
        [
          g.q('max by (%(ids)s, pool) (pool:sqlite_pool_errors_per_acquire_attempts:ratio_rate5m{%(sel)s, pool=~"$pool"})', '%(legend)s {{pool}}'),
        ],
        'percentunit',
        min=null,
      ),
      ],
      annotationPerInstance=true,
    ),
  },
}
