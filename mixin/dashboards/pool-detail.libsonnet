// grafana/dashboards/pool-detail.json; the panel ids are part of the alerts' dashboard_url links (viewPanel), keep them.
{
  local c = $._config,
  local g = (import 'lib.libsonnet')(c),

  grafanaDashboards+:: {
    'pool-detail.json': g.dashboard(
      'poolDetail',
      'poolwatch / Pool detail',
      'RED and USE for one pool and role: traffic, latency, saturation, errors, leaks, lifecycle and storage.',
      [
      g.row(1, 'Traffic', 0),
      g.stateTimeline(
        2,
        'Pool state',
        [0, 1, 24, 4],
        'Lifecycle state of the pool (open, paused, restarting, closed). Compare with the recovery annotations: a restart action shows up here as a short restarting span.',
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
      g.timeseries(
        3,
        'Acquires per second',
        [0, 5, 8, 8],
        'Acquire attempts per second by outcome: acquired, or timeout for callers that gave up after acquireTimeout.',
        [
          g.q('sum by (%(ids)s, pool, role, outcome) (rate(sqlite_pool_acquire_seconds_count{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval]))', '%(legend)s {{pool}}/{{role}} {{outcome}}'),
        ],
        'ops',
      ),
      g.timeseries(
        4,
        'Acquire timeouts per second',
        [8, 5, 8, 8],
        'Callers per second that gave up after the acquire timeout, per pool and role.',
        [
          g.q('sum by (%(ids)s, pool, role) (rate(sqlite_pool_timeouts_total{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval]))', '%(legend)s {{pool}}/{{role}}'),
        ],
        'cps',
      ),
      g.timeseries(
        5,
        'Acquire timeout ratio',
        [16, 5, 8, 8],
        'Share of acquire attempts that timed out: acquire histogram observations with outcome="timeout" over all of them. Read by SqlitePoolAcquireTimeouts (which alerts above %g %%). Empty while a role has no attempts.' % (c.acquireTimeouts.ratio * 100),
        [
          g.q('sum by (%(ids)s, pool, role) (rate(sqlite_pool_acquire_seconds_count{%(sel)s, pool=~"$pool", role=~"$role", outcome="timeout"}[$__rate_interval]))\n/\nsum by (%(ids)s, pool, role) (rate(sqlite_pool_acquire_seconds_count{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval]))', '%(legend)s {{pool}}/{{role}}'),
        ],
        'percentunit',
      ),
      g.row(6, 'Latency', 13),
      g.heatmap(
        7,
        'Writer acquire latency distribution',
        [0, 14, 6, 8],
        'Histogram of time to get a connection of the writer (a single FIFO lane), the selected pools combined; cells are borrows per second in each bucket. Writer and readers are shown apart because their latencies differ by orders of magnitude.',
        [
          g.q('sum by (le) (rate(sqlite_pool_acquire_seconds_bucket{%(sel)s, pool=~"$pool", role=~"$role", role="writer"}[$__rate_interval]))', '{{le}}', format='heatmap'),
        ],
      ),
      g.heatmap(
        26,
        'Reader acquire latency distribution',
        [6, 14, 6, 8],
        'Histogram of time to get a connection of the readers, the selected pools combined; cells are borrows per second in each bucket. Writer and readers are shown apart because their latencies differ by orders of magnitude.',
        [
          g.q('sum by (le) (rate(sqlite_pool_acquire_seconds_bucket{%(sel)s, pool=~"$pool", role=~"$role", role="reader"}[$__rate_interval]))', '{{le}}', format='heatmap'),
        ],
      ),
      g.timeseries(
        8,
        'Acquire latency quantiles',
        [12, 14, 12, 8],
        'p50, p95 and p99 time to get a connection from the histogram, and the largest recent acquire (the timer\'s decaying _max gauge). The dashed line is the %g ms target. Timed-out attempts are included at the time they waited (outcome="timeout"), so a saturated pool\'s p99 is not biased toward the callers that got a connection.' % (c.acquireLatency.seconds * 1000),
        [
          g.q('histogram_quantile(0.5, sum by (%(ids)s, pool, role, le) (rate(sqlite_pool_acquire_seconds_bucket{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval])))', '%(legend)s {{pool}}/{{role}} p50'),
          g.q('histogram_quantile(0.95, sum by (%(ids)s, pool, role, le) (rate(sqlite_pool_acquire_seconds_bucket{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval])))', '%(legend)s {{pool}}/{{role}} p95'),
          g.q('histogram_quantile(0.99, sum by (%(ids)s, pool, role, le) (rate(sqlite_pool_acquire_seconds_bucket{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval])))', '%(legend)s {{pool}}/{{role}} p99'),
          g.q('max by (%(ids)s, pool, role) (sqlite_pool_acquire_seconds_max{%(sel)s, pool=~"$pool", role=~"$role"})', '%(legend)s {{pool}}/{{role}} max'),
        ],
        's',
        steps=g.steps([g.step('green'), g.step('red', c.acquireLatency.seconds)]),
        overrides=[
          {
            matcher: { id: 'byRegexp', options: '.* max$' },
            properties: [
              { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
              { id: 'custom.fillOpacity', value: 0 },
            ],
          },
        ],
        thresholdsStyle='dashed',
      ),
      g.heatmap(
        9,
        'Writer usage time distribution',
        [0, 22, 6, 8],
        'Histogram of how long borrowed connections were held before being returned of the writer (a single FIFO lane), the selected pools combined; cells are borrows per second in each bucket. Writer and readers are shown apart because their latencies differ by orders of magnitude.',
        [
          g.q('sum by (le) (rate(sqlite_pool_usage_seconds_bucket{%(sel)s, pool=~"$pool", role=~"$role", role="writer"}[$__rate_interval]))', '{{le}}', format='heatmap'),
        ],
      ),
      g.heatmap(
        27,
        'Reader usage time distribution',
        [6, 22, 6, 8],
        'Histogram of how long borrowed connections were held before being returned of the readers, the selected pools combined; cells are borrows per second in each bucket. Writer and readers are shown apart because their latencies differ by orders of magnitude.',
        [
          g.q('sum by (le) (rate(sqlite_pool_usage_seconds_bucket{%(sel)s, pool=~"$pool", role=~"$role", role="reader"}[$__rate_interval]))', '{{le}}', format='heatmap'),
        ],
      ),
      g.timeseries(
        10,
        'Usage time quantiles',
        [12, 22, 12, 8],
        'p50, p95 and p99 time a borrowed connection was held, per pool and role.',
        [
          g.q('histogram_quantile(0.5, sum by (%(ids)s, pool, role, le) (rate(sqlite_pool_usage_seconds_bucket{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval])))', '%(legend)s {{pool}}/{{role}} p50'),
          g.q('histogram_quantile(0.95, sum by (%(ids)s, pool, role, le) (rate(sqlite_pool_usage_seconds_bucket{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval])))', '%(legend)s {{pool}}/{{role}} p95'),
          g.q('histogram_quantile(0.99, sum by (%(ids)s, pool, role, le) (rate(sqlite_pool_usage_seconds_bucket{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval])))', '%(legend)s {{pool}}/{{role}} p99'),
        ],
        's',
      ),
      g.row(11, 'Saturation', 30),
      g.timeseries(
        12,
        'Connections in use vs max',
        [0, 31, 8, 8],
        'Borrowed and idle connections per pool and role, with the configured maximum and minimum as dashed lines. In use at max with callers waiting means the role is saturated.',
        [
          g.q('sum by (%(ids)s, pool, role) (sqlite_pool_connections{%(sel)s, pool=~"$pool", role=~"$role", state="active"})', '%(legend)s {{pool}}/{{role}} in use'),
          g.q('sum by (%(ids)s, pool, role) (sqlite_pool_connections{%(sel)s, pool=~"$pool", role=~"$role", state="idle"})', '%(legend)s {{pool}}/{{role}} idle'),
          g.q('sum by (%(ids)s, pool, role) (sqlite_pool_connections_max{%(sel)s, pool=~"$pool", role=~"$role"})', '%(legend)s {{pool}}/{{role}} max'),
          g.q('sum by (%(ids)s, pool, role) (sqlite_pool_connections_min{%(sel)s, pool=~"$pool", role=~"$role"})', '%(legend)s {{pool}}/{{role}} min'),
        ],
        'short',
        decimals=0,
        overrides=[
          {
            matcher: { id: 'byRegexp', options: '.* (max|min)$' },
            properties: [
              { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
              { id: 'custom.fillOpacity', value: 0 },
            ],
          },
        ],
      ),
      g.timeseries(
        13,
        'Callers waiting',
        [8, 31, 8, 8],
        'Callers blocked waiting for a connection, per pool and role. Read by SqlitePoolExhausted.',
        [
          g.q('sum by (%(ids)s, pool, role) (sqlite_pool_connections_pending{%(sel)s, pool=~"$pool", role=~"$role"})', '%(legend)s {{pool}}/{{role}}'),
        ],
        'short',
        decimals=0,
      ),
      g.timeseries(
        14,
        'Connection creation time',
        [16, 31, 8, 8],
        'p95 time to open a physical connection, and connections opened per second: churn here means connections are being closed (see reasons below) and replaced.',
        [
          g.q('histogram_quantile(0.95, sum by (%(ids)s, pool, role, le) (rate(sqlite_pool_creation_seconds_bucket{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval])))', '%(legend)s {{pool}}/{{role}} p95'),
          g.q('sum by (%(ids)s, pool, role) (rate(sqlite_pool_creation_seconds_count{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval]))', '%(legend)s {{pool}}/{{role}} opened/s'),
        ],
        's',
        overrides=[
          {
            matcher: { id: 'byRegexp', options: '.* opened/s$' },
            properties: [{ id: 'unit', value: 'ops' }, { id: 'custom.axisPlacement', value: 'right' }],
          },
        ],
      ),
      g.row(15, 'Errors', 39),
      g.timeseries(
        16,
        'SQLite errors by kind',
        [0, 40, 12, 8],
        'SQLite errors per second by result-code class. busy/locked mean lock contention, full means the disk is full, readonly and corrupt need an operator. Each kind has a fixed colour (corrupt red, readonly dark red, full purple, busy yellow, locked orange, io dark orange, constraint blue, application light blue, other grey).',
        [
          g.q('sum by (%(ids)s, pool, role, kind) (rate(sqlite_pool_errors_total{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval]))', '%(legend)s {{pool}}/{{role}} {{kind}}'),
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
      g.timeseries(
        17,
        'Connections closed by reason',
        [12, 40, 12, 8],
        'Physical connections closed per second, by reason. broken counts connections that failed validation or were closed underneath the pool; reclaimed counts leaked connections taken back.',
        [
          g.q('sum by (%(ids)s, pool, role, reason) (rate(sqlite_pool_connections_closed_total{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval]))', '%(legend)s {{pool}}/{{role}} {{reason}}'),
        ],
        'cps',
        stack=true,
      ),
      g.stat(
        18,
        'Leaks in the window',
        [0, 48, 8, 5],
        'Connections held longer than the leak detection threshold (suspected) and leaked connections taken back by force (reclaimed) over the dashboard\'s time range.',
        [
          g.q('sum by (%(ids)s, pool, role) (increase(sqlite_pool_leaks_suspected_total{%(sel)s, pool=~"$pool", role=~"$role"}[$__range]))', '%(legend)s {{pool}}/{{role}} suspected', instant=true),
          g.q('sum by (%(ids)s, pool, role) (increase(sqlite_pool_leaks_reclaimed_total{%(sel)s, pool=~"$pool", role=~"$role"}[$__range]))', '%(legend)s {{pool}}/{{role}} reclaimed', instant=true),
        ],
        'short',
        steps=g.steps([g.step('green'), g.step('orange', 1)]),
        decimals=0,
      ),
      g.stat(
        19,
        'Resizes and restarts in the window',
        [8, 48, 8, 5],
        'Changes of the reader limit (up or down) and completed pool restarts over the dashboard\'s time range. Recovery actions cause most of them: see the annotations.',
        [
          g.q('sum by (%(ids)s, pool, direction) (increase(sqlite_pool_resizes_total{%(sel)s, pool=~"$pool"}[$__range]))', '%(legend)s {{pool}} resized {{direction}}', instant=true),
          g.q('sum by (%(ids)s, pool) (increase(sqlite_pool_restarts_total{%(sel)s, pool=~"$pool"}[$__range]))', '%(legend)s {{pool}} restarts', instant=true),
        ],
        'short',
        steps=g.steps([g.step('text')]),
        decimals=0,
        colorMode='value',
      ),
      g.stat(
        20,
        'Quick checks in the window',
        [16, 48, 8, 5],
        'PRAGMA quick_check runs over the dashboard\'s time range by result. Any failed check means corruption: read by SqlitePoolCorruption.',
        [
          g.q('sum by (%(ids)s, pool, result) (increase(sqlite_pool_quick_checks_total{%(sel)s, pool=~"$pool"}[$__range]))', '%(legend)s {{pool}} {{result}}', instant=true),
        ],
        'short',
        steps=g.steps([g.step('text')]),
        decimals=0,
        overrides=[
          {
            matcher: { id: 'byName', options: 'failed' },
            properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }],
          },
        ],
        colorMode='value',
      ),
      g.row(21, 'Storage', 53),
      g.timeseries(
        22,
        'Database size',
        [0, 54, 6, 8],
        'Size of the database file per pool. A steep climb ahead of SQLITE_FULL errors points at the disk.',
        [
          g.q('max by (%(ids)s, pool) (sqlite_pool_database_size_bytes{%(sel)s, pool=~"$pool"})', '%(legend)s {{pool}}'),
        ],
        'bytes',
      ),
      g.timeseries(
        23,
        'WAL size',
        [6, 54, 6, 8],
        'Size of the -wal file per pool. Orange at the %d MiB journal_size_limit, which the WAL only stays above while checkpoints cannot complete; red at %d MiB, where SqlitePoolWalTooLarge fires.' % [c.checkpointStarved.walMebibytes, c.walTooLarge.mebibytes],
        [
          g.q('max by (%(ids)s, pool) (sqlite_pool_wal_size_bytes{%(sel)s, pool=~"$pool"})', '%(legend)s {{pool}}'),
        ],
        'bytes',
        steps=g.steps([g.step('green'), g.step('orange', g.mib(c.checkpointStarved.walMebibytes)), g.step('red', g.mib(c.walTooLarge.mebibytes))]),
        thresholdsStyle='dashed',
      ),
      g.timeseries(
        24,
        'Time since last complete checkpoint',
        [12, 54, 6, 8],
        'Seconds since a checkpoint last copied the whole WAL into the database. A pool that has never completed one shows "never" with the time since its process started, the least it has gone without. Growing without bound means readers pin the WAL: read by SqlitePoolCheckpointStarved.',
        [
          g.q('time() - max by (%(ids)s, pool) (sqlite_pool_checkpoint_last_complete_timestamp_seconds{%(sel)s, pool=~"$pool"} > 0)', '%(legend)s {{pool}}'),
          g.q('time() - (\n  max by (%(ids)s, pool) (sqlite_pool_checkpoint_last_complete_timestamp_seconds{%(sel)s, pool=~"$pool"} == 0)\n  + on (%(ids)s) group_left ()\n  max by (%(ids)s) (process_start_time_seconds{%(sel)s})\n)', '%(legend)s {{pool}} never (since process start)'),
        ],
        's',
      ),
      g.timeseries(
        25,
        'Checkpoints by mode and outcome',
        [18, 54, 6, 8],
        'WAL checkpoints per second by mode and outcome: complete, busy (blocked by a lock: another checkpoint or the writer) or pinned (readers still use frames, so the checkpoint stopped short).',
        [
          g.q('sum by (%(ids)s, pool, mode, outcome) (rate(sqlite_pool_checkpoints_total{%(sel)s, pool=~"$pool"}[$__rate_interval]))', '%(legend)s {{pool}} {{mode}} {{outcome}}'),
        ],
        'cps',
        stack=true,
      ),
      g.row(28, 'SQLite internals', 62),
      g.timeseries(
        29,
        'Write lock wait',
        [0, 63, 8, 8],
        'p95 and p99 time the writer, already holding the pool\'s writer permit, waited for SQLite\'s own write lock in BEGIN IMMEDIATE. Only another process or a connection outside the pool causes this; in-process queueing shows in acquire latency instead.',
        [
          g.q('histogram_quantile(0.95, sum by (%(ids)s, pool, le) (rate(sqlite_pool_write_lock_wait_seconds_bucket{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval])))', '%(legend)s {{pool}} p95'),
          g.q('histogram_quantile(0.99, sum by (%(ids)s, pool, le) (rate(sqlite_pool_write_lock_wait_seconds_bucket{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval])))', '%(legend)s {{pool}} p99'),
        ],
        's',
        decimals=0,
      ),
      g.timeseries(
        30,
        'Commits and rollbacks',
        [8, 63, 8, 8],
        'Write transactions per second by how they ended. Rollbacks are transactions whose work threw or whose COMMIT failed.',
        [
          g.q('sum by (%(ids)s, pool, outcome) (rate(sqlite_pool_transactions_total{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval]))', '%(legend)s {{pool}} {{outcome}}'),
        ],
        'ops',
        decimals=0,
      ),
      g.timeseries(
        31,
        'Oldest borrow age',
        [16, 63, 8, 8],
        'How long the longest current borrow has been held. For readers it is the age of the oldest read snapshot, which keeps checkpoints from copying newer frames (pinned): a reader older than the leak detection threshold (dashed) is probably leaked.',
        [
          g.q('max by (%(ids)s, pool, role) (sqlite_pool_oldest_borrow_age_seconds{%(sel)s, pool=~"$pool", role=~"$role"})', '%(legend)s {{pool}}/{{role}}'),
          g.q('max by (%(ids)s, pool) (sqlite_pool_leak_detection_threshold_seconds{%(sel)s, pool=~"$pool"})', '%(legend)s {{pool}} leak threshold'),
        ],
        's',
        decimals=0,
      ),
      g.timeseries(
        32,
        'Free disk space',
        [0, 71, 8, 8],
        'Bytes the pool may still write on the database\'s file system, sampled every 15 s in the background. SQLite fails with SQLITE_FULL when it reaches 0; the WAL and checkpoints need room too.',
        [
          g.q('min by (%(ids)s, pool) (sqlite_pool_filesystem_free_bytes{%(sel)s, pool=~"$pool"})', '%(legend)s {{pool}} free'),
          g.q('min by (%(ids)s, pool) (sqlite_pool_filesystem_size_bytes{%(sel)s, pool=~"$pool"})', '%(legend)s {{pool}} size'),
        ],
        'bytes',
      ),
      g.timeseries(
        33,
        'Database pages and freelist',
        [8, 71, 8, 8],
        'Pages of the database file (PRAGMA page_count) and unused pages inside it (freelist_count), sampled in the background. A freelist that stays a large part of the file is space VACUUM could give back.',
        [
          g.q('max by (%(ids)s, pool) (sqlite_pool_pages{%(sel)s, pool=~"$pool"})', '%(legend)s {{pool}} pages'),
          g.q('max by (%(ids)s, pool) (sqlite_pool_freelist_pages{%(sel)s, pool=~"$pool"})', '%(legend)s {{pool}} free pages'),
        ],
        'short',
      ),
      g.timeseries(
        34,
        'Checkpoint frames',
        [16, 71, 8, 8],
        'Frames in the WAL at the last checkpoint and how many of them reached the database file. The difference is what readers still pin.',
        [
          g.q('max by (%(ids)s, pool) (sqlite_pool_checkpoint_wal_frames{%(sel)s, pool=~"$pool"})', '%(legend)s {{pool}} in WAL'),
          g.q('max by (%(ids)s, pool) (sqlite_pool_checkpoint_checkpointed_frames{%(sel)s, pool=~"$pool"})', '%(legend)s {{pool}} checkpointed'),
        ],
        'short',
      ),
      g.timeseries(
        35,
        'Group commit (submit / writeBatched)',
        [0, 79, 24, 8],
        'Batched writes: mean callers per committed batch and work queued now (left axis), p99 of the batch COMMIT and of the time work waited in the queue (right axis, seconds). A mean batch size near 1 under load means callers are not concurrent enough to share a transaction; a rising queue wait with a flat COMMIT time means the work itself is slow.',
        [
          g.q('sum by (%(ids)s, pool) (rate(sqlite_pool_batch_size_sum{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval])) / sum by (%(ids)s, pool) (rate(sqlite_pool_batch_size_count{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval]))', '%(legend)s {{pool}} mean batch size'),
          g.q('sum by (%(ids)s, pool) (sqlite_pool_batch_queue_depth{%(sel)s, pool=~"$pool", role=~"$role"})', '%(legend)s {{pool}} queued'),
          g.q('histogram_quantile(0.99, sum by (%(ids)s, pool, le) (rate(sqlite_pool_batch_commit_seconds_bucket{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval])))', '%(legend)s {{pool}} COMMIT p99'),
          g.q('histogram_quantile(0.99, sum by (%(ids)s, pool, le) (rate(sqlite_pool_batch_queue_wait_seconds_bucket{%(sel)s, pool=~"$pool", role=~"$role"}[$__rate_interval])))', '%(legend)s {{pool}} queue wait p99'),
        ],
        'short',
        overrides=[
          {
            matcher: { id: 'byRegexp', options: '.*p99.*' },
            properties: [{ id: 'unit', value: 's' }, { id: 'custom.axisPlacement', value: 'right' }],
          },
        ],
      ),
      ],
      extraVariables=[['role', 'Role']],
    ),
  },
}
