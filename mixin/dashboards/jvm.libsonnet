// grafana/dashboards/jvm.json; the panel ids are part of the alerts' dashboard_url links (viewPanel), keep them.
{
  local g = (import 'lib.libsonnet')($._config),

  grafanaDashboards+:: {
    'jvm.json': g.dashboard(
      'jvm',
      'poolwatch / JVM & process',
      'The exporter process itself: CPU, memory, garbage collection, threads, classes and file descriptors.',
      [
      g.row(1, 'Process', 0),
      g.stat(
        2,
        'Uptime',
        [0, 1, 6, 5],
        'Time since the exporter\'s JVM started. A reset to near zero is a restart.',
        [
          g.q('(\nmax by (%(ids)s) (process_uptime_seconds{%(sel)s})\n)\nand on (%(ids)s) poolwatch_build_info{%(sel)s}', '%(legend)s'),
        ],
        's',
        steps=g.steps([g.step('orange'), g.step('green', 300)]),
        decimals=0,
      ),
      g.stat(
        3,
        'Heap in use',
        [6, 1, 6, 5],
        'Heap used as a share of the maximum heap, now.',
        [
          g.q('(\nsum by (%(ids)s) (jvm_memory_used_bytes{%(sel)s, area="heap"})\n/\nsum by (%(ids)s) (jvm_memory_max_bytes{%(sel)s, area="heap"} > 0)\n)\nand on (%(ids)s) poolwatch_build_info{%(sel)s}', '%(legend)s'),
        ],
        'percentunit',
        steps=g.steps([g.step('green'), g.step('orange', 0.8), g.step('red', 0.9)]),
        min=0,
        max=1,
        graphMode='area',
      ),
      g.stat(
        4,
        'File descriptors in use',
        [12, 1, 6, 5],
        'Open file descriptors as a share of the process limit. Every SQLite connection holds the database, -wal and -shm files open, so large pools spend descriptors fast.',
        [
          g.q('(\nmax by (%(ids)s) (process_files_open_files{%(sel)s})\n/\nmax by (%(ids)s) (process_files_max_files{%(sel)s})\n)\nand on (%(ids)s) poolwatch_build_info{%(sel)s}', '%(legend)s'),
        ],
        'percentunit',
        steps=g.steps([g.step('green'), g.step('orange', 0.8), g.step('red', 0.9)]),
        min=0,
        max=1,
        graphMode='area',
      ),
      g.stat(
        5,
        'Live threads',
        [18, 1, 6, 5],
        'JVM threads alive now (daemon and non-daemon).',
        [
          g.q('(\nmax by (%(ids)s) (jvm_threads_live_threads{%(sel)s})\n)\nand on (%(ids)s) poolwatch_build_info{%(sel)s}', '%(legend)s'),
        ],
        'short',
        steps=g.steps([g.step('text')]),
        decimals=0,
        colorMode='value',
        graphMode='area',
      ),
      g.timeseries(
        6,
        'CPU usage',
        [0, 6, 12, 8],
        'Recent CPU usage of the exporter\'s JVM and of the whole machine, as a share of all cores.',
        [
          g.q('(\nmax by (%(ids)s) (process_cpu_usage{%(sel)s})\n)\nand on (%(ids)s) poolwatch_build_info{%(sel)s}', '%(legend)s process'),
          g.q('(\nmax by (%(ids)s) (system_cpu_usage{%(sel)s})\n)\nand on (%(ids)s) poolwatch_build_info{%(sel)s}', '%(legend)s system'),
        ],
        'percentunit',
        max=1,
        overrides=[
          {
            matcher: { id: 'byRegexp', options: '.* system$' },
            properties: [
              { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
              { id: 'custom.fillOpacity', value: 0 },
            ],
          },
        ],
      ),
      g.timeseries(
        7,
        'Open file descriptors',
        [12, 6, 12, 8],
        'Open file descriptors against the process limit (dashed).',
        [
          g.q('(\nmax by (%(ids)s) (process_files_open_files{%(sel)s})\n)\nand on (%(ids)s) poolwatch_build_info{%(sel)s}', '%(legend)s open'),
          g.q('(\nmax by (%(ids)s) (process_files_max_files{%(sel)s})\n)\nand on (%(ids)s) poolwatch_build_info{%(sel)s}', '%(legend)s max'),
        ],
        'short',
        decimals=0,
        overrides=[
          {
            matcher: { id: 'byRegexp', options: '.* max$' },
            properties: [
              { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
              { id: 'custom.fillOpacity', value: 0 },
            ],
          },
        ],
      ),
      g.row(8, 'Memory', 14),
      g.timeseries(
        9,
        'Heap used vs max',
        [0, 15, 12, 8],
        'Heap in use and the maximum heap (dashed). Pools with an undefined maximum report -1 and are left out of the maximum.',
        [
          g.q('(\nsum by (%(ids)s) (jvm_memory_used_bytes{%(sel)s, area="heap"})\n)\nand on (%(ids)s) poolwatch_build_info{%(sel)s}', '%(legend)s used'),
          g.q('(\nsum by (%(ids)s) (jvm_memory_max_bytes{%(sel)s, area="heap"} > 0)\n)\nand on (%(ids)s) poolwatch_build_info{%(sel)s}', '%(legend)s max'),
        ],
        'bytes',
        overrides=[
          {
            matcher: { id: 'byRegexp', options: '.* max$' },
            properties: [
              { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
              { id: 'custom.fillOpacity', value: 0 },
            ],
          },
        ],
      ),
      g.timeseries(
        10,
        'Memory used by JVM memory pool',
        [12, 15, 12, 8],
        'Memory in use per JVM memory pool (heap generations, metaspace, code cache).',
        [
          g.q('(\nsum by (%(ids)s, area, id) (jvm_memory_used_bytes{%(sel)s})\n)\nand on (%(ids)s) poolwatch_build_info{%(sel)s}', '%(legend)s {{area}} {{id}}'),
        ],
        'bytes',
      ),
      g.row(11, 'Garbage collection', 23),
      g.timeseries(
        12,
        'Time spent in GC pauses',
        [0, 24, 8, 8],
        'Share of wall-clock time the JVM was paused for garbage collection, by GC action. Pauses stall every pool caller at once.',
        [
          g.q('(\nsum by (%(ids)s, action) (rate(jvm_gc_pause_seconds_sum{%(sel)s}[$__rate_interval]))\n)\nand on (%(ids)s) poolwatch_build_info{%(sel)s}', '%(legend)s {{action}}'),
        ],
        'percentunit',
        stack=true,
      ),
      g.timeseries(
        13,
        'GC pauses per second',
        [8, 24, 8, 8],
        'Garbage collection pauses per second, by GC action and cause.',
        [
          g.q('(\nsum by (%(ids)s, action, cause) (rate(jvm_gc_pause_seconds_count{%(sel)s}[$__rate_interval]))\n)\nand on (%(ids)s) poolwatch_build_info{%(sel)s}', '%(legend)s {{action}} ({{cause}})'),
        ],
        'ops',
      ),
      g.timeseries(
        14,
        'GC pause duration',
        [16, 24, 8, 8],
        'Average pause over the rate interval (rate of the sum over rate of the count) and the longest recent pause (the timer\'s decaying _max, dashed), by GC action.',
        [
          g.q('(\nsum by (%(ids)s, action) (rate(jvm_gc_pause_seconds_sum{%(sel)s}[$__rate_interval]))\n/\nsum by (%(ids)s, action) (rate(jvm_gc_pause_seconds_count{%(sel)s}[$__rate_interval]))\n)\nand on (%(ids)s) poolwatch_build_info{%(sel)s}', '%(legend)s {{action}} avg'),
          g.q('(\nmax by (%(ids)s, action) (jvm_gc_pause_seconds_max{%(sel)s})\n)\nand on (%(ids)s) poolwatch_build_info{%(sel)s}', '%(legend)s {{action}} max'),
        ],
        's',
        overrides=[
          {
            matcher: { id: 'byRegexp', options: '.* max$' },
            properties: [
              { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
              { id: 'custom.fillOpacity', value: 0 },
            ],
          },
        ],
      ),
      g.row(15, 'Threads and classes', 32),
      g.timeseries(
        16,
        'Threads by state',
        [0, 33, 12, 8],
        'JVM threads by state. A growing BLOCKED or WAITING count alongside callers waiting points at pool starvation rather than slow SQL.',
        [
          g.q('(\nsum by (%(ids)s, state) (jvm_threads_states_threads{%(sel)s})\n)\nand on (%(ids)s) poolwatch_build_info{%(sel)s}', '%(legend)s {{state}}'),
        ],
        'short',
        decimals=0,
        stack=true,
      ),
      g.timeseries(
        17,
        'Classes loaded',
        [12, 33, 12, 8],
        'Classes currently loaded. It should flatten after start-up; steady growth is a class-loader leak.',
        [
          g.q('(\nmax by (%(ids)s) (jvm_classes_loaded_classes{%(sel)s})\n)\nand on (%(ids)s) poolwatch_build_info{%(sel)s}', '%(legend)s'),
        ],
        'short',
        decimals=0,
        min=null,
      ),
      ],
      targetMetric='poolwatch_build_info',
    ),
  },
}
