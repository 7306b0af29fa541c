package dev.poolwatch.rules;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** An external command-line tool (promtool, amtool, Alertmanager) the tests run. */
public final class Tool {

    /** Generous: the promtool tests take half a minute of CPU, and CI machines are shared. */
    private static final long TIMEOUT_SECONDS = 180;

    private final Path executable;

    private Tool(Path executable) {
        this.executable = executable;
    }

    /**
     * The tool on PATH. A missing tool fails the test instead of skipping it: a rule check that silently does not
     * run would pass with broken rules.
     */
    public static Tool require(String name, String debianPackage) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return new Tool(candidate);
            }
        }
        return fail(name + " not found on PATH: install the Debian package '" + debianPackage
                + "' (apt-get install -y " + debianPackage + "), as the README's test command does");
    }

    /** What the tool printed, stdout and stderr interleaved, and how it exited. */
    public record Result(int exitCode, String output) {
    }

    /**
     * Starts the tool in the repository root and returns at once. Output goes to {@code log}, a file, so a chatty
     * tool never blocks on a full pipe. The caller must see the process end.
     */
    Process start(Path log, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(args);
        try {
            return new ProcessBuilder(command).directory(RuleFiles.root().toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Runs the tool to completion, logging to a file in {@code scratch}, the caller's temp directory. */
    public Result run(Path scratch, List<String> args) {
        String name = executable.getFileName().toString();
        try {
            Path log = Files.createTempFile(scratch, name, ".log");
            Process process = start(log, args);
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return fail(name + " " + String.join(" ", args) + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + name + " " + args, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + name + " " + args, e);
        }
    }

    /** Runs the tool and fails the test, showing the command and its output, unless it exits with 0. */
    public String runOk(Path scratch, List<String> args) {
        Result r = run(scratch, args);
        if (r.exitCode() != 0) {
            fail(executable.getFileName() + " " + String.join(" ", args) + " exited with " + r.exitCode() + ":\n"
                    + r.output());
        }
        return r.output();
    }
}
