package dev.poolwatch.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks a poolwatch deployment with real requests: the exporter and its metrics, Prometheus's target, rules and
 * rule health, Alertmanager's routing of a recovery alert to the webhook, the webhook's acceptance of the token (a
 * dry-run delivery that changes nothing), and Grafana's dashboards. A part whose URL is not given is skipped.
 */
public final class Doctor {

    /** The uids of the dashboards in grafana/dashboards (DoctorTest keeps this list equal to the files). */
    static final List<String> DASHBOARD_UIDS = List.of("poolwatch-fleet", "poolwatch-jvm", "poolwatch-overview",
            "poolwatch-pool-detail", "poolwatch-recovery");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Where each part runs (null: not checked) and the exporter's write token (null: webhook check skipped). */
    public record Targets(URI exporter, URI prometheus, URI alertmanager, URI grafana, String token) {
        public Targets {
            Objects.requireNonNull(exporter, "exporter");
        }
    }

    private final Targets t;
    private final Web web = new Web();
    private final List<Check> checks = new ArrayList<>();
    private String poolName = "doctor-probe";

    public Doctor(Targets targets) {
        this.t = targets;
    }

    public List<Check> run() {
        boolean exporterUp = exporter();
        if (t.prometheus() != null) {
            prometheus();
        } else {
            checks.add(Check.skip("prometheus", "no --prometheus URL given"));
        }
        if (t.alertmanager() != null) {
            alertmanager();
        } else {
            checks.add(Check.skip("alertmanager routing", "no --alertmanager URL given"));
        }
        webhook(exporterUp);
        if (t.grafana() != null) {
            grafana();
        } else {
            checks.add(Check.skip("grafana dashboards", "no --grafana URL given"));
        }
        return List.copyOf(checks);
    }

    // ---------------------------------------------------------------- exporter

    private boolean exporter() {
        String name = "exporter answers /metrics";
        Web.Answer m = web.get(Web.at(t.exporter(), "/metrics"), null);
        if (!m.ok() || !m.body().contains("sqlite_pool_state")) {
            checks.add(Check.fail(name, "GET " + Web.at(t.exporter(), "/metrics") + ": " + (m.ok()
                    ? "answered, but publishes no sqlite_pool_state series (not a poolwatch exporter?)" : m.describe()),
                    "start poolwatch (poolwatch serve --db FILE, or embed PoolWatch) and give its address with"
                            + " --exporter"));
            checks.add(Check.skip("exporter metrics lint", "the exporter did not answer"));
            return false;
        }
        try {
            JsonNode pools = web.get(Web.at(t.exporter(), "/api/pools"), null).json().path("pools");
            if (pools.size() > 0) {
                poolName = pools.get(0).path("pool").asText(poolName);
            }
        } catch (IOException e) {
            // The metrics answered; the pool name only makes the webhook probe realistic.
        }
        long series = m.body().lines().filter(l -> !l.startsWith("#") && !l.isBlank()).count();
        checks.add(Check.pass(name, series + " series, first pool '" + poolName + "'"));
        MetricsLint.Result lint = MetricsLint.lint(m.body());
        checks.add(lint.problems().isEmpty()
                ? Check.pass("exporter metrics lint", "clean by " + lint.linter())
                : Check.fail("exporter metrics lint", lint.problems().size() + " problem(s) by " + lint.linter()
                + ": " + String.join("; ", lint.problems().subList(0, Math.min(5, lint.problems().size()))),
                "a meter breaks Prometheus naming rules: rename it (docs/metrics.md has the conventions) or remove"
                        + " the binder that adds it"));
        return true;
    }

    // ---------------------------------------------------------------- prometheus

    private void prometheus() {
        target();
        rules();
        if (t.alertmanager() != null) {
            alertmanagerDiscovered();
        }
    }

    private void target() {
        String name = "prometheus scrapes the exporter";
        Web.Answer a = web.get(Web.at(t.prometheus(), "/api/v1/targets?state=active"), null);
        JsonNode targets = json(a, name, "/api/v1/targets");
        if (targets == null) {
            return;
        }
        List<String> seen = new ArrayList<>();
        for (JsonNode tg : targets.path("data").path("activeTargets")) {
            URI scrape = URI.create(tg.path("scrapeUrl").asText("http://invalid/"));
            seen.add(scrape.getHost() + ":" + port(scrape) + " (" + tg.path("health").asText() + ")");
            if (sameEndpoint(scrape, t.exporter())) {
                String health = tg.path("health").asText();
                if ("up".equals(health)) {
                    checks.add(Check.pass(name, "target " + tg.path("labels").path("instance").asText() + " of job "
                            + tg.path("labels").path("job").asText() + " is up"));
                } else if ("unknown".equals(health)) {
                    // A target Prometheus has not scraped yet: just started or just reloaded, not a broken scrape.
                    checks.add(Check.fail(name, "target " + scrape + " has not been scraped yet (Prometheus started"
                            + " or reloaded less than one scrape interval ago)", "wait one scrape interval ("
                            + tg.path("scrapeInterval").asText("see prometheus.yml") + ") and run doctor again"));
                } else {
                    checks.add(Check.fail(name, "target " + scrape + " is " + tg.path("health").asText() + ": "
                            + tg.path("lastError").asText(), "Prometheus reaches the exporter's address but the"
                            + " scrape fails: check that the exporter binds an address Prometheus can reach (--bind"
                            + " 0.0.0.0 in a container) and that no firewall is in the way"));
                }
                return;
            }
        }
        checks.add(Check.fail(name, "no active target scrapes " + t.exporter().getHost() + ":" + port(t.exporter())
                + "; targets: " + seen, "add the exporter to prometheus.yml: a scrape_configs job"
                + " 'poolwatch' with targets ['" + t.exporter().getHost() + ":" + port(t.exporter())
                + "'] (see prometheus/prometheus.yml), then reload Prometheus"));
    }

