package dev.poolwatch.dashboards;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The dashboard conventions of grafana/dashboard-linter, plus checks against the metric catalog. Every rule
 * reports through {@link Violation} so that a test can show each one failing on a bad dashboard.
 */
final class DashboardLinter {

    enum Rule {
        INVALID_JSON, UID, DUPLICATE_UID, VARIABLES, IMPORT_PLACEHOLDER, PANEL_ID, TITLE, DESCRIPTION, UNIT,
        DATASOURCE, NO_TARGETS, UNREADABLE_QUERY, RANGE, COUNTER_WITHOUT_RATE, LIFETIME_AVERAGE, FILTER,
        UNKNOWN_METRIC, UNKNOWN_LABEL, UNKNOWN_LABEL_VALUE,
        /** dashboard-linter's template-job-rule: a job variable, so that one Prometheus can hold many jobs. */
        TEMPLATE_JOB,
        /** dashboard-linter's target-job-rule: every selector narrowed by job=~"$job". */
        TARGET_JOB,
        /** dashboard-linter's target-instance-rule: every selector narrowed by instance=~"$instance". */
        TARGET_INSTANCE
    }

    record Violation(Rule rule, String where, String message) {
        @Override
        public String toString() {
            return rule + " at " + where + ": " + message;
        }
    }

    /** A query of a panel or an annotation, with where it lives for messages. */
    record Query(String where, String expr) {
    }

    static final String DATASOURCE_REF = "${datasource}";

    /**
     * Variables that narrow a query, when the dashboard defines them and the metric carries the label; job and
     * instance narrow every selector (TARGET_JOB, TARGET_INSTANCE).
     */
    private static final List<String> FILTER_VARIABLES = List.of("instance", "pool", "role");
    private static final Map<String, Rule> TARGET_RULES = Map.of("job", Rule.TARGET_JOB, "instance",
            Rule.TARGET_INSTANCE);
    private static final List<String> REQUIRED_VARIABLES = List.of("instance", "pool");
    private static final Set<String> PANELS_WITHOUT_QUERIES = Set.of("row", "text");
    private static final Set<String> RATE_FUNCTIONS = Set.of("rate", "irate");
    private static final Set<String> COUNTER_FUNCTIONS = Set.of("rate", "irate", "increase", "changes", "resets");
    /**
     * Window totals ("in the time range") and "seen in the time range" may read the whole range; everything else
     * follows the step.
     */
    private static final Set<String> WINDOW_FUNCTIONS = Set.of("increase", "changes", "present_over_time");
    private static final List<String> COUNTER_SUFFIXES = List.of("_total", "_count", "_sum", "_bucket");
    private static final Set<String> RATE_INTERVAL = Set.of("$__rate_interval", "${__rate_interval}");
    private static final Set<String> WHOLE_RANGE = Set.of("$__range", "${__range}");
    private static final Pattern UID = Pattern.compile("[A-Za-z0-9_-]{1,40}");
    private static final Pattern PLAIN_ALTERNATIVES = Pattern.compile("[A-Za-z0-9_-]+(\\|[A-Za-z0-9_-]+)*");
    /** Grafana unit ids these dashboards may use; extend it from Grafana's list when a panel needs another. */
    private static final Set<String> KNOWN_UNITS = Set.of("none", "short", "percent", "percentunit", "s", "ms",
            "µs", "ns", "m", "h", "d", "dtdurations", "dtdurationms", "bytes", "decbytes", "Bps", "binBps", "ops",
            "reqps", "rps", "wps", "iops", "cps", "cpm", "opm", "hertz", "bool", "bool_on_off", "bool_yes_no",
            "dateTimeAsIso", "dateTimeFromNow", "string");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MetricCatalog catalog;

    DashboardLinter(MetricCatalog catalog) {
        this.catalog = catalog;
    }

    /** Lints several dashboard files and the rules that span them (uids must differ). */
    List<Violation> lintAll(Map<String, String> files) {
        List<Violation> out = new ArrayList<>();
        Map<String, String> uidOwners = new HashMap<>();
        files.forEach((name, text) -> {
            out.addAll(lint(name, text));
            parse(text).map(d -> d.path("uid").asText("")).filter(uid -> !uid.isBlank()).ifPresent(uid -> {
                String owner = uidOwners.putIfAbsent(uid, name);
                if (owner != null) {
                    out.add(new Violation(Rule.DUPLICATE_UID, name, "uid " + uid + " is also used by " + owner));
                }
            });
        });
        return out;
    }

