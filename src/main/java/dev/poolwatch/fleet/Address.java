package dev.poolwatch.fleet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A scrape target's address as Prometheus writes it in the {@code instance} label ({@code host:port},
 * {@code [v6]:port}), in one canonical spelling so that a label, a configured peer and a resolved IP compare equal.
 * Host names are only lower-cased, never resolved: a label value must not make poolwatch look anything up.
 */
final class Address {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    private Address() {
    }

    /** The canonical {@code host:port}, or {@link IllegalArgumentException} saying what is wrong with it. */
    static String canonical(String hostPort) {
        if (hostPort == null || hostPort.isBlank()) {
            throw new IllegalArgumentException("an address must be HOST:PORT, was empty");
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("an address must be HOST:PORT, was '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the port of '" + hostPort + "' must be a number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the port of '" + hostPort + "' must be between 1 and 65535");
        }
        return of(host, port);
    }

    /** The canonical form of a host and port; an IP literal is written as {@link InetAddress} would. */
    static String of(String host, int port) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        h = h.toLowerCase(Locale.ROOT);
        if (IPV4.matcher(h).matches() || h.contains(":")) {
            try {
                // A literal: getByName parses it without any lookup.
                return of(InetAddress.getByName(h), port);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + host + "' is not an IP address");
            }
        }
        if (!HOST_NAME.matcher(h).matches()) {
            throw new IllegalArgumentException("'" + host + "' is neither an IP address nor a host name");
        }
        return h + ":" + port;
    }

    static String of(InetAddress ip, int port) {
        String text = ip.getHostAddress();
        int scope = text.indexOf('%');
        if (scope >= 0) {
            text = text.substring(0, scope);
        }
        return (text.contains(":") ? "[" + text + "]" : text) + ":" + port;
    }

    /** The canonical form of a label value, or null when it is not an address at all. */
    static String ofLabel(String value) {
        try {
            return value == null ? null : canonical(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
