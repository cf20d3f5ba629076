package dev.ebbtide.common.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.ClusterDemandChangedV2.Arrival;
import dev.ebbtide.common.events.ClusterDemandChangedV2.JobsOfSize;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.QueuedJob;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DemandRulesTest {
    private static final Instant AT = Instant.parse("2026-11-26T20:42:28.930Z");

    private static ClusterDemandChangedV2 demand(
            List<QueuedJob> head, int queued, List<JobsOfSize> bySize, List<Arrival> arrivals) {
        return new ClusterDemandChangedV2("c", head, queued, 0, bySize, List.of(), arrivals, AT);
    }

    @Test
    void acceptsAWellFormedEventAndRoundTripsIt() {
        var e = demand(
                List.of(new QueuedJob("j1", 2, "medium", AT)),
                3,
                List.of(new JobsOfSize(1, 2), new JobsOfSize(2, 1)),
                List.of(new Arrival("j1", 2, AT)));
        assertEquals(Optional.empty(), EventRules.check(e));
        assertEquals(e, EventJson.read(EventJson.write(e), ClusterDemandChangedV2.class));
    }

    @Test
    void refusesCountsThatDisagreeALongHeadAndBadArrivals() {
        assertEquals(
                Optional.of("bySize counts 2 job(s) but queuedJobs is 5"),
                EventRules.check(demand(List.of(), 5, List.of(new JobsOfSize(1, 2)), List.of())));
        assertEquals(
                Optional.of("queueHead lists at most 20 jobs, got 21"),
                EventRules.check(demand(
                        Collections.nCopies(21, new QueuedJob("j", 1, "medium", AT)),
                        21,
                        List.of(new JobsOfSize(1, 21)),
                        List.of())));
        assertEquals(
                Optional.of("arrivals need a jobId and nodes of at least 1"),
                EventRules.check(demand(List.of(), 0, List.of(), List.of(new Arrival("j", 0, AT)))));
        assertEquals(
                Optional.of("queuedJobs and nodesNeeded must not be negative, got -1 and 0"),
                EventRules.check(demand(List.of(), -1, List.of(), List.of())));
    }

    @Test
    void missingListsReadAsEmpty() {
        var e = EventJson.read(
                "{\"cluster\":\"c\",\"queuedJobs\":0,\"nodesNeeded\":0,\"at\":\"2026-11-26T20:42:28.930Z\"}",
                ClusterDemandChangedV2.class);
        assertEquals(List.of(), e.arrivals());
        assertEquals(Optional.empty(), EventRules.check(e));
    }
}
