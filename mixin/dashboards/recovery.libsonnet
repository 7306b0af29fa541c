// grafana/dashboards/recovery.json; the panel ids are part of the alerts' dashboard_url links (viewPanel), keep them.
{
  local g = (import 'lib.libsonnet')($._config),

  grafanaDashboards+:: {
    'recovery.json': g.dashboard(
      'recovery',
      'poolwatch / Recovery & alerts',
      'What alerts fired and what the recovery endpoint did about them: actions, outcomes, durations, cooldowns and the action budget.',
      [
      g.row(1, 'Alerts', 0),
      g.stat(
        2,
        'Firing alerts by severity',
        [0, 1, 6, 8],
        'SqlitePool* alerts firing now, by severity, for the selected pools (alerts without a pool label included).',
        [
          g.q('count by (severity) (ALERTS{alertstate="firing", alertname=~"SqlitePool.*", %(alerts)s, pool=~"$pool|"})', '{{severity}}'),
        ],
        'short',
        steps=g.steps([g.step('text')]),
        decimals=0,
        overrides=[
          {
            matcher: { id: 'byName', options: 'critical' },
            properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }],
          },
          {
            matcher: { id: 'byName', options: 'warning' },
            properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'orange' } }],
          },
          {
            matcher: { id: 'byName', options: 'info' },
            properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'blue' } }],
          },
        ],
        colorMode='value',
      ),
      g.stateTimeline(
        3,
        'Alert history',
        [6, 1, 18, 8],
        'When each SqlitePool* alert was firing, per alert and pool. Compare with the recovery annotations to see whether an action resolved it.',
        [
          g.q('max by (alertname, %(ids)s, pool) (ALERTS{alertstate="firing", alertname=~"SqlitePool.*", %(alerts)s, pool=~"$pool|"})', '{{alertname}} %(legend)s {{pool}}'),
        ],
        [{ type: 'value', options: { '1': { text: 'firing', color: 'red', index: 0 } } }],
      ),
      g.row(4, 'Recovery actions', 9),
      g.timeseries(
        5,
        'Recovery decisions by action and outcome',
        [0, 10, 12, 8],
        'Recovery decisions per minute by action and outcome. executed/succeeded/failed are actions that ran; the other outcomes are alerts the endpoint chose not to act on.',
        [
          g.q('60 * sum by (action, outcome) (rate(poolwatch_recovery_actions_total{%(sel)s, pool=~"$pool"}[$__rate_interval]))', '{{action}} {{outcome}}'),
        ],
        'cpm',
        stack=true,
        bars=true,
      ),
      g.table(
        6,
        'Recovery decisions in the window',
        [12, 10, 12, 8],
        'Decisions over the dashboard\'s time range per pool, action and outcome. increase() extrapolates, so counts are approximate.',
        [
          g.q('round(sum by (%(ids)s, pool, action, outcome) (increase(poolwatch_recovery_actions_total{%(sel)s, pool=~"$pool"}[$__range])) > 0)', instant=true, format='table'),
        ],
        'short',
        [
          g.organize(['pool', 'action', 'outcome', 'Value'],
                     { pool: 'Pool', action: 'Action', outcome: 'Outcome', Value: 'Count' }),
        ],
        [{ displayName: 'Count', desc: true }],
      ),
      g.stat(
        7,
        'Failed actions in the window',
        [0, 18, 8, 5],
        'Actions that ran and failed over the dashboard\'s time range, per instance, pool and action. Read by SqlitePoolRecoveryFailing.',
        [
          g.q('sum by (%(ids)s, pool, action) (increase(poolwatch_recovery_actions_total{%(sel)s, pool=~"$pool", outcome="failed"}[$__range]))', '%(legend)s {{pool}} {{action}}', instant=true),
        ],
        'short',
        steps=g.steps([g.step('green'), g.step('red', 1)]),
        decimals=0,
      ),
      g.stat(
        8,
        'Dry runs and deduplicated alerts in the window',
        [8, 18, 8, 5],
        'Alerts the endpoint answered without acting over the dashboard\'s time range: dry_run (would have acted), deduplicated (same alert already handled) and rejected (bad request or token).',
        [
          g.q('sum by (outcome) (increase(poolwatch_recovery_actions_total{%(sel)s, pool=~"$pool", outcome=~"dry_run|deduplicated|rejected"}[$__range]))', '{{outcome}}', instant=true),
        ],
        'short',
        steps=g.steps([g.step('text')]),
        decimals=0,
        colorMode='value',
      ),
      g.stat(
        9,
        'Cooled down and budget-suspended in the window',
        [16, 18, 8, 5],
        'Actions skipped over the dashboard\'s time range because the same action ran too recently (cooled_down) or the action budget was exhausted (budget_suspended).',
        [
          g.q('sum by (outcome) (increase(poolwatch_recovery_actions_total{%(sel)s, pool=~"$pool", outcome=~"cooled_down|budget_suspended"}[$__range]))', '{{outcome}}', instant=true),
        ],
        'short',
        steps=g.steps([g.step('text')]),
        decimals=0,
        overrides=[
          {
            matcher: { id: 'byName', options: 'budget_suspended' },
            properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'orange' } }],
          },
        ],
        colorMode='value',
      ),
      g.row(10, 'Durations', 23),
      g.timeseries(
        11,
        'Action duration',
        [0, 24, 12, 8],
        'p50 and p95 time an executed action took, per action. Actions are rare, so the lines are gaps except around actions; the table beside covers the whole window.',
        [
          g.q('histogram_quantile(0.5, sum by (action, le) (rate(poolwatch_recovery_action_duration_seconds_bucket{%(sel)s, pool=~"$pool"}[$__rate_interval])))', '{{action}} p50'),
          g.q('histogram_quantile(0.95, sum by (action, le) (rate(poolwatch_recovery_action_duration_seconds_bucket{%(sel)s, pool=~"$pool"}[$__rate_interval])))', '{{action}} p95'),
        ],
        's',
        calcs=['max', 'lastNotNull'],
      ),
      g.table(
        12,
        'Action duration over the window',
        [12, 24, 12, 8],
        'p50, p95 and p99 time an executed action took, per action, from the histogram buckets filled over the dashboard\'s whole time range: the durations of rare actions are not lost between points.',
        [
          g.q('histogram_quantile(0.5, sum by (action, le) (increase(poolwatch_recovery_action_duration_seconds_bucket{%(sel)s, pool=~"$pool"}[$__range])))', instant=true, format='table'),
          g.q('histogram_quantile(0.95, sum by (action, le) (increase(poolwatch_recovery_action_duration_seconds_bucket{%(sel)s, pool=~"$pool"}[$__range])))', instant=true, format='table'),
          g.q('histogram_quantile(0.99, sum by (action, le) (increase(poolwatch_recovery_action_duration_seconds_bucket{%(sel)s, pool=~"$pool"}[$__range])))', instant=true, format='table'),
        ],
        's',
        [
          { id: 'merge', options: {} },
          {
            id: 'organize',
            options: {
              excludeByName: { Time: true },
              indexByName: { action: 0, 'Value #A': 1, 'Value #B': 2, 'Value #C': 3 },
              renameByName: { action: 'Action', 'Value #A': 'p50', 'Value #B': 'p95', 'Value #C': 'p99' },
            },
          },
        ],
        [{ displayName: 'p95', desc: true }],
      ),
      g.row(13, 'Cooldowns and budget', 32),
      g.timeseries(
        14,
        'Cooldown remaining',
        [0, 33, 8, 8],
        'Seconds until each pool and action may run again. While above zero, alerts asking for that action are answered cooled_down.',
        [
          g.q('max by (%(ids)s, pool, action) (poolwatch_recovery_cooldown_remaining_seconds{%(sel)s, pool=~"$pool"}) > 0', '%(legend)s {{pool}} {{action}}'),
        ],
        's',
      ),
      g.stateTimeline(
        15,
        'Remediation circuit',
        [8, 33, 8, 8],
        'Closed while actions are within budget; open while the action budget is exhausted and remediation is suspended. Read by SqlitePoolRecoveryCircuitOpen.',
        [g.q('max by (%(ids)s) (poolwatch_recovery_circuit_open{%(sel)s})', '%(legend)s')],
        [
          {
            type: 'value',
            options: {
              '0': { text: 'closed', color: 'green', index: 0 },
              '1': { text: 'open: suspended', color: 'red', index: 1 },
            },
          },
        ],
      ),
      g.table(
        16,
        'Time since last successful action',
        [16, 33, 8, 8],
        'How long ago each action last succeeded, per pool. Actions that never succeeded are not listed.',
        [
          g.q('time() - max by (%(ids)s, pool, action) (poolwatch_recovery_last_success_timestamp_seconds{%(sel)s, pool=~"$pool"} > 0)', instant=true, format='table'),
        ],
        's',
        [
          g.organize(['pool', 'action', 'Value'], { pool: 'Pool', action: 'Action', Value: 'Since last success' }),
        ],
        [{ displayName: 'Since last success', desc: false }],
      ),
      ],
    ),
  },
}
