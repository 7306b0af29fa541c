package dev.poolwatch.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.cli.CliRun;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code poolwatch doctor … --json} run in-process through the real command line, with its checks by name. */
record DoctorRun(CliRun run) {

    static DoctorRun of(String... args) {
        return new DoctorRun(CliRun.of(args));
    }

    int code() {
        return run.code();
    }

    String out() {
        return run.out();
    }

    String err() {
        return run.err();
    }

    /** Check name to its JSON ({@code status}, {@code detail}, {@code fix}). */
    Map<String, JsonNode> checks() {
        try {
            Map<String, JsonNode> m = new LinkedHashMap<>();
            new ObjectMapper().readTree(out()).get("checks").forEach(c -> m.put(c.get("name").asText(), c));
            return m;
        } catch (Exception e) {
            throw new AssertionError("not doctor JSON: " + out() + err(), e);
        }
    }

    String status(String check) {
        JsonNode c = checks().get(check);
        if (c == null) {
            throw new AssertionError("no check '" + check + "' in " + out());
        }
        return c.get("status").asText();
    }
}
