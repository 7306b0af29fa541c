package dev.poolwatch.doctor;

import java.util.Locale;

/** One line of the doctor's report: what was checked, how it went, what was seen, and what to do if it failed. */
public record Check(String name, Status status, String detail, String fix) {

    public enum Status {
        PASS, FAIL, SKIP;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static Check pass(String name, String detail) {
        return new Check(name, Status.PASS, detail, "");
    }

    static Check fail(String name, String detail, String fix) {
        return new Check(name, Status.FAIL, detail, fix);
    }

    static Check skip(String name, String why) {
        return new Check(name, Status.SKIP, why, "");
    }
}
