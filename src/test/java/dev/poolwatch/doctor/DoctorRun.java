package dev.poolwatch.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code poolwatch doctor … --json} run in-process through the real command line, with its checks by name. */
record DoctorRun(int code, String out, String err) {

    static DoctorRun of(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new DoctorRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Check name to its JSON ({@code status}, {@code detail}, {@code fix}). */
    Map<String, JsonNode> checks() {
        try {
            Map<String, JsonNode> m = new LinkedHashMap<>();
            new ObjectMapper().readTree(out).get("checks").forEach(c -> m.put(c.get("name").asText(), c));
            return m;
        } catch (Exception e) {
            throw new AssertionError("not doctor JSON: " + out + err, e);
        }
    }

    String status(String check) {
        JsonNode c = checks().get(check);
        if (c == null) {
            throw new AssertionError("no check '" + check + "' in " + out);
        }
        return c.get("status").asText();
    }
}
