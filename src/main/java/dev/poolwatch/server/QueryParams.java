package dev.poolwatch.server;

import io.javalin.http.Context;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** Query parameters checked before anything is read or written: a bad value is a 400 naming it. */
final class QueryParams {

    /** The instants a query may name: four-digit years, which every store and client can represent. */
    static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    private QueryParams() {
    }

    static void onlyParams(Context ctx, Set<String> allowed) {
        List<String> unknown = ctx.queryParamMap().keySet().stream().filter(k -> !allowed.contains(k)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw ProblemException.invalidField(unknown.get(0), "unknown query parameter(s) " + unknown
                    + "; this endpoint takes " + allowed.stream().sorted().toList());
        }
    }

    /** An ISO-8601 instant ({@code 2026-11-25T10:00:00Z}) or Unix epoch milliseconds, years 0000 to 9999. */
    static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            Instant i = value.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(value))
                    : Instant.parse(value);
            if (i.isBefore(EARLIEST) || i.isAfter(LATEST)) {
                throw new DateTimeException("out of range");
            }
            return i;
        } catch (DateTimeException | NumberFormatException e) {
            throw ProblemException.invalidField(name, name + " must be an ISO-8601 instant between " + EARLIEST
                    + " and " + LATEST + " such as 2026-11-25T10:00:00Z, or Unix epoch milliseconds, was '"
                    + printable(value) + "'");
        }
    }

    static long whole(String name, String value, long min, long max) {
        try {
            long v = Long.parseLong(value.strip());
            if (v < min || v > max) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw ProblemException.invalidField(name, name + " must be a whole number between " + min + " and " + max
                    + ", was '" + printable(value) + "'");
        }
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Echoes at most 100 characters of a client's value, so an answer never grows with the request. */
    private static String printable(String value) {
        return value.length() <= 100 ? value : value.substring(0, 100) + "…";
    }
}
