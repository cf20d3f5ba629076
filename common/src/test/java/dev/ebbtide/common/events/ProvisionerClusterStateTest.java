package dev.ebbtide.common.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The provisioner's durable memory survives JSON both ways, with every optional part present or absent. */
class ProvisionerClusterStateTest {

    @Test
    void aFullRecordRoundTrips() {
        ProvisionerClusterState s = new ProvisionerClusterState(
                "ci-1",
                List.of(new ProvisionerClusterState.Node("ci-1", NodeState.running, "job-1", List.of("job-2#1"))),
                List.of("r-1", "r-2"),
                new ProvisionerClusterState.Backoff(
                        "THROTTLED",
                        3,
                        Instant.parse("2026-12-01T00:02:00Z"),
                        new Reason("THROTTLED", "too many requests")),
                new ProvisionerClusterState.Instance(
                        "Stopped", Instant.parse("2026-12-01T00:00:00Z"), null, "stopped by alice"),
                Instant.parse("2026-12-01T00:00:01Z"),
                "provisioner-2");
        assertEquals(s, EventJson.read(EventJson.write(s), ProvisionerClusterState.class));
    }

    @Test
    void anOlderOrSparserRecordReadsWithEmptyListsAndNoBackoff() {
        ProvisionerClusterState s = EventJson.read(
                "{\"cluster\":\"c\",\"at\":\"2026-12-01T00:00:00Z\",\"futureField\":1}", ProvisionerClusterState.class);
        assertEquals(List.of(), s.nodes());
        assertEquals(List.of(), s.appliedRequests());
        assertEquals(null, s.backoff());
        assertEquals(
                "{\"cluster\":\"c\",\"nodes\":[],\"appliedRequests\":[],\"at\":\"2026-12-01T00:00:00Z\"}",
                EventJson.write(s));
    }
}
