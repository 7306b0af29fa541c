// Alerts: prometheus/rules/poolwatch.alerts.yml. Every number, window and for: comes from config.libsonnet.
{
  local c = self._config,
  local ids = std.join(', ', c.identifyingLabels),
  local sel = c.selector,
  // The instance and job go along, so a link from one exporter's alert opens that exporter's pool, not every pool of
  // that name.
  local target = 'var-job={{ $labels.job }}&var-instance={{ $labels.instance }}&var-pool={{ $labels.pool }}',
  local poolDashboard(panel) = c.dashboardUrl + c.dashboardUids.poolDetail + '?' + target + '&viewPanel=' + panel,
  local recoveryDashboard(panel) = c.dashboardUrl + c.dashboardUids.recovery + '?' + target + '&viewPanel=' + panel,
  local overviewDashboard(panel) = c.dashboardUrl + c.dashboardUids.overview + '?viewPanel=' + panel,
  local mib(n) = '%d * 1024 * 1024' % n,
  // Thresholds as a person writes them: 0.05, not jsonnet's 0.050000000000000003.
  local num(x) = if x == std.floor(x) then '%d' % x else '%g' % x,

  // name, for:, severity, extra labels, summary, description, dashboard link, expr, and the why as a comment.
  local alert(name, o) = {
    alert: name,
    expr: o.expr,
    'for': o['for'],
    labels: { severity: o.severity } + std.get(o, 'labels', {}),
    annotations: {
      summary: o.summary,
      description: o.description,
      runbook_url: c.runbookUrl % name,
    } + (if std.objectHas(o, 'dashboard') then { dashboard_url: o.dashboard } else {}),
    [if std.get(o, 'comment') != null then 'comment']:: o.comment,
  },

  local p95(window) =
    'histogram_quantile(0.95, sum by (%s, pool, role, le) (rate(sqlite_pool_acquire_seconds_bucket{%s}[%s])))'
    % [ids, sel, window],
  local acquireRate(window) =
    'sum by (%s, pool, role) (rate(sqlite_pool_acquire_seconds_count{%s, outcome="acquired"}[%s]))' % [ids, sel, window],

  local exhausted(role, o, labels, comment) = alert('SqlitePoolExhausted', {
    expr: |||
      quantile_over_time(0.5, sqlite_pool_connections_pending{%(sel)s, role="%(role)s"}[%(w)s]) > 0
      and on (%(ids)s, pool, role)
      quantile_over_time(0.5, pool_role:sqlite_pool_connections_utilization:ratio{role="%(role)s"}[%(w)s]) >= 1
    ||| % { sel: sel, role: role, w: o.window, ids: ids },
    'for': o['for'],
    severity: 'warning',
    labels: labels,
    summary: 'Every connection of a role is in use and callers are waiting.',
    description: 'Callers of pool {{ $labels.pool }} on {{ $labels.instance }} waited for a {{ $labels.role }} connection in most of the last %s while every {{ $labels.role }} connection was in use; median queue {{ $value }}.' % o.window,
    dashboard: poolDashboard(13),
    comment: comment,
  }),

  local leak(withAction) = alert('SqlitePoolConnectionLeak', {
    expr: |||
      sum by (%(ids)s, pool, role) (increase(sqlite_pool_leaks_suspected_total{%(sel)s}[%(w)s])) > 0
      %(join)s on (%(ids)s, pool)
      sqlite_pool_leak_reclaim_timeout_seconds{%(sel)s} > 0
    ||| % { ids: ids, sel: sel, w: c.leak.window, join: if withAction then 'and' else 'unless' },
    'for': c.leak['for'],
    severity: 'warning',
    labels: if withAction then { recovery_action: 'reclaim_leaks' } else {},
    summary: 'A caller has held a pool connection longer than the leak detection threshold.',
    description: if withAction then
      '{{ $labels.role }} connections of pool {{ $labels.pool }} on {{ $labels.instance }} held past leakDetectionThreshold in the last %s: {{ printf "%%.0f" $value }}; the ones still held past leakReclaimTimeout are taken back.' % c.leak.window
    else
      '{{ $labels.role }} connections of pool {{ $labels.pool }} on {{ $labels.instance }} held past leakDetectionThreshold in the last %s: {{ printf "%%.0f" $value }}; leakReclaimTimeout is off, so nothing takes them back.' % c.leak.window,
    dashboard: poolDashboard(18),
    comment: if withAction then |||
      The counter grows once per borrow held past leakDetectionThreshold. reclaim_leaks takes back only borrows held
      past leakReclaimTimeout, so the action is asked for only where that timeout is set: a long batch or VACUUM
      under a pool without it is reported, never rolled back.
    ||| else 'The same leak on a pool whose leakReclaimTimeout is off (or an exporter too old to say): a person decides.',
  }),

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'sqlite-pool-capacity',
        rules: [
          exhausted('reader', c.exhaustedReader, { recovery_action: 'resize_up' }, |||
            Readers and the writer get separate rules because only readers can be added: the writer is a single
            FIFO lane by design, so a queue for it is normal for a while and only a person can shorten it.
            The medians over the window make a queue that touches 0 on a few scrapes still count.
          |||),
          exhausted('writer', c.exhaustedWriter, {}, null),
          alert('SqlitePoolAcquireTimeouts', {
            local o = c.acquireTimeouts,
            expr: |||
              sum by (%(ids)s, pool, role) (rate(sqlite_pool_timeouts_total{%(sel)s}[%(w)s]))
              /
              (
                %(acquires)s
                + sum by (%(ids)s, pool, role) (rate(sqlite_pool_timeouts_total{%(sel)s}[%(w)s]))
              )
              > %(ratio)s
            ||| % { ids: ids, sel: sel, w: o.window, ratio: num(o.ratio), acquires: acquireRate(o.window) },
            'for': o['for'],
            severity: 'warning',
            summary: 'Callers give up waiting for a pool connection.',
            description: '{{ $value | humanizePercentage }} of the {{ $labels.role }} acquire attempts of pool {{ $labels.pool }} on {{ $labels.instance }} timed out over the last %s.' % o.window,
            dashboard: poolDashboard(5),
            comment: 'Timed-out callers are failures no action of the pool answers: a person looks (alertmanager.yml).',
          }),
        ],
      },
      {
        name: 'sqlite-pool-latency',
        rules: [
          alert('SqlitePoolAcquireLatencyHigh', {
            local o = c.acquireLatency,
            expr: |||
              %(p95)s > %(seconds)s
              and on (%(ids)s, pool, role)
              %(acquires)s >= %(minRate)s
            ||| % { p95: p95(o.window), seconds: num(o.seconds), ids: ids, acquires: acquireRate(o.window), minRate: num(o.minRate) },
            'for': o['for'],
            severity: 'warning',
            summary: 'Getting a connection from the pool is slow.',
            description: 'The p95 time to get a {{ $labels.role }} connection of pool {{ $labels.pool }} on {{ $labels.instance }} is {{ $value | humanizeDuration }}, above the %gms target.' % (o.seconds * 1000),
            dashboard: poolDashboard(8),
            comment: 'A p95 needs enough acquires to mean something, so one slow acquire of an almost idle role pages no one.',
          }),
          alert('SqlitePoolPerformanceDegraded', {
            local o = c.performanceDegraded,
            expr: |||
              %(p95)s
              > %(factor)s * pool_role:sqlite_pool_acquire_seconds:median1h_p95_rate5m
              and
              %(p95)s > %(floor)s
              and on (%(ids)s, pool, role)
              %(acquires)s >= %(minRate)s
            ||| % { p95: p95(o.window), factor: num(o.factor), floor: num(o.floorSeconds), ids: ids,
                    acquires: acquireRate(o.window), minRate: num(o.minRate) },
            'for': o['for'],
            severity: 'info',
            labels: { recovery_action: 'optimize' },
            summary: 'Getting a connection is several times slower than it used to be.',
            description: 'The p95 time to get a {{ $labels.role }} connection of pool {{ $labels.pool }} on {{ $labels.instance }} is {{ $value | humanizeDuration }}, more than %s times its median p95 of the hour that ended %s ago.' % [num(o.factor), o.baselineOffset],
            dashboard: poolDashboard(8),
            comment: |||
              Relative to the pool's own past, so it also catches a pool that is normally far below the latency target.
              The floor keeps sub-millisecond noise (0.2 ms to 1 ms is 5 times) quiet.
            |||,
          }),
        ],
      },
      {
        name: 'sqlite-pool-errors',
        rules: [
          alert('SqlitePoolLockContention', {
            local o = c.lockContention,
            expr: 'sum by (%s, pool) (rate(sqlite_pool_errors_total{%s, kind=~"busy|locked"}[%s])) * 60 > %s'
                  % [ids, sel, o.window, num(o.perMinute)],
            'for': o['for'],
            severity: 'warning',
            summary: 'Statements fail because another connection or process holds the database lock.',
            description: 'Pool {{ $labels.pool }} on {{ $labels.instance }} gets {{ $value | humanize }} busy or locked errors per minute: the lock was held longer than busy_timeout.',
            dashboard: poolDashboard(16),
            comment: "Another process holding the lock is not something the pool can fix: no recovery_action.",
          }),
          alert('SqlitePoolErrorRateHigh', {
            local o = c.errorRate,
            expr: |||
              sum by (%(ids)s, pool) (pool_kind:sqlite_pool_errors:rate5m{kind=~"io|other"})
              /
              (pool:sqlite_pool_acquire_attempts:rate5m > 0)
              > %(ratio)s
            ||| % { ids: ids, ratio: num(o.ratio) },
            'for': o['for'],
            severity: 'warning',
            labels: { recovery_action: 'evict_idle' },
            summary: 'Many statements of a pool fail with I/O or unexpected SQLite errors.',
            description: 'Pool {{ $labels.pool }} on {{ $labels.instance }} raised {{ $value | humanizePercentage }} io or other errors per acquire attempt over the last 5 minutes.',
            dashboard: poolDashboard(16),
            comment: |||
              Only io and other: busy, locked, full, readonly and corrupt have their own alerts (none of which may be
              answered by evicting connections), and constraint and application errors are the caller's statements,
              which no pool action heals. "> 0" on the attempts keeps errors without attempts from dividing by zero.
            |||,
          }),
        ],
      },
      {
        name: 'sqlite-pool-health',
        rules: [
          alert('SqlitePoolHealthScoreLow', {
            expr: 'pool:sqlite_pool_health:score < %s' % num(c.healthScore.below),
            'for': c.healthScore['for'],
            severity: 'warning',
            summary: 'The health score of a pool is low.',
            description: 'The health score of pool {{ $labels.pool }} on {{ $labels.instance }} is {{ printf "%.0f" $value }} out of 100.',
            dashboard: c.dashboardUrl + c.dashboardUids.overview + '?var-pool={{ $labels.pool }}&viewPanel=2',
            comment: 'A summary of the other signals: the specific alerts carry the specific actions, so this one only informs.',
          }),
        ],
      },
      {
        name: 'sqlite-pool-leaks',
        rules: [leak(true), leak(false)],
      },
      {
        name: 'sqlite-pool-wal',
        rules: [
          alert('SqlitePoolWalTooLarge', {
            expr: 'sqlite_pool_wal_size_bytes{%s} > %s' % [sel, mib(c.walTooLarge.mebibytes)],
            'for': c.walTooLarge['for'],
            severity: 'warning',
            labels: { recovery_action: 'checkpoint' },
            summary: 'The write-ahead log of a pool is too large.',
            description: 'The WAL of pool {{ $labels.pool }} on {{ $labels.instance }} is {{ $value | humanize1024 }}B, above %dMiB.' % c.walTooLarge.mebibytes,
            dashboard: poolDashboard(23),
            comment: 'The pool sets journal_size_limit to 64 MiB, so a WAL four times as large has not been reset for a while.',
          }),
          alert('SqlitePoolCheckpointStarved', {
            local o = c.checkpointStarved,
            expr: |||
              time() - sqlite_pool_checkpoint_last_complete_timestamp_seconds{%(sel)s} > %(age)s
              and on (%(ids)s, pool)
              sqlite_pool_wal_size_bytes{%(sel)s} > %(wal)s
            ||| % { sel: sel, age: num(o.ageSeconds), ids: ids, wal: mib(o.walMebibytes) },
            'for': o['for'],
            severity: 'warning',
            labels: { recovery_action: 'checkpoint' },
            summary: 'No checkpoint has copied the whole write-ahead log into the database for a long time.',
            description: 'Pool {{ $labels.pool }} on {{ $labels.instance }} has not completed a checkpoint for {{ $value | humanizeDuration }} and its WAL is above the %dMiB journal_size_limit.' % o.walMebibytes,
            dashboard: poolDashboard(24),
            comment: |||
              The pool's periodic PASSIVE checkpoint is skipped while the writer is busy and stops short of pinned
              readers; a WAL above journal_size_limit shows the missing checkpoints matter. The timestamp is 0 until
              the first complete checkpoint, which reads as "never".
            |||,
          }),
        ],
      },
      {
        name: 'sqlite-pool-storage',
        rules: [
          alert('SqlitePoolDiskFull', {
            expr: 'sum by (%s, pool) (increase(sqlite_pool_errors_total{%s, kind="full"}[%s])) > 0'
                  % [ids, sel, c.diskFull.window],
            'for': c.diskFull['for'],
            severity: 'critical',
            summary: 'Writes fail because the disk or the database\'s page limit is full.',
            description: 'SQLITE_FULL errors of pool {{ $labels.pool }} on {{ $labels.instance }} in the last %s: {{ printf "%%.0f" $value }}.' % c.diskFull.window,
            dashboard: poolDashboard(16),
            comment: 'One error is enough: the write that raised it was lost. The window keeps the alert up after it.',
          }),
          alert('SqlitePoolDiskFillingUp', {
            local f = c.diskFillingUp,
            expr: |||
              sqlite_pool_filesystem_free_bytes{%(sel)s} / sqlite_pool_filesystem_size_bytes{%(sel)s} < %(ratio)s
              and
              predict_linear(sqlite_pool_filesystem_free_bytes{%(sel)s}[%(w)s], %(horizon)d) < 0
            ||| % { sel: sel, ratio: f.freeRatio, w: f.window, horizon: f.horizonSeconds },
            'for': f['for'],
            severity: 'warning',
            summary: 'The file system holding the database is filling up and will be full soon.',
            description: 'The file system of pool {{ $labels.pool }} on {{ $labels.instance }} has {{ $value | humanizePercentage }} free and, at the rate of the last %s, is full within %dh.' % [f.window, f.horizonSeconds / 3600],
            dashboard: poolDashboard(32),
            comment: 'Warns before SQLITE_FULL: little space left and a trend that reaches zero within the horizon.',
          }),
          alert('SqlitePoolReadOnly', {
            expr: 'sum by (%s, pool) (increase(sqlite_pool_errors_total{%s, kind="readonly", role="writer"}[%s])) > 0'
                  % [ids, sel, c.readOnly.window],
            'for': c.readOnly['for'],
            severity: 'critical',
            labels: { recovery_action: 'restart_pool' },
            summary: 'Writes fail because the database cannot be written.',
            description: 'SQLITE_READONLY errors of the writer of pool {{ $labels.pool }} on {{ $labels.instance }} in the last %s: {{ printf "%%.0f" $value }}.' % c.readOnly.window,
            dashboard: poolDashboard(16),
            comment: |||
              Only the writer: readers are opened read-only on purpose, so their readonly errors are callers writing
              through pool.read(). A connection opened while the file was read-only stays read-only, hence the restart.
            |||,
          }),
          alert('SqlitePoolCorruption', {
            local w = c.corruption.window,
            expr: |||
              sum by (%(ids)s, pool) (increase(sqlite_pool_errors_total{%(sel)s, kind="corrupt"}[%(w)s])) > 0
              or
              sum by (%(ids)s, pool) (increase(sqlite_pool_quick_checks_total{%(sel)s, result="failed"}[%(w)s])) > 0
              or
              sum by (%(ids)s, pool) (increase(sqlite_pool_integrity_checks_total{%(sel)s, result="failed"}[%(w)s])) > 0
            ||| % { ids: ids, sel: sel, w: w },
            'for': c.corruption['for'],
            severity: 'critical',
            summary: 'SQLite reports that the database file is corrupt.',
            description: 'Corruption reports (SQLITE_CORRUPT errors, failed quick_check runs or failed scheduled integrity checks) of pool {{ $labels.pool }} on {{ $labels.instance }} in the last %s: {{ printf "%%.0f" $value }}.' % w,
            dashboard: poolDashboard(20),
            comment: |||
              Never remediated automatically: any write to a corrupt file can destroy what is left. The long window
              keeps the alert up long after the last report.
            |||,
          }),
          alert('SqlitePoolFragmented', {
            local f = c.fragmented,
            local ratio = 'max by (%(ids)s, pool) (sqlite_pool_freelist_pages{%(sel)s})\n  / max by (%(ids)s, pool) (sqlite_pool_pages{%(sel)s})' % { ids: ids, sel: sel },
            expr: |||
              %(ratio)s > %(share)s
              and
              %(ratio)s
                * max by (%(ids)s, pool) (sqlite_pool_database_size_bytes{%(sel)s}) > %(bytes)s
            ||| % { ratio: ratio, share: f.share, ids: ids, sel: sel, bytes: f.minFreeBytes },
            'for': f['for'],
            severity: 'info',
            labels: { recovery_action: 'incremental_vacuum' },
            summary: 'A large share of the database file is unused free-list pages.',
            description: 'Free-list pages have been {{ $value | humanizePercentage }} of the database file of pool {{ $labels.pool }} on {{ $labels.instance }} for %s.' % f['for'],
            dashboard: poolDashboard(33),
            comment: |||
              Free-list pages are space the file keeps but no table uses. Only a large share of a large file is worth
              a look, and it only grows after deletes, so the alert waits hours. The action frees pages only where the
              database was created with auto_vacuum=INCREMENTAL; elsewhere it only reports why it cannot.
            |||,
          }),
        ],
      },
      {
        name: 'sqlite-pool-lifecycle',
        rules: [
          alert('SqlitePoolNotOpen', {
            expr: 'sqlite_pool_state{%s, state!="open"} == 1' % sel,
            'for': c.notOpen['for'],
            severity: 'warning',
            summary: 'A pool does not hand out connections.',
            description: 'Pool {{ $labels.pool }} on {{ $labels.instance }} has been {{ $labels.state }} for more than %s.' % c.notOpen['for'],
            dashboard: poolDashboard(2),
          }),
        ],
      },
      {
        name: 'poolwatch-exporter',
        rules: [
          alert('SqlitePoolExporterDown', {
            local o = c.exporterDown,
            expr: |||
              up{%(sel)s} == 0
              and on (%(ids)s)
              max_over_time(instance:sqlite_pool_pools:count[%(memory)s])
            ||| % { sel: sel, ids: ids, memory: o.memory },
            'for': o['for'],
            severity: 'critical',
            summary: 'Prometheus cannot scrape the poolwatch exporter.',
            description: 'Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for %s: no pool is monitored or recovered there.' % o['for'],
            dashboard: overviewDashboard(5),
            comment: |||
              A target is poolwatch's if it published a pool within the memory window, whatever its job is called. The
              recovery webhook lives in the same process, so nothing heals while this fires.
            |||,
          }),
          alert('SqlitePoolMetricsAbsent', {
            expr: |||
              absent(sqlite_pool_state{%(sel)s})
              or
              (
                up{%(sel)s} == 1
                and on (%(ids)s) max_over_time(instance:sqlite_pool_pools:count[%(memory)s])
                unless on (%(ids)s) sqlite_pool_state{%(sel)s}
              )
            ||| % { sel: sel, ids: ids, memory: c.exporterDown.memory },
            'for': c.metricsAbsent['for'],
            severity: 'warning',
            summary: 'Prometheus receives no pool metrics from poolwatch.',
            description: '{{ with $labels.instance }}{{ . }} (job {{ $labels.job }}) answers scrapes but no longer publishes any pool{{ else }}No target publishes sqlite_pool metrics{{ end }}.',
            dashboard: overviewDashboard(5),
            comment: 'Either no target publishes a pool at all, or a target that did answers without any pool in it.',
          }),
        ],
      },
      {
        name: 'poolwatch-recovery',
        rules: [
          alert('SqlitePoolRecoveryFailing', {
            local w = c.recoveryFailing.window,
            expr: 'sum by (%s, pool, action) (increase(poolwatch_recovery_actions_total{%s, outcome="failed"}[%s])) > 0'
                  % [ids, sel, w],
            'for': c.recoveryFailing['for'],
            severity: 'warning',
            summary: 'Automatic recovery actions fail.',
            description: 'Failed {{ $labels.action }} actions on pool {{ $labels.pool }} on {{ $labels.instance }} in the last %s: {{ printf "%%.0f" $value }}.' % w,
            dashboard: recoveryDashboard(7),
            comment: 'Alerts about the recovery webhook itself never carry a recovery_action: remediation must not heal itself.',
          }),
          alert('SqlitePoolRemediationStorm', {
            local o = c.remediationStorm,
            expr: 'sum by (%s, pool) (increase(poolwatch_recovery_actions_total{%s, outcome="executed"}[%s])) > %s'
                  % [ids, sel, o.window, num(o.actions)],
            'for': o['for'],
            severity: 'warning',
            summary: 'Automatic recovery acts too often.',
            description: 'Recovery actions run on pool {{ $labels.pool }} on {{ $labels.instance }} in the last %s: {{ printf "%%.0f" $value }}, more than %s.' % [o.window, num(o.actions)],
            dashboard: recoveryDashboard(5),
            comment: "Counts actions that ran, not the ones the webhook deduplicated or cooled down.",
          }),
          alert('SqlitePoolRecoveryCircuitOpen', {
            expr: 'poolwatch_recovery_circuit_open{%s} == 1' % sel,
            'for': c.circuitOpen['for'],
            severity: 'warning',
            summary: 'Automatic recovery is suspended because its action budget is spent.',
            description: 'The recovery webhook on {{ $labels.instance }} has spent its action budget and suspended automatic recovery for every pool.',
            dashboard: c.dashboardUrl + c.dashboardUids.recovery + '?viewPanel=15',
            comment: "The webhook's own brake on a storm: once its action budget is spent it acts on no pool until it resets.",
          }),
        ],
      },
      {
        name: 'poolwatch-meta',
        rules: [
          alert('SqlitePoolWatchdog', {
            expr: 'vector(1)',
            'for': c.watchdog['for'],
            severity: 'info',
            summary: 'The alerting pipeline works: this alert always fires.',
            description: 'Always firing while Prometheus{{ with $externalLabels.cluster }} of cluster {{ . }}{{ end }} evaluates rules and reaches Alertmanager; the dead man\'s switch behind the watchdog receiver pages when its notifications stop.',
            comment: |||
              The dead man's switch. House style allows no severity "none", so it is info, and alertmanager.yml routes it
              to its own receiver only.
            |||,
          }),
          alert('SqlitePoolAlertNotificationsFailing', {
            local o = c.notificationsFailing,
            expr: 'sum by (%s, integration) (increase(alertmanager_notifications_failed_total{%s}[%s])) > 0'
                  % [ids, c.alertmanagerSelector, o.window],
            'for': o['for'],
            severity: 'warning',
            summary: 'Alertmanager fails to deliver notifications.',
            description: 'Alertmanager {{ $labels.instance }} failed to deliver {{ printf "%%.0f" $value }} {{ $labels.integration }} notifications in the last %s: a receiver is down or refuses its credentials.' % o.window,
            comment: |||
              Alertmanager counts a notification as failed once its retries are over, or at once when the receiver
              refuses it (a rotated token answers 401), so any failure (a rate above 0) is worth a look.
            |||,
          }),
          alert('SqlitePoolRuleEvaluationFailing', {
            local o = c.ruleEvaluationFailing,
            expr: 'sum by (%s, rule_group) (increase(prometheus_rule_evaluation_failures_total{%s}[%s])) > 0'
                  % [ids, c.prometheusSelector, o.window],
            'for': o['for'],
            severity: 'warning',
            summary: 'Prometheus fails to evaluate alerting or recording rules.',
            description: 'Prometheus {{ $labels.instance }} failed to evaluate rules of group {{ $labels.rule_group }} {{ printf "%%.0f" $value }} times in the last %s: alerts of that group cannot fire.' % o.window,
          }),
        ],
      },
    ],
  },
}
