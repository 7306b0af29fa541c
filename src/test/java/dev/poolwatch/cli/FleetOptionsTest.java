package dev.poolwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fleet options of serve and demo: a bad combination or address is a usage error that starts nothing. */
class FleetOptionsTest {

    @TempDir
    Path dir;

    private CliRun serve(String... fleet) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("serve", "--db",
                dir.resolve("app.db").toString(), "--port", "0", "--duration", "1s"));
        args.addAll(java.util.List.of(fleet));
        return CliRun.of(args.toArray(new String[0]));
    }

    @Test
    void staticAndDnsPeersTogetherAreRefused() {
        CliRun r = serve("--fleet-peers", "a:9464", "--fleet-peers-dns", "poolwatch:9464");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--fleet-peers and --fleet-peers-dns exclude each other");
    }

    @Test
    void selfWithoutPeersIsRefused() {
        CliRun r = serve("--fleet-self", "a:9464");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--fleet-self needs --fleet-peers or --fleet-peers-dns");
    }

    @Test
    void peerThatIsNoAddressIsRefusedNamingTheOption() {
        CliRun r = serve("--fleet-peers", "a:9464,http://b/");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--fleet-peers: ").contains("http://b/");
    }

    @Test
    void instanceWithPeersServesTheRelay() {
        CliRun r = serve("--fleet-peers", "127.0.0.1:9464,127.0.0.1:9465");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("fleet relay ready");
    }
}