    List<Violation> lint(String name, String text) {
        List<Violation> out = new ArrayList<>();
        if (text.contains("${DS_") || text.contains("\"__inputs\"")) {
            out.add(new Violation(Rule.IMPORT_PLACEHOLDER, name,
                    "import placeholders (${DS_...}, __inputs) are not resolved by file provisioning"));
        }
        Optional<JsonNode> parsed = parse(text);
        if (parsed.isEmpty()) {
            out.add(new Violation(Rule.INVALID_JSON, name, "not a JSON object"));
            return out;
        }
        JsonNode dashboard = parsed.get();
        String uid = dashboard.path("uid").asText("");
        if (!UID.matcher(uid).matches()) {
            out.add(new Violation(Rule.UID, name, "needs a fixed uid (1-40 of A-Z a-z 0-9 _ -), has '" + uid + "'"));
        }
        Set<String> variables = checkVariables(name, dashboard, out);
        Set<Integer> ids = new HashSet<>();
        Map<String, String> titles = new HashMap<>();
        for (JsonNode panel : panels(dashboard)) {
            checkPanel(name, panel, variables, ids, out);
            String title = panel.path("title").asText("");
            if (!panel.path("type").asText().equals("row") && !title.isBlank()) {
                String other = titles.putIfAbsent(title, panel.path("id").asText());
                if (other != null) {
                    out.add(new Violation(Rule.TITLE, where(name, panel), "has the same title as panel " + other
                            + ": operators and alert links name panels by title"));
                }
            }
        }
        for (JsonNode annotation : dashboard.path("annotations").path("list")) {
            if (annotation.path("builtIn").asInt(0) == 1) {
                continue;
            }
            String where = name + " annotation \"" + annotation.path("name").asText() + "\"";
            checkDatasource(where, annotation.path("datasource"), out);
            checkQuery(new Query(where, annotation.path("expr").asText("")), variables, out);
        }
        return out;
    }

    /** Every query of the dashboard, for checks that run outside the linter (promtool). */
    static List<Query> queries(String name, JsonNode dashboard) {
        List<Query> out = new ArrayList<>();
        for (JsonNode panel : panels(dashboard)) {
            for (JsonNode target : panel.path("targets")) {
                out.add(new Query(where(name, panel) + " query " + target.path("refId").asText(),
                        target.path("expr").asText("")));
            }
        }
        for (JsonNode annotation : dashboard.path("annotations").path("list")) {
            if (annotation.has("expr")) {
                out.add(new Query(name + " annotation \"" + annotation.path("name").asText() + "\"",
                        annotation.path("expr").asText()));
            }
        }
        return out;
    }

    /** Top-level panels and the panels kept inside collapsed rows. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            out.add(panel);
            panel.path("panels").forEach(out::add);
        }
        return out;
    }

    private static Optional<JsonNode> parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    private static String where(String name, JsonNode panel) {
        return name + " panel " + panel.path("id").asText("?") + " \"" + panel.path("title").asText("") + "\"";
    }

    private Set<String> checkVariables(String name, JsonNode dashboard, List<Violation> out) {
        Map<String, JsonNode> byName = new HashMap<>();
        dashboard.path("templating").path("list").forEach(v -> byName.put(v.path("name").asText(), v));
        JsonNode ds = byName.get("datasource");
        if (ds == null || !ds.path("type").asText().equals("datasource")
                || !ds.path("query").asText().equals("prometheus")) {
            out.add(new Violation(Rule.VARIABLES, name, "needs a 'datasource' variable of type datasource, query prometheus"));
        }
        for (String required : REQUIRED_VARIABLES) {
            if (!byName.containsKey(required)) {
                out.add(new Violation(Rule.VARIABLES, name, "needs a '" + required + "' variable"));
            }
        }
        checkJobVariable(name, byName.get("job"), out);
        Set<String> filters = new HashSet<>();
        for (String filter : FILTER_VARIABLES) {
            JsonNode v = byName.get(filter);
            if (v == null) {
                continue;
            }
            filters.add(filter);
            String where = name + " variable " + filter;
            if (!v.path("multi").asBoolean(false) || !v.path("includeAll").asBoolean(false)) {
                out.add(new Violation(Rule.VARIABLES, where, "must be multi-select with an All option"));
            }
            if (!v.path("type").asText().equals("query")) {
                out.add(new Violation(Rule.VARIABLES, where, "must be a query variable"));
            } else {
                checkDatasource(where, v.path("datasource"), out);
            }
        }
        return filters;
    }

    /** As dashboard-linter's template-job-rule asks: a multi-select query variable labelled job, All being .+ . */
    private static void checkJobVariable(String name, JsonNode job, List<Violation> out) {
        String where = name + " variable job";
        if (job == null) {
            out.add(new Violation(Rule.TEMPLATE_JOB, name, "needs a 'job' variable"));
            return;
        }
        if (!job.path("type").asText().equals("query") || !job.path("label").asText().equals("job")) {
            out.add(new Violation(Rule.TEMPLATE_JOB, where, "must be a query variable labelled 'job'"));
        }
        if (!job.path("datasource").path("uid").asText().equals(DATASOURCE_REF)) {
            out.add(new Violation(Rule.TEMPLATE_JOB, where, "must use the " + DATASOURCE_REF + " data source"));
        }
        if (!job.path("multi").asBoolean(false) || !job.path("includeAll").asBoolean(false)
                || !job.path("allValue").asText().equals(".+")) {
            out.add(new Violation(Rule.TEMPLATE_JOB, where, "must be multi-select with an All option of '.+'"));
        }
    }

