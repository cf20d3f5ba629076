package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.ClusterDemandChanged;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobStateChanged;
import dev.ebbtide.common.events.JobStopRequested;
import java.util.ArrayList;
import java.util.List;

/** Events decided inside a transaction, published only after it commits. */
final class Outgoing {
    final List<JobStateChanged> states = new ArrayList<>();
    final List<JobAssigned> assignments = new ArrayList<>();
    final List<ClusterDemandChanged> demand = new ArrayList<>();
    final List<JobStopRequested> stops = new ArrayList<>();
    /** A record that cannot be handled, for the dead-letter topic of its source. */
    record DeadLetter(String sourceTopic, String key, String payload, String reason) {
    }

    final List<DeadLetter> deadLetters = new ArrayList<>();

    void deadLetter(String topic, String key, String payload, String reason) {
        deadLetters.add(new DeadLetter(topic, key, payload, reason));
    }
}
