package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.ClusterDemandChanged;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobStateChanged;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobStopRequested;
import dev.ebbtide.scheduler.messaging.Outbox;
import io.smallrye.mutiny.Uni;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Events decided inside a transaction, published only after it commits. */
final class Outgoing {
    final List<JobStateChanged> states = new ArrayList<>();
    final List<JobAssigned> assignments = new ArrayList<>();
    final List<ClusterDemandChanged> demand = new ArrayList<>();
    final List<JobStopRequested> stops = new ArrayList<>();
    /** A record that cannot be handled, for the dead-letter topic of its source. */
    record DeadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
    }

    final List<DeadLetter> deadLetters = new ArrayList<>();

    /** The record goes to its dead-letter topic unchanged (bytes), with the reason. */
    void deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
        deadLetters.add(new DeadLetter(record, reason));
    }

    /** Stores the decided events in the outbox, in the transaction that made the change. */
    Uni<Void> storeIn(Outbox outbox) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Outgoing.DeadLetter d : deadLetters) {
            chain = chain.chain(() -> outbox.deadLetter(d.record(), d.reason()));
        }
        for (JobStateChanged e : states) {
            chain = chain.chain(() -> outbox.add("job-state", e.cluster(), EventJson.write(e)));
        }
        // demand before assignments: the autoscaler should see a job leave the queue before its nodes turn busy
        Map<String, ClusterDemandChanged> lastDemand = new LinkedHashMap<>();
        demand.forEach(d -> lastDemand.put(d.cluster(), d)); // within a batch, only the latest demand matters
        for (ClusterDemandChanged e : lastDemand.values()) {
            chain = chain.chain(() -> outbox.add("cluster-demand", e.cluster(), EventJson.write(e)));
        }
        for (JobAssigned e : assignments) {
            chain = chain.chain(() -> outbox.add("job-assignments", e.cluster(), EventJson.write(e)));
        }
        for (JobStopRequested e : stops) {
            chain = chain.chain(() -> outbox.add("job-stops", e.cluster(), EventJson.write(e)));
        }
        return chain;
    }

}
