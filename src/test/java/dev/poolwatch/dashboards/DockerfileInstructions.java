package dev.poolwatch.dashboards;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The Dockerfile as instructions: comments dropped, continuation lines joined. */
final class DockerfileInstructions {

    record Instruction(String keyword, String arguments) {
    }

    private DockerfileInstructions() {
    }

    static List<Instruction> read(String text) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && pending.isEmpty())) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            String instruction = pending.toString().strip();
            pending.setLength(0);
            if (instruction.isEmpty()) {
                continue;
            }
            int space = instruction.indexOf(' ');
            out.add(new Instruction(instruction.substring(0, space).toUpperCase(Locale.ROOT),
                    instruction.substring(space + 1).strip()));
        }
        return out;
    }

    /** The final image's CMD, in the exec (JSON array) form it must use to receive signals. */
    static List<String> defaultCommand(String dockerfile) {
        String cmd = finalStage(read(dockerfile)).stream().filter(i -> i.keyword().equals("CMD"))
                .reduce((first, second) -> second).orElseThrow(() -> new AssertionError("no CMD")).arguments();
        try {
            return Arrays.asList(new ObjectMapper().readValue(cmd, String[].class));
        } catch (JsonProcessingException e) {
            throw new AssertionError("CMD is not in exec form: " + cmd, e);
        }
    }

    /** The instructions of the last stage, the one that becomes the image. */
    static List<Instruction> finalStage(List<Instruction> all) {
        int from = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).keyword().equals("FROM")) {
                from = i;
            }
        }
        return all.subList(from, all.size());
    }
}
