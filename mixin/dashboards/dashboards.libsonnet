// The five dashboards, keyed by file name (grafana/dashboards/<key>); mixin.libsonnet exposes them as grafanaDashboards.
(import 'overview.libsonnet')
+ (import 'pool-detail.libsonnet')
+ (import 'recovery.libsonnet')
+ (import 'jvm.libsonnet')
+ (import 'fleet.libsonnet')
