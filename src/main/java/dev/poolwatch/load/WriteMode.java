package dev.poolwatch.load;

import java.util.Locale;

/** How a load run issues its writes: each as its own transaction, or through the pool's group commit. */
public enum WriteMode {
    /** {@code pool.write()}: one transaction per write, on the worker's thread. */
    PLAIN,
    /** {@code pool.writeBatched()}: concurrent workers' writes share transactions, each in its own savepoint. */
    BATCHED;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode of that tag (plain, batched), or null. */
    public static WriteMode named(String tag) {
        for (WriteMode m : values()) {
            if (m.tag().equalsIgnoreCase(tag.strip())) {
                return m;
            }
        }
        return null;
    }
}
