package dev.poolwatch.fleet;

import dev.poolwatch.server.PoolWatch;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The command-line options that make an instance a member of a fleet (docs/fleet.md). */
public final class FleetOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--fleet-peers", paramLabel = "HOST:PORT", split = ",",
            description = "The fleet's instances, each as Prometheus's instance label names it (this one included):"
                    + " POST /alertmanager/relay forwards each alert to the one it names, and to no other address.")
    List<String> peers;

    @Option(names = "--fleet-peers-dns", paramLabel = "NAME:PORT",
            description = "Find the fleet's instances by DNS instead: every address NAME resolves to (a headless"
                    + " Service lists one per pod), with PORT.")
    String peersDns;

    @Option(names = "--fleet-self", paramLabel = "HOST:PORT",
            description = "This instance's instance label, when Prometheus scrapes it under a name rather than the"
                    + " address requests arrive on (default: that address).")
    String self;

    /** Adds the fleet's routes to the exporter when peers are configured; a bad value is a usage error. */
    public PoolWatch.Builder addTo(PoolWatch.Builder exporter) {
        boolean staticPeers = peers != null && !peers.isEmpty();
        boolean dnsPeers = peersDns != null && !peersDns.isBlank();
        if (staticPeers && dnsPeers) {
            throw new ParameterException(spec.commandLine(), "--fleet-peers and --fleet-peers-dns exclude each"
                    + " other; give one");
        }
        if (!staticPeers && !dnsPeers) {
            if (self != null) {
                throw new ParameterException(spec.commandLine(), "--fleet-self needs --fleet-peers or"
                        + " --fleet-peers-dns");
            }
            return exporter;
        }
        try {
            PeerDirectory directory = staticPeers ? PeerDirectory.fixed(peers) : PeerDirectory.dns(peersDns);
            return exporter.extension(new FleetRoutes(FleetSettings.builder(directory).self(self).build()));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), (staticPeers ? "--fleet-peers" : "--fleet-peers-dns")
                    + (self != null ? " / --fleet-self" : "") + ": " + e.getMessage());
        }
    }
}
