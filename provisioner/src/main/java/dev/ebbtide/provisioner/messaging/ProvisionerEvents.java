package dev.ebbtide.provisioner.messaging;

import dev.ebbtide.common.events.ClusterBackoffChanged;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobRunReported;
import dev.ebbtide.common.events.NodeStateChanged;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/** What the provisioner publishes: node states, job run reports, cluster backoffs. */
@ApplicationScoped
public class ProvisionerEvents {
    @Inject
    @Channel("node-state")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
    Emitter<String> nodeState;
    @Inject
    @Channel("job-runs")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
    Emitter<String> jobRuns;
    @Inject
    @Channel("cluster-backoff")
    Emitter<String> backoff;

    public void nodeStateChanged(NodeStateChanged e) {
        send(nodeState, e.cluster(), EventJson.write(e));
    }

    public void runReported(JobRunReported e) {
        send(jobRuns, e.cluster(), EventJson.write(e));
    }

    public void backoffChanged(ClusterBackoffChanged e) {
        send(backoff, e.cluster(), EventJson.write(e));
    }

    private static void send(Emitter<String> emitter, String key, String json) {
        emitter.send(Message.of(json).addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build()));
    }
}