    private void checkPanel(String name, JsonNode panel, Set<String> variables, Set<Integer> ids,
                            List<Violation> out) {
        String where = where(name, panel);
        String type = panel.path("type").asText("");
        if (!panel.path("id").canConvertToInt() || !ids.add(panel.path("id").asInt())) {
            out.add(new Violation(Rule.PANEL_ID, where, "needs an id unique in the dashboard (alert links use it)"));
        }
        if (panel.path("title").asText("").isBlank()) {
            out.add(new Violation(Rule.TITLE, where, "has no title"));
        }
        if (PANELS_WITHOUT_QUERIES.contains(type)) {
            return;
        }
        if (panel.path("description").asText("").isBlank()) {
            out.add(new Violation(Rule.DESCRIPTION, where, "has no description"));
        }
        String unit = type.equals("heatmap")
                ? panel.path("options").path("yAxis").path("unit").asText("")
                : panel.path("fieldConfig").path("defaults").path("unit").asText("");
        if (!KNOWN_UNITS.contains(unit)) {
            out.add(new Violation(Rule.UNIT, where, unit.isEmpty() ? "has no unit"
                    : "has unit '" + unit + "', not a Grafana unit id this lint knows"));
        }
        checkDatasource(where, panel.path("datasource"), out);
        List<JsonNode> targets = new ArrayList<>();
        panel.path("targets").forEach(targets::add);
        if (targets.stream().allMatch(t -> t.path("expr").asText("").isBlank())) {
            out.add(new Violation(Rule.NO_TARGETS, where, "has no query"));
        }
        for (JsonNode target : targets) {
            String targetWhere = where + " query " + target.path("refId").asText("?");
            if (target.has("datasource")) {
                checkDatasource(targetWhere, target.path("datasource"), out);
            }
            checkQuery(new Query(targetWhere, target.path("expr").asText("")), variables, out);
        }
    }

    private static void checkDatasource(String where, JsonNode datasource, List<Violation> out) {
        if (!datasource.path("uid").asText("").equals(DATASOURCE_REF)
                || !datasource.path("type").asText("").equals("prometheus")) {
            out.add(new Violation(Rule.DATASOURCE, where,
                    "datasource must be {type: prometheus, uid: " + DATASOURCE_REF + "}, is " + datasource));
        }
    }

