package dev.ebbtide.provisioner.messaging;

import dev.ebbtide.common.events.ClusterBackoffChangedV2;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.EventTypes;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Reason;
import dev.ebbtide.common.events.WaitReason;
import dev.ebbtide.messaging.KafkaMessages;
import dev.ebbtide.provisioner.actuation.ProvisionerEvents;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * What the provisioner publishes on Kafka: node states and cluster backoffs. It is also the bridge for
 * the actuation layer's {@link ProvisionerEvents}: a backoff becomes a {@link ClusterBackoffChangedV2} the autoscaler
 * and the scheduler act on; the other notices are logged (node states follow from the pool poll).
 */
@ApplicationScoped
public class ProvisionerPublisher implements ProvisionerEvents {
    private static final Logger LOG = Logger.getLogger(ProvisionerPublisher.class);

    @Inject
    @Channel("node-state")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
    Emitter<String> nodeState;

    @Inject
    @Channel("cluster-backoff")
    Emitter<String> backoff;

    @Inject
    Clock clock;

    public void nodeStateChanged(NodeStateChanged e) {
        send(nodeState, e.cluster(), EventJson.write(e));
    }

    @Override
    public void backoffStarted(String cluster, ErrorClass errorClass, Instant until, Reason reason) {
        publish(cluster, new WaitReason.CloudError(errorClass, reason.message(), until));
    }

    @Override
    public void backoffEnded(String cluster) {
        publish(cluster, null); // a scale-up succeeded or quota allows one
    }

    @Override
    public void quotaWait(String cluster, WaitReason waiting) {
        publish(cluster, waiting);
    }

    /**
     * A compute instance cannot take jobs (stopped, stopping, failed, deleting): its queued jobs say so, until it is
     * started ({@link WaitReason.InstanceStopped}, no {@code until}).
     */
    public void instanceUnavailable(String instance, String state, String why) {
        publish(instance, new WaitReason.InstanceStopped(instance, state, why));
    }

    /** The compute instance runs again: its queued jobs wait for its node as usual. */
    public void instanceAvailable(String instance) {
        publish(instance, null);
    }

    /** Why the cluster waits now ({@code null}: it no longer does), as {@code ClusterBackoffChangedV2}. */
    private void publish(String cluster, WaitReason waiting) {
        ClusterBackoffChangedV2 e = new ClusterBackoffChangedV2(cluster, waiting, clock.instant());
        Message<String> m = KafkaMessages.keyed(cluster, EventJson.write(e));
        if (!EventTypes.CLUSTER_BACKOFF_CHANGED_V2.equals(e.ceType())) {
            // a kind v2 readers do not know travels as v3 (the channel's default type is v2)
            m = m.addMetadata(OutgoingCloudEventMetadata.builder()
                    .withId(UUID.randomUUID().toString())
                    .withType(e.ceType())
                    .withTimestamp(e.at().atZone(ZoneOffset.UTC))
                    .build());
        }
        backoff.send(m);
    }

    /** A gang unit was not all up in time: its nodes were given back and the cluster waits (a v3 record). */
    @Override
    public void gangDeadline(String cluster, WaitReason.GangDeadline waiting) {
        publish(cluster, waiting);
    }

    @Override
    public void cloudError(String cluster, ErrorClass errorClass, String message) {
        LOG.warnf("cluster %s: cloud error %s: %s", cluster, errorClass, message);
    }

    @Override
    public void orphanFound(String cluster, String node, OrphanAction action) {
        LOG.warnf("cluster %s: instance %s is unknown to Ebbtide: %s", cluster, node, action);
    }

    private static void send(Emitter<String> emitter, String key, String json) {
        emitter.send(KafkaMessages.keyed(key, json));
    }
}