    private void rules() {
        String loaded = "prometheus has poolwatch's rules";
        String health = "prometheus rules evaluate without errors";
        Web.Answer a = web.get(Web.at(t.prometheus(), "/api/v1/rules"), null);
        JsonNode body = json(a, loaded, "/api/v1/rules");
        if (body == null) {
            checks.add(Check.skip(health, "the rules could not be read"));
            return;
        }
        int alerts = 0;
        List<String> groups = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        for (JsonNode g : body.path("data").path("groups")) {
            boolean ours = false;
            for (JsonNode r : g.path("rules")) {
                if (r.path("name").asText().startsWith("SqlitePool") || r.path("name").asText().contains("sqlite_pool")) {
                    ours = true;
                    alerts += "alerting".equals(r.path("type").asText()) ? 1 : 0;
                }
                if ("err".equals(r.path("health").asText()) || !r.path("lastError").asText("").isEmpty()) {
                    broken.add(r.path("name").asText() + " in " + g.path("name").asText() + ": "
                            + r.path("lastError").asText());
                }
            }
            if (ours) {
                groups.add(g.path("name").asText());
            }
        }
        checks.add(alerts > 0
                ? Check.pass(loaded, alerts + " SqlitePool alerts in groups " + groups)
                : Check.fail(loaded, "no alerting rule named SqlitePool* is loaded", "copy prometheus/rules/*.yml"
                + " next to prometheus.yml, list them under rule_files (the shipped prometheus.yml uses"
                + " rules/*.yml), check them with 'promtool check rules', then reload Prometheus"));
        checks.add(broken.isEmpty()
                ? Check.pass(health, "no rule reports an evaluation error")
                : Check.fail(health, broken.size() + " rule(s) fail: " + String.join("; ",
                broken.subList(0, Math.min(5, broken.size()))), "fix the expression named (Prometheus's /rules"
                + " page shows the error); a rule edited by hand is the usual cause, or series with duplicate label"
                + " sets"));
    }

    private void alertmanagerDiscovered() {
        String name = "prometheus sends alerts to alertmanager";
        JsonNode body = json(web.get(Web.at(t.prometheus(), "/api/v1/alertmanagers"), null), name,
                "/api/v1/alertmanagers");
        if (body == null) {
            return;
        }
        List<String> active = new ArrayList<>();
        for (JsonNode am : body.path("data").path("activeAlertmanagers")) {
            URI u = URI.create(am.path("url").asText("http://invalid/"));
            active.add(u.getHost() + ":" + port(u));
            if (sameEndpoint(u, t.alertmanager())) {
                checks.add(Check.pass(name, "Prometheus notifies " + u));
                return;
            }
        }
        checks.add(Check.fail(name, "Prometheus's alertmanagers are " + active + ", not " + t.alertmanager(),
                "point prometheus.yml's alerting.alertmanagers targets at " + t.alertmanager().getHost() + ":"
                        + port(t.alertmanager()) + " and reload Prometheus"));
    }

    // ---------------------------------------------------------------- alertmanager and the webhook