    private void checkQuery(Query query, Set<String> variables, List<Violation> out) {
        PromQl.Analysis analysis;
        try {
            analysis = PromQl.analyse(query.expr());
        } catch (IllegalArgumentException e) {
            out.add(new Violation(Rule.UNREADABLE_QUERY, query.where(), e.getMessage() + " in: " + query.expr()));
            return;
        }
        if (analysis.selectors().isEmpty()) {
            out.add(new Violation(Rule.UNREADABLE_QUERY, query.where(), "selects no series: " + query.expr()));
        }
        for (String range : analysis.subqueryRanges()) {
            out.add(new Violation(Rule.RANGE, query.where(), "subquery [" + range + "]: use a recording rule instead"));
        }
        Set<String> sumsOutsideRate = new HashSet<>();
        Set<String> countsOutsideRate = new HashSet<>();
        for (PromQl.Selector s : analysis.selectors()) {
            checkRange(query.where(), s, out);
            boolean counter = COUNTER_SUFFIXES.stream().anyMatch(s.metric()::endsWith);
            boolean insideCounterFunction = s.range() != null && COUNTER_FUNCTIONS.contains(s.innermostCall());
            if (counter && !insideCounterFunction) {
                out.add(new Violation(Rule.COUNTER_WITHOUT_RATE, query.where(),
                        s.metric() + " is a counter: read it only through rate, irate, increase or changes"));
                if (s.metric().endsWith("_sum")) {
                    sumsOutsideRate.add(s.metric().substring(0, s.metric().length() - 4));
                } else if (s.metric().endsWith("_count")) {
                    countsOutsideRate.add(s.metric().substring(0, s.metric().length() - 6));
                }
            }
            checkTargetMatchers(query.where(), s, out);
            checkLabels(query.where(), s, variables, out);
        }
        sumsOutsideRate.retainAll(countsOutsideRate);
        for (String base : sumsOutsideRate) {
            out.add(new Violation(Rule.LIFETIME_AVERAGE, query.where(), base + "_sum / " + base
                    + "_count without rate() is the average since the process started, not over the window"));
        }
    }

    private static void checkRange(String where, PromQl.Selector s, List<Violation> out) {
        if (s.range() == null || RATE_INTERVAL.contains(s.range())) {
            return;
        }
        if (WHOLE_RANGE.contains(s.range()) && WINDOW_FUNCTIONS.contains(s.innermostCall())) {
            return;
        }
        String hint = RATE_FUNCTIONS.contains(s.innermostCall()) || !WHOLE_RANGE.contains(s.range())
                ? "use [$__rate_interval]" : "[$__range] is only for window totals with increase or changes";
        out.add(new Violation(Rule.RANGE, where, s.metric() + "[" + s.range() + "]: " + hint));
    }

    /** dashboard-linter's target-job-rule and target-instance-rule: every selector, whatever the metric. */
    private static void checkTargetMatchers(String where, PromQl.Selector s, List<Violation> out) {
        TARGET_RULES.forEach((label, rule) -> {
            if (!narrowedBy(s, label)) {
                out.add(new Violation(rule, where, s.metric() + " must be narrowed by " + label + "=~\"$" + label
                        + "\""));
            }
        });
    }

    private static boolean narrowedBy(PromQl.Selector s, String variable) {
        return s.matchers().stream().anyMatch(m -> m.label().equals(variable) && m.op().equals("=~")
                && (m.value().contains("$" + variable) || m.value().contains("${" + variable)));
    }

    private void checkLabels(String where, PromQl.Selector s, Set<String> variables, List<Violation> out) {
        Optional<MetricCatalog.Series> found = catalog.lookup(s.metric());
        if (found.isEmpty()) {
            out.add(new Violation(Rule.UNKNOWN_METRIC, where, s.metric() + " is not in docs/metrics.md"));
            return;
        }
        MetricCatalog.Series series = found.get();
        for (String variable : variables) {
            if (!series.filtered().contains(variable) || TARGET_RULES.containsKey(variable)) {
                continue;
            }
            if (!narrowedBy(s, variable)) {
                out.add(new Violation(Rule.FILTER, where,
                        s.metric() + " must be narrowed by " + variable + "=~\"$" + variable + "\""));
            }
        }
        for (PromQl.Matcher m : s.matchers()) {
            if (m.label().equals("__name__")) {
                continue;
            }
            if (series.closed() && !series.labels().contains(m.label())) {
                out.add(new Violation(Rule.UNKNOWN_LABEL, where, s.metric() + " has no label " + m.label()));
                continue;
            }
            Set<String> allowed = series.values().get(m.label());
            if (allowed == null || m.value().contains("$")) {
                continue;
            }
            boolean literal = m.op().equals("=") || m.op().equals("!=");
            boolean alternatives = (m.op().equals("=~") || m.op().equals("!~"))
                    && PLAIN_ALTERNATIVES.matcher(m.value()).matches();
            if (literal || alternatives) {
                for (String value : m.value().split("\\|")) {
                    if (!allowed.contains(value)) {
                        out.add(new Violation(Rule.UNKNOWN_LABEL_VALUE, where,
                                s.metric() + " " + m.label() + " is never '" + value + "' (one of " + allowed + ")"));
                    }
                }
            }
        }
    }
}
