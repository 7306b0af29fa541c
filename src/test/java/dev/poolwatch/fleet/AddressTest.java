package dev.poolwatch.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AddressTest {

    @Test
    void spellingsOfOneAddressCompareEqual() {
        assertThat(Address.canonical("[::1]:9464")).isEqualTo(Address.canonical("[0:0:0:0:0:0:0:1]:9464"))
                .isEqualTo("[0:0:0:0:0:0:0:1]:9464");
        assertThat(Address.canonical("Poolwatch-A:9464")).isEqualTo("poolwatch-a:9464");
        assertThat(Address.of("127.0.0.1", 80)).isEqualTo(Address.canonical("127.0.0.1:80"));
    }

    @Test
    void labelThatIsNoAddressHasNoOwner() {
        assertThat(Address.ofLabel("http://169.254.169.254/latest")).isNull();
        assertThat(Address.ofLabel("a b:80")).isNull();
        assertThat(Address.ofLabel("host:0")).isNull();
        assertThat(Address.ofLabel(null)).isNull();
    }

    @Test
    void badPeerIsRefusedNamingWhatIsWrong() {
        assertThatThrownBy(() -> PeerDirectory.fixed(List.of("poolwatch-a"))).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> PeerDirectory.fixed(List.of("a:99999"))).hasMessageContaining("between 1 and 65535");
        assertThatThrownBy(() -> PeerDirectory.fixed(List.of())).hasMessageContaining("at least one");
    }

    @Test
    void dnsPeersAreEveryAddressTheNameResolvesTo() {
        assertThat(PeerDirectory.dns("localhost:9464").addresses()).contains("127.0.0.1:9464");
        assertThat(PeerDirectory.dns("no-such-host.invalid:9464").addresses()).isEmpty();
    }
}
