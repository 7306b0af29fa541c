package dev.poolwatch.store;

import java.util.Locale;

/** How much an event matters; the same words as the alerts' {@code severity} label. */
public enum Severity {
    INFO, WARNING, CRITICAL;

    private final String tag = name().toLowerCase(Locale.ROOT);

    public String tag() {
        return tag;
    }

    public static Severity fromTag(String tag) {
        return valueOf(tag.toUpperCase(Locale.ROOT));
    }
}
