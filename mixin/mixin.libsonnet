// poolwatch's monitoring mixin: prometheusAlerts, prometheusRules, grafanaDashboards and their _config. Import it,
// override _config fields, and render the objects (docs/alerts.md#overriding-a-threshold).
(import 'config.libsonnet')
+ (import 'alerts.libsonnet')
+ (import 'rules.libsonnet')
+ (import 'dashboards/dashboards.libsonnet')
