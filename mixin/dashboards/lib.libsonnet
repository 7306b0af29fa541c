// Panel and dashboard builders shared by the five dashboards: each panel type's Grafana defaults written once, so
// a dashboard file lists only what its panels say (title, queries, unit, thresholds). Plain jsonnet, no grafonnet.
// c is the mixin's _config: the target labels, the job selector and the dashboard uids come from it.
function(c) {
  local ds = { type: 'prometheus', uid: '${datasource}' },
  local labels = c.dashboardLabels,
  // How the target labels reach what a panel shows, so that two instances of the same name in two clusters stay
  // apart once cluster is in dashboardLabels:
  // - every aggregation and join that keeps the instance keeps all of dashboardLabels (%(ids)s in by (...) and
  //   on (...)); the few that total over the selection (by outcome, severity, action or le) stay totals, since the
  //   variables already pick what they total and a heatmap needs one series per bucket;
  // - legends, annotation texts and table columns name every dashboardLabel but job (%(legend)s, organize()):
  //   Prometheus gives every target a job, the job variable says which, and the default dashboards stay as they
  //   were, while an added cluster or namespace shows in front of the instance;
  // - links from a table row carry the row's value of each label shown and the job variable as chosen (rowLink()).
  local shown = [l for l in labels if l != 'job'],
  local title(l) = std.asciiUpper(l[0]) + l[1:],

  // Placeholders a query or legend may use, filled from the config: %(sel)s narrows a selector to the chosen
  // targets, %(alerts)s does the same for ALERTS, where a label the alert does not carry must match too.
  vars:: {
    sel: std.join(', ', ['%s=~"$%s"' % [l, l] for l in labels]),
    alerts: std.join(', ', ['%s=~"$%s|"' % [l, l] for l in labels]),
    ids: std.join(', ', labels),
    legend: std.join(' ', ['{{%s}}' % l for l in shown]),
  },
  local vars = self.vars,

  // A link to another of the dashboards, by its key in config.dashboardUids.
  link(dashboard, query):: '/d/' + c.dashboardUids[dashboard] + '?' + query,
  // A link from a table row to the same targets on another dashboard: field(label) names the label's column in
  // the table, `first` and `after` are the link's other params before and after the row's labels.
  rowLink(dashboard, field, first=[], after=[])::
    local row = ['var-%s=${__data.fields.%s}' % [l, field(l)] for l in shown];
    local chosenJob = ['${%s:queryparam}' % l for l in labels if l == 'job'];
    $.link(dashboard, std.join('&', first + row + after + ['${datasource:queryparam}'] + chosenJob
                                    + ['${__url_time_range}'])),

  // The labels legends and table columns name, and the name a label's column and variable get.
  shownLabels:: shown,
  title(l):: title(l),
  // A table's organize transform: `columns` in order with the shown labels at index `labelsAt`, Time, job and
  // `exclude` hidden; renameLabels=false for a table that names its label columns in overrides.
  organize(columns, rename={}, exclude={}, labelsAt=0, renameLabels=true)::
    local all = columns[0:labelsAt] + shown + columns[labelsAt:];
    {
      id: 'organize',
      options: {
        excludeByName: { Time: true } + exclude + { [l]: true for l in labels if l == 'job' },
        indexByName: { [all[i]]: i for i in std.range(0, std.length(all) - 1) },
        renameByName: rename + (if renameLabels then { [l]: title(l) for l in shown } else {}),
      },
    },

  steps(list):: { mode: 'absolute', steps: list },
  step(color, value=null):: { color: color, value: value },
  mib(n):: n * 1024 * 1024,
  // Health score colours: red below the alert's threshold, orange below "degraded", green above.
  healthSteps:: $.steps([$.step('red'), $.step('orange', c.healthScore.below), $.step('green', c.healthScore.degraded)]),

  q(expr, legend='', instant=false, format=null, ref='A'):: {
    refId: ref,
    datasource: ds,
    editorMode: 'code',
    expr: expr % vars,
    legendFormat: legend % vars,
    range: !instant,
    instant: instant,
    [if format != null then 'format']: format,
  },
  // Refs A, B, C... in list order.
  targets(qs):: [qs[i] { refId: std.char(65 + i) } for i in std.range(0, std.length(qs) - 1)],

  local field(unit, steps, mappings, decimals, min, max) = {
    unit: unit,
    thresholds: steps,
    mappings: mappings,
    [if decimals != null then 'decimals']: decimals,
    [if min != null then 'min']: min,
    [if max != null then 'max']: max,
  },

  local base(type, id, title, pos, description, targets) = {
    type: type,
    title: title,
    description: description,
    datasource: ds,
    id: id,
    gridPos: { x: pos[0], y: pos[1], w: pos[2], h: pos[3] },
    targets: $.targets(targets),
  },
  local green = $.steps([$.step('green')]),

  row(id, title, y):: {
    type: 'row', id: id, title: title, collapsed: false, panels: [], gridPos: { x: 0, y: y, w: 24, h: 1 },
  },

  timeseries(id, title, pos, description, targets, unit, steps=green, decimals=null, min=0, max=null, overrides=[],
             stack=false, thresholdsStyle='off', calcs=['mean', 'max', 'lastNotNull'], bars=false)::
    base('timeseries', id, title, pos, description, targets) {
      fieldConfig: {
        defaults: field(unit, steps, [], decimals, min, max) {
          color: { mode: 'palette-classic' },
          custom: {
            axisCenteredZero: false,
            axisColorMode: 'text',
            axisLabel: '',
            axisPlacement: 'auto',
            barAlignment: 0,
            drawStyle: if bars then 'bars' else 'line',
            fillOpacity: if bars then 60 else 10,
            gradientMode: 'none',
            hideFrom: { legend: false, tooltip: false, viz: false },
            insertNulls: false,
            lineInterpolation: 'linear',
            lineWidth: 1,
            pointSize: 4,
            scaleDistribution: { type: 'linear' },
            showPoints: 'never',
            spanNulls: false,
            stacking: { group: 'A', mode: if stack then 'normal' else 'none' },
            thresholdsStyle: { mode: thresholdsStyle },
          },
        },
        overrides: overrides,
      },
      options: {
        legend: { calcs: calcs, displayMode: 'table', placement: 'bottom', showLegend: true },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },

  stat(id, title, pos, description, targets, unit, steps=green, decimals=null, min=null, max=null, overrides=[],
       mappings=[], colorMode='background', graphMode='none', textMode='value_and_name')::
    base('stat', id, title, pos, description, targets) {
      fieldConfig: {
        defaults: field(unit, steps, mappings, decimals, min, max) { color: { mode: 'thresholds' } },
        overrides: overrides,
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: colorMode,
        graphMode: graphMode,
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: textMode,
        wideLayout: true,
        showPercentChange: false,
      },
    },

  table(id, title, pos, description, targets, unit, transformations, sortBy, overrides=[])::
    base('table', id, title, pos, description, targets) {
      fieldConfig: {
        defaults: field(unit, green, [], null, null, null) {
          color: { mode: 'thresholds' },
          custom: { align: 'auto', cellOptions: { type: 'auto' }, inspect: false },
        },
        overrides: overrides,
      },
      options: {
        showHeader: true,
        cellHeight: 'sm',
        footer: { show: false, reducer: ['sum'], countRows: false, fields: '' },
        sortBy: sortBy,
      },
      transformations: transformations,
    },

  stateTimeline(id, title, pos, description, targets, mappings)::
    base('state-timeline', id, title, pos, description, targets) {
      fieldConfig: {
        defaults: field('none', green, mappings, null, null, null) {
          color: { mode: 'thresholds' },
          custom: { fillOpacity: 80, hideFrom: { legend: false, tooltip: false, viz: false }, lineWidth: 0 },
        },
        overrides: [],
      },
      options: {
        alignValue: 'left',
        legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
        mergeValues: true,
        rowHeight: 0.9,
        showValue: 'auto',
        tooltip: { mode: 'single', sort: 'none' },
      },
    },

  // A latency histogram as Grafana's heatmap of bucket rates.
  heatmap(id, title, pos, description, targets)::
    base('heatmap', id, title, pos, description, targets) {
      fieldConfig: {
        defaults: { custom: { hideFrom: { legend: false, tooltip: false, viz: false }, scaleDistribution: { type: 'linear' } } },
        overrides: [],
      },
      options: {
        calculate: false,
        cellGap: 1,
        cellValues: { unit: 'ops' },
        color: { exponent: 0.5, fill: 'dark-orange', mode: 'scheme', reverse: false, scale: 'exponential',
                 scheme: 'Oranges', steps: 64 },
        exemplars: { color: 'rgba(255,0,255,0.7)' },
        filterValues: { le: 1e-09 },
        legend: { show: true },
        rowsFrame: { layout: 'auto' },
        showValue: 'never',
        tooltip: { mode: 'single', showColorScale: false, yHistogram: false },
        yAxis: { axisPlacement: 'left', reverse: false, unit: 's' },
      },
    },

  local chosen(ls) = ['%s=~"$%s"' % [l, l] for l in ls],

  // A multi-value variable of the values of `name` among the series matching `matchers`.
  variable(name, label, metric, matchers, all='.+'):: {
    local query = 'label_values(%s{%s}, %s)' % [metric, std.join(', ', matchers), name],
    name: name,
    label: label,
    type: 'query',
    datasource: ds,
    query: query,
    definition: query,
    refresh: 2,
    regex: '',
    sort: 1,
    multi: true,
    includeAll: true,
    allValue: all,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    hide: 0,
    options: [],
  },

  // The datasource variable, then one per target label, each narrowed by the ones before it and the first by the
  // mixin's selector, so the dashboards offer the jobs the alerts watch; then pool and what the dashboard adds.
  // Labels are capitalised, but job's (the dashboard linter wants a variable labelled job).
  variables(targetMetric, extra=[])::
    local targetVars = [
      $.variable(labels[i], if labels[i] == 'job' then 'job' else title(labels[i]),
                 targetMetric, if i == 0 then [c.selector] else chosen(labels[0:i]))
      for i in std.range(0, std.length(labels) - 1)
    ];
    [{
      name: 'datasource',
      label: 'Data source',
      type: 'datasource',
      query: 'prometheus',
      current: { selected: false, text: 'Prometheus', value: 'poolwatch-prometheus' },
      hide: 0,
      includeAll: false,
      multi: false,
      options: [],
      refresh: 1,
      regex: '',
    }] + targetVars + [$.variable('pool', 'Pool', 'sqlite_pool_connections', chosen(labels))]
    + [$.variable(e[0], e[1], 'sqlite_pool_connections', chosen(labels + ['pool'])) for e in extra],

  // annotationPerInstance: the recovery annotations name the target too, for dashboards that show many.
  dashboard(key, title, description, panels, targetMetric='sqlite_pool_connections', extraVariables=[],
            annotationPerInstance=false):: {
    uid: c.dashboardUids[key],
    title: title,
    description: description,
    tags: ['poolwatch'],
    editable: false,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-1h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    fiscalYearStartMonth: 0,
    liveNow: false,
    weekStart: '',
    links: [{
      title: 'poolwatch',
      type: 'dashboards',
      tags: ['poolwatch'],
      asDropdown: true,
      includeVars: true,
      keepTime: true,
      icon: 'external link',
      targetBlank: false,
      tooltip: '',
      url: '',
    }],
    annotations: { list: [{
      local by = ['pool', 'action', 'outcome'],
      name: 'Recovery actions',
      datasource: ds,
      enable: true,
      hide: false,
      iconColor: 'orange',
      expr: 'sum by (%s) (increase(poolwatch_recovery_actions_total{%s, pool=~"$pool", outcome=~"succeeded|failed"}[$__rate_interval])) > 0'
            % [std.join(', ', (if annotationPerInstance then labels else []) + by), vars.sel],
      step: '30s',
      titleFormat: 'Recovery: {{action}} {{outcome}}',
      textFormat: 'pool {{pool}}' + (if annotationPerInstance then ' on ' + vars.legend else ''),
      tagKeys: std.join(',', (if annotationPerInstance then shown else []) + by),
      useValueForTime: false,
    }] },
    templating: { list: $.variables(targetMetric, extraVariables) },
    panels: panels,
  },
}
