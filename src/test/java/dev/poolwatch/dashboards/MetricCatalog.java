package dev.poolwatch.dashboards;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the dashboards may query and which labels each series carries, read from the metric catalog
 * (docs/metrics.md) so that a renamed metric or label breaks the lint instead of a panel.
 */
final class MetricCatalog {

    /**
     * A series family. {@code closed} means every label it can carry is in {@code labels}, so a matcher on any
     * other label is a mistake; {@code filtered} are the labels it certainly carries, which a dashboard variable
     * of the same name must narrow; {@code values} lists the allowed values of enumerated labels.
     */
    record Series(String name, Set<String> labels, Set<String> filtered, Map<String, Set<String>> values,
                  boolean closed) {
    }

    /**
     * docs/metrics.md names Micrometer's JVM and process binders but not their meters; these are the ones the
     * JVM dashboard reads, with the tags Micrometer gives them.
     */
    private static final List<Series> MICROMETER_BINDERS = List.of(
            scraped("jvm_memory_used_bytes", Map.of("area", Set.of("heap", "nonheap"), "id", Set.of())),
            scraped("jvm_memory_committed_bytes", Map.of("area", Set.of("heap", "nonheap"), "id", Set.of())),
            scraped("jvm_memory_max_bytes", Map.of("area", Set.of("heap", "nonheap"), "id", Set.of())),
            scraped("jvm_gc_pause_seconds", Map.of("action", Set.of(), "cause", Set.of(), "gc", Set.of())),
            scraped("jvm_threads_live_threads", Map.of()),
            scraped("jvm_threads_daemon_threads", Map.of()),
            scraped("jvm_threads_peak_threads", Map.of()),
            scraped("jvm_threads_states_threads", Map.of("state",
                    Set.of("new", "runnable", "blocked", "waiting", "timed-waiting", "terminated"))),
            scraped("jvm_classes_loaded_classes", Map.of()),
            scraped("jvm_classes_unloaded_classes_total", Map.of()),
            scraped("process_cpu_usage", Map.of()),
            scraped("system_cpu_usage", Map.of()),
            scraped("system_cpu_logical_processors", Map.of()),
            scraped("process_files_open_files", Map.of()),
            scraped("process_files_max_files", Map.of()),
            scraped("process_uptime_seconds", Map.of()),
            scraped("process_start_time_seconds", Map.of()));

    /** Alert labels come from each rule's expression: most of ours carry pool, some (exporter down) do not. */
    private static final Series ALERTS = new Series("ALERTS", Set.of("alertname", "alertstate", "severity", "pool"),
            Set.of("pool"), Map.of("alertstate", Set.of("firing", "pending")), false);

    private static final Set<String> HISTOGRAM_SUFFIXES = Set.of("_bucket", "_count", "_sum", "_max");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");

    private final Map<String, Series> byName = new HashMap<>();
    private final Set<String> histograms = new LinkedHashSet<>();

    private MetricCatalog() {
    }

    static MetricCatalog fromRepository() {
        return parse(RepoRoot.read("docs/metrics.md"));
    }

    static MetricCatalog parse(String markdown) {
        MetricCatalog catalog = new MetricCatalog();
        MICROMETER_BINDERS.forEach(s -> catalog.byName.put(s.name(), s));
        catalog.histograms.add("jvm_gc_pause_seconds");
        catalog.readTables(markdown);
        return catalog;
    }

    /**
     * The series a name refers to: catalog metrics (with the suffixes of histograms), recording rules and ALERTS.
     * A recording rule keeps the labels its level names, before the first colon ({@code pool_role:...} keeps
     * pool and role), and, by the convention of prometheus/rules, always job and instance.
     */
    Optional<Series> lookup(String name) {
        if (name.equals("ALERTS")) {
            return Optional.of(ALERTS);
        }
        if (name.contains(":")) {
            Set<String> labels = new LinkedHashSet<>(List.of(name.substring(0, name.indexOf(':')).split("_")));
            labels.addAll(List.of("job", "instance"));
            return Optional.of(new Series(name, Set.copyOf(labels), Set.copyOf(labels), Map.of(), true));
        }
        Series exact = byName.get(name);
        if (exact != null) {
            return Optional.of(exact);
        }
        for (String suffix : HISTOGRAM_SUFFIXES) {
            String base = name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : null;
            if (base != null && histograms.contains(base)) {
                Series h = byName.get(base);
                if (!suffix.equals("_bucket")) {
                    return Optional.of(new Series(name, h.labels(), h.filtered(), h.values(), true));
                }
                Set<String> labels = new LinkedHashSet<>(h.labels());
                labels.add("le");
                return Optional.of(new Series(name, Set.copyOf(labels), h.filtered(), h.values(), true));
            }
        }
        return Optional.empty();
    }

    private void readTables(String markdown) {
        int nameColumn = -1;
        int typeColumn = -1;
        int tagsColumn = -1;
        for (String line : markdown.split("\n")) {
            if (!line.startsWith("|")) {
                nameColumn = -1;
                continue;
            }
            List<String> cells = cells(line);
            if (cells.contains("Prometheus name")) {
                nameColumn = cells.indexOf("Prometheus name");
                typeColumn = cells.indexOf("Type");
                tagsColumn = cells.indexOf("Tags");
                continue;
            }
            if (nameColumn < 0 || line.startsWith("|---") || cells.size() <= Math.max(nameColumn, tagsColumn)) {
                continue;
            }
            Matcher name = BACKTICKED.matcher(cells.get(nameColumn));
            if (!name.find()) {
                continue;
            }
            Map<String, Set<String>> tags = tags(cells.get(tagsColumn));
            Series series = scraped(name.group(1), tags);
            byName.put(series.name(), series);
            if (typeColumn >= 0 && cells.get(typeColumn).equals("histogram")) {
                histograms.add(series.name());
            }
        }
    }

    /** "pool, role, state=`active`\|`idle`" to {pool: [], role: [], state: [active, idle]}. */
    private static Map<String, Set<String>> tags(String cell) {
        Map<String, Set<String>> tags = new LinkedHashMap<>();
        for (String part : cell.split(",")) {
            String tag = part.trim();
            if (tag.isEmpty()) {
                continue;
            }
            int eq = tag.indexOf('=');
            Set<String> values = new LinkedHashSet<>();
            if (eq > 0) {
                Matcher m = BACKTICKED.matcher(tag.substring(eq + 1));
                while (m.find()) {
                    values.add(m.group(1));
                }
            }
            tags.put(eq > 0 ? tag.substring(0, eq).trim() : tag, values);
        }
        return tags;
    }

    /** Table cells, splitting on '|' but not on the escaped "\|" used inside a cell. */
    private static List<String> cells(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        for (int i = 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length() && line.charAt(i + 1) == '|') {
                cell.append('|');
                i++;
            } else if (c == '|') {
                cells.add(cell.toString().trim());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        return cells;
    }

    /** Prometheus adds job and instance to everything it scrapes. */
    private static Series scraped(String name, Map<String, Set<String>> tags) {
        Set<String> labels = new LinkedHashSet<>(tags.keySet());
        labels.add("job");
        labels.add("instance");
        Map<String, Set<String>> values = new HashMap<>();
        tags.forEach((k, v) -> {
            if (!v.isEmpty()) {
                values.put(k, Set.copyOf(v));
            }
        });
        return new Series(name, Set.copyOf(labels), Set.copyOf(labels), Map.copyOf(values), true);
    }
}
