package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Kafka and PostgreSQL listen on 127.0.0.1 only, unless asked to listen on every interface. */
class ListenAddressTest {

    @Test
    void kafkaAndPostgresAreNotReachableOnOtherAddressesByDefault() throws Exception {
        InetAddress other = nonLoopbackAddress();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, null);
                EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(0, null, "pw", false)) {
            assertTrue(accepts(InetAddress.getLoopbackAddress(), kafka.port()));
            assertFalse(accepts(other, kafka.port()), "Kafka accepted a connection on " + other);
            assertTrue(accepts(InetAddress.getLoopbackAddress(), pg.port()));
            assertFalse(accepts(other, pg.port()), "PostgreSQL accepted a connection on " + other);
        }
    }

    @Test
    void listenAllOpensKafka() throws Exception {
        InetAddress other = nonLoopbackAddress();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, null, null, true)) {
            assertTrue(accepts(other, kafka.port()), "Kafka refused a connection on " + other + " with listen-all");
        }
    }

    private static boolean accepts(InetAddress address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static InetAddress nonLoopbackAddress() throws IOException {
        Optional<InetAddress> found = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst();
        Assumptions.assumeTrue(found.isPresent(), "this machine has no non-loopback IPv4 address: nothing to check");
        return found.get();
    }
}