    /** The labels of a real recovery alert (SqlitePoolWalTooLarge asks for a checkpoint). */
    private Map<String, String> probeLabels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", "SqlitePoolWalTooLarge");
        labels.put("severity", "warning");
        labels.put("recovery_action", "checkpoint");
        labels.put("job", "poolwatch");
        labels.put("instance", t.exporter().getHost() + ":" + port(t.exporter()));
        labels.put("pool", poolName);
        return labels;
    }

    private void alertmanager() {
        String name = "alertmanager routes recovery alerts to the webhook";
        JsonNode status = json(web.get(Web.at(t.alertmanager(), "/api/v2/status"), null), name, "/api/v2/status");
        if (status == null) {
            return;
        }
        try {
            JsonNode config = YAML.readTree(status.path("config").path("original").asText(""));
            Map<String, String> labels = probeLabels();
            List<String> receivers = AlertRoutes.receivers(config.path("route"), labels);
            List<String> hooks = new ArrayList<>();
            for (String r : receivers) {
                for (JsonNode rc : config.path("receivers")) {
                    if (rc.path("name").asText().equals(r)) {
                        for (JsonNode h : rc.path("webhook_configs")) {
                            if (h.path("url").asText().endsWith("/alertmanager/webhook")) {
                                hooks.add(r + " -> " + h.path("url").asText());
                            }
                        }
                    }
                }
            }
            checks.add(!hooks.isEmpty()
                    ? Check.pass(name, "an alert with recovery_action=checkpoint reaches " + hooks)
                    : Check.fail(name, "an alert with " + labels + " reaches " + receivers + ", none of which posts"
                    + " to /alertmanager/webhook", "add a route matching recovery_action=~\".+\" (with continue:"
                    + " true) to a receiver whose webhook_configs url is http://<exporter>/alertmanager/webhook, as"
                    + " alertmanager/alertmanager.yml does; check with amtool config routes test"));
        } catch (IOException | IllegalArgumentException e) {
            checks.add(Check.fail(name, "cannot read Alertmanager's configuration: " + e.getMessage(),
                    "check alertmanager.yml with 'amtool check-config'"));
        }
    }

    private void webhook(boolean exporterUp) {
        String name = "webhook accepts the token";
        if (!exporterUp) {
            checks.add(Check.skip(name, "the exporter did not answer"));
            return;
        }
        if (t.token() == null) {
            checks.add(Check.skip(name, "no --token-file given"));
            return;
        }
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("status", "firing");
        alert.put("labels", probeLabels());
        alert.put("annotations", Map.of());
        alert.put("startsAt", Instant.now().toString());
        alert.put("endsAt", "0001-01-01T00:00:00Z");
        alert.put("generatorURL", "poolwatch-doctor");
        alert.put("fingerprint", "poolwatch-doctor");
        Map<String, Object> delivery = new LinkedHashMap<>();
        delivery.put("version", "4");
        delivery.put("status", "firing");
        delivery.put("receiver", "poolwatch-doctor");
        delivery.put("alerts", List.of(alert));
        Web.Answer a;
        try {
            a = web.post(Web.at(t.exporter(), "/alertmanager/webhook?dryRun=true"), t.token(),
                    Web.JSON.writeValueAsString(delivery));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (a.status() == 401 || a.status() == 403) {
            checks.add(Check.fail(name, "the webhook refused the token (" + a.describe() + ")", a.status() == 403
                    ? "the exporter runs without a token, so its write endpoints are off: start it with --token-file"
                    : "the token file given to doctor differs from the exporter's: use the same file for poolwatch"
                    + " --token-file, Alertmanager's credentials_file and doctor --token-file"));
        } else if (a.status() == 404) {
            checks.add(Check.fail(name, "no webhook at " + Web.at(t.exporter(), "/alertmanager/webhook"),
                    "the exporter runs without the recovery endpoint: use poolwatch serve or demo, or add"
                            + " RecoveryRoutes to an embedded PoolWatch"));
        } else if (a.status() != 200 || !a.body().contains("\"dryRun\":true")) {
            checks.add(Check.fail(name, "dry-run delivery answered " + a.describe() + ": " + shorten(a.body()),
                    "upgrade the exporter: this poolwatch's webhook does not know dryRun=true"));
        } else {
            checks.add(Check.pass(name, "dry-run delivery accepted; nothing ran: " + shorten(a.body())));
        }
    }

    // ---------------------------------------------------------------- grafana

    private void grafana() {
        String name = "grafana dashboards";
        JsonNode found = json(web.get(Web.at(t.grafana(), "/api/search?type=dash-db"), null), name, "/api/search");
        if (found == null) {
            return;
        }
        List<String> uids = new ArrayList<>();
        found.forEach(d -> uids.add(d.path("uid").asText()));
        List<String> missing = DASHBOARD_UIDS.stream().filter(u -> !uids.contains(u)).toList();
        checks.add(missing.isEmpty()
                ? Check.pass(name, "all " + DASHBOARD_UIDS.size() + " poolwatch dashboards are provisioned")
                : Check.fail(name, "missing dashboards " + missing, "mount grafana/provisioning and"
                + " grafana/dashboards as docker-compose.yml does (a file provider whose options.path holds the"
                + " JSON files), then restart Grafana"));
    }

    // ---------------------------------------------------------------- helpers

    /** The JSON of a good answer, or null after adding the failed check. */
    private JsonNode json(Web.Answer a, String name, String path) {
        if (!a.ok()) {
            checks.add(Check.fail(name, "GET " + path + ": " + a.describe(), "check the URL, and that the server"
                    + " runs and is reachable from here"));
            return null;
        }
        try {
            return a.json();
        } catch (IOException e) {
            checks.add(Check.fail(name, "GET " + path + " did not answer JSON", "check that the URL points at the"
                    + " right server (not a proxy's login page)"));
            return null;
        }
    }

    /** Same port, and same host or both loopback (Prometheus may say localhost where doctor says 127.0.0.1). */
    static boolean sameEndpoint(URI a, URI b) {
        if (port(a) != port(b)) {
            return false;
        }
        if (a.getHost().equalsIgnoreCase(b.getHost())) {
            return true;
        }
        try {
            return InetAddress.getByName(a.getHost()).isLoopbackAddress()
                    && InetAddress.getByName(b.getHost()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static int port(URI u) {
        return u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
    }

    private static String shorten(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
