package dev.poolwatch.fleet;

import java.time.Duration;
import java.util.Objects;

/**
 * How an instance takes part in a fleet: which peers it may relay alerts to, the address Prometheus knows it by, and
 * how long it waits for a peer. Built by {@link #builder(PeerDirectory)}, which checks every field.
 */
public final class FleetSettings {

    private final PeerDirectory peers;
    private final String self;
    private final Duration relayTimeout;

    private FleetSettings(Builder b) {
        this.peers = b.peers;
        this.self = b.self;
        this.relayTimeout = b.relayTimeout;
    }

    public static Builder builder(PeerDirectory peers) {
        return new Builder(peers);
    }

    public PeerDirectory peers() {
        return peers;
    }

    /** The instance label of this process, or null to take the address each request arrived on. */
    public String self() {
        return self;
    }

    public Duration relayTimeout() {
        return relayTimeout;
    }

    public static final class Builder {
        private final PeerDirectory peers;
        private String self;
        private Duration relayTimeout = Duration.ofSeconds(5);

        private Builder(PeerDirectory peers) {
            this.peers = Objects.requireNonNull(peers, "peers");
        }

        /**
         * The {@code instance} label Prometheus gives this process (HOST:PORT). Needed when it is scraped under a
         * name (docker-compose's {@code poolwatch-a:9464}); by default it is the local address a request arrived
         * on, which is what Prometheus sees when it scrapes pod or loopback IPs.
         */
        public Builder self(String hostPort) {
            this.self = hostPort == null ? null : Address.canonical(hostPort);
            return this;
        }

        /** How long a relay waits for one peer (100 ms to 60 s, default 5 s). */
        public Builder relayTimeout(Duration timeout) {
            if (timeout == null || timeout.toMillis() < 100 || timeout.toSeconds() > 60) {
                throw new IllegalArgumentException("relayTimeout must be between 100 ms and 60 s, was " + timeout);
            }
            this.relayTimeout = timeout;
            return this;
        }

        public FleetSettings build() {
            return new FleetSettings(this);
        }
    }
}
