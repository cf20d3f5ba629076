package dev.ebbtide.provisioner.messaging;

import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.NodeAgentStatus;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.provisioner.actuation.Provisioner;
import io.smallrye.reactive.messaging.annotations.Blocking;
import dev.ebbtide.messaging.KafkaMessages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Cluster definitions are read from the start at every start-up; scale requests and assignments (for the busy guard
 * only: the node agents run the jobs) on one channel, in order, on a worker thread (cloud calls block); node agents'
 * statuses on a channel of their own.
 */
@ApplicationScoped
public class ProvisionerConsumer {
    private static final Logger LOG = Logger.getLogger(ProvisionerConsumer.class);

    @Inject
    @Channel("dead-letters")
    Emitter<String> deadLetters;
    @Inject
    Provisioner provisioner;

    @Incoming("clusters-in")
    public void cluster(String value) {
        try {
            provisioner.onClusterDefined(EventJson.read(value, ClusterDefined.class).spec());
        } catch (RuntimeException e) {
            LOG.errorf("skipping a bad cluster definition: %s", e.getMessage());
        }
    }

    @Incoming("provisioner-in")
    @Blocking(ordered = true)
    public void consume(ConsumerRecord<String, String> record) {
        try {
            switch (record.topic()) {
                case Topics.SCALE_REQUESTS -> {
                    ScaleRequested request = EventJson.read(record.value(), ScaleRequested.class);
                    awaitCluster(request.cluster());
                    provisioner.onScaleRequested(request);
                }
                case Topics.JOBS_ASSIGNMENTS -> provisioner.onJobAssigned(EventJson.read(record.value(), JobAssigned.class));
                default -> LOG.debugf("ignoring a record from %s", record.topic());
            }
        } catch (RuntimeException e) {
            LOG.errorf("dead-lettering a record from %s at offset %d: %s", record.topic(), record.offset(), e.getMessage());
            deadLetters.send(KafkaMessages.deadLetter(record.topic(), record.key(), record.value(), e.getMessage()));
        }
    }

    @Incoming("agents-in")
    @Blocking(ordered = true)
    public void agentStatus(ConsumerRecord<String, String> record) {
        try {
            provisioner.onAgentStatus(EventJson.read(record.value(), NodeAgentStatus.class));
        } catch (RuntimeException e) {
            LOG.errorf("dead-lettering a record from %s at offset %d: %s", record.topic(), record.offset(), e.getMessage());
            deadLetters.send(KafkaMessages.deadLetter(record.topic(), record.key(), record.value(), e.getMessage()));
        }
    }

    /** A request can overtake its cluster's definition (two topics): give the definition a moment to arrive. */
    private void awaitCluster(String cluster) {
        for (int i = 0; i < 100 && !provisioner.knowsCluster(cluster); i++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
