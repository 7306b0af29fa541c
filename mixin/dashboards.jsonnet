// The checked-in dashboards: jsonnet -J mixin -m grafana/dashboards mixin/dashboards.jsonnet (scripts/generate-rules).
(import 'mixin.libsonnet').grafanaDashboards
