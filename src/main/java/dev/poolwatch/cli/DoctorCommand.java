package dev.poolwatch.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.poolwatch.doctor.Check;
import dev.poolwatch.doctor.Doctor;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code poolwatch doctor}: checks a deployment end to end and prints a table of checks with the fix for each. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check a poolwatch deployment with real requests: the exporter and its metrics, Prometheus's"
                + " target, rules and rule health, Alertmanager's route to the recovery webhook, the webhook's token"
                + " (a dry-run delivery that changes nothing) and Grafana's dashboards. Parts without a URL are"
                + " skipped.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:every check passed (or was skipped)", "1:at least one check failed",
                "2:bad usage (a URL that is not http(s), an unreadable token file)"})
final class DoctorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--exporter", paramLabel = "URL", defaultValue = "http://127.0.0.1:9464",
            description = "The poolwatch exporter (default: ${DEFAULT-VALUE}).")
    String exporter;

    @Option(names = "--prometheus", paramLabel = "URL", description = "Prometheus, e.g. http://127.0.0.1:9090.")
    String prometheus;

    @Option(names = "--alertmanager", paramLabel = "URL", description = "Alertmanager, e.g. http://127.0.0.1:9093.")
    String alertmanager;

    @Option(names = "--grafana", paramLabel = "URL",
            description = "Grafana, e.g. http://admin:admin@127.0.0.1:3000 (user and password for basic auth).")
    String grafana;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "The exporter's token file, to check that the recovery webhook accepts it.")
    Path tokenFile;

    @Option(names = "--json", description = "Print the checks as JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        Doctor.Targets targets = new Doctor.Targets(url("--exporter", exporter), url("--prometheus", prometheus),
                url("--alertmanager", alertmanager), url("--grafana", grafana), token());
        List<Check> checks = new Doctor(targets).run();
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? json(checks) : table(checks));
        out.flush();
        return checks.stream().anyMatch(c -> c.status() == Check.Status.FAIL) ? 1 : 0;
    }

    private URI url(String option, String value) {
        if (value == null) {
            return null;
        }
        try {
            URI u = URI.create(value.strip());
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
                return u;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new ParameterException(spec.commandLine(), option + " must be an http(s) URL such as"
                + " http://127.0.0.1:9090, was '" + value + "'");
    }

    private String token() {
        return tokenFile == null ? null : ExporterOptions.readToken(spec, tokenFile);
    }

    static String table(List<Check> checks) {
        int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(10);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-" + width + "s  %-4s  %s%n", "CHECK", "", "DETAIL"));
        for (Check c : checks) {
            sb.append(String.format("%-" + width + "s  %-4s  %s%n", c.name(), c.status().name(), c.detail()));
            if (c.status() == Check.Status.FAIL) {
                sb.append(String.format("%-" + width + "s  %-4s  fix: %s%n", "", "", c.fix()));
            }
        }
        long failed = checks.stream().filter(c -> c.status() == Check.Status.FAIL).count();
        sb.append(failed == 0 ? "all checks passed\n" : failed + " check(s) failed\n");
        return sb.toString();
    }

    static String json(List<Check> checks) throws JsonProcessingException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", checks.stream().noneMatch(c -> c.status() == Check.Status.FAIL));
        body.put("checks", checks.stream().map(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("status", c.status().tag());
            m.put("detail", c.detail());
            m.put("fix", c.fix());
            return m;
        }).toList());
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(body) + "\n";
    }
}
