package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The embedded broker's two listeners never get the same port. */
class EmbeddedKafkaPortsTest {
    private static final int DRAWS = 2_000;

    @Test
    void theBrokerAndTheControllerNeverShareAFreePort() throws Exception {
        for (int i = 0; i < DRAWS; i++) {
            int[] ports = EmbeddedKafka.listenerPorts(0);
            assertNotEquals(ports[0], ports[1], "draw " + i);
            assertTrue(ports[0] > 0 && ports[1] > 0);
        }
    }

    @Test
    void aGivenBrokerPortIsNeverTheControllersToo() throws Exception {
        for (int i = 0; i < DRAWS; i++) {
            int given = EmbeddedKafka.freePort(); // free now: the very port a draw could return next
            int[] ports = EmbeddedKafka.listenerPorts(given);
            assertTrue(ports[0] == given && ports[1] != given, "draw " + i);
        }
    }

    @Test
    void anExcludedPortIsNeverReturned() throws Exception {
        for (int i = 0; i < DRAWS; i++) {
            int excluded = EmbeddedKafka.freePort();
            int[] ports = EmbeddedKafka.freePorts(3, Set.of(excluded));
            assertTrue(ports[0] != excluded && ports[1] != excluded && ports[2] != excluded, "draw " + i);
            assertTrue(ports[0] != ports[1] && ports[1] != ports[2] && ports[0] != ports[2], "draw " + i);
        }
    }

    @Test
    void aPortForALaterServerIsBelowTheEphemeralRangeAndNeverHandedOutTwice() throws Exception {
        int low = Integer.parseInt(
                java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                        .get(0)
                        .trim()
                        .split("\\s+")[0]);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < 500; i++) {
            int port = EmbeddedKafka.freePort();
            assertTrue(port < low, "port " + port + " is in the ephemeral range from " + low);
            assertTrue(seen.add(port), "port " + port + " handed out twice");
        }
    }
}
