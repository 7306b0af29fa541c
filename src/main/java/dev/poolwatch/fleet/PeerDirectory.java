package dev.poolwatch.fleet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The poolwatch instances an alert may be relayed to, each as the {@code host:port} Prometheus scrapes it (its
 * {@code instance} label). This set is the only source of relay addresses: an alert's labels select a member and
 * are never used as an address themselves.
 */
@FunctionalInterface
public interface PeerDirectory {

    /** The members now, in canonical form; may change between calls (DNS). */
    Set<String> addresses();

    /** A fixed list, such as {@code --fleet-peers a:9464,b:9464}. */
    static PeerDirectory fixed(Collection<String> hostPorts) {
        if (hostPorts.isEmpty()) {
            throw new IllegalArgumentException("peers must name at least one HOST:PORT, was none");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String p : hostPorts) {
            out.add(Address.canonical(p.strip()));
        }
        Set<String> frozen = Set.copyOf(out);
        return () -> frozen;
    }

    /**
     * Every address a DNS name resolves to, with one port: the headless Service of a StatefulSet
     * ({@code poolwatch.NAMESPACE.svc:9464}) lists one A/AAAA record per pod, the pod IP that Prometheus scrapes.
     * Resolved on each call, through the JVM's DNS cache (30 s by default); a failed lookup is an empty set.
     */
    static PeerDirectory dns(String nameAndPort) {
        String canonical = Address.canonical(nameAndPort);
        int colon = canonical.lastIndexOf(':');
        String name = canonical.substring(0, colon);
        int port = Integer.parseInt(canonical.substring(colon + 1));
        return new PeerDirectory() {
            @Override
            public Set<String> addresses() {
                Set<String> out = new LinkedHashSet<>();
                try {
                    for (InetAddress ip : InetAddress.getAllByName(name)) {
                        out.add(Address.of(ip, port));
                    }
                } catch (UnknownHostException e) {
                    return Set.of();
                }
                return out;
            }

            @Override
            public String toString() {
                return "dns " + canonical;
            }
        };
    }
}
