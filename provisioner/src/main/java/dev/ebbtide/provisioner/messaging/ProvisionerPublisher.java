package dev.ebbtide.provisioner.messaging;

import dev.ebbtide.common.events.ClusterBackoffChanged;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Reason;
import dev.ebbtide.messaging.KafkaMessages;
import dev.ebbtide.provisioner.actuation.ProvisionerEvents;
import dev.ebbtide.provisioner.cloud.ErrorClass;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * What the provisioner publishes on Kafka: node states and cluster backoffs. It is also the bridge for
 * the actuation layer's {@link ProvisionerEvents}: a backoff becomes a {@link ClusterBackoffChanged} the autoscaler
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
        send(
                backoff,
                cluster,
                EventJson.write(new ClusterBackoffChanged(
                        cluster, until, errorClass.name(), reason.message(), clock.instant())));
    }

    @Override
    public void backoffEnded(String cluster) {
        send(
                backoff,
                cluster,
                EventJson.write(new ClusterBackoffChanged(
                        cluster, null, null, "a scale-up succeeded or quota allows one", clock.instant())));
    }

    /** A quota wait travels as a backoff whose errorClass is QUOTA_WAIT or APPROVAL_WAIT (docs/events.md). */
    @Override
    public void quotaWait(String cluster, String kind, Instant until, Reason reason) {
        send(
                backoff,
                cluster,
                EventJson.write(new ClusterBackoffChanged(cluster, until, kind, reason.message(), clock.instant())));
    }

    /**
     * A compute instance cannot take jobs (stopped, stopping, failed, deleting): its queued jobs say so, through the
     * cluster's backoff record with error class {@value #INSTANCE_STOPPED} (no end time: until it is started).
     */
    public void instanceUnavailable(String instance, String state, String why) {
        send(
                backoff,
                instance,
                EventJson.write(new ClusterBackoffChanged(
                        instance,
                        clock.instant().plus(java.time.Duration.ofDays(3650)),
                        INSTANCE_STOPPED,
                        "compute instance " + instance + " is " + state + " (" + why
                                + "); start it with ./ebbtide compute start " + instance,
                        clock.instant())));
    }

    /** The compute instance runs again: its queued jobs wait for its node as usual. */
    public void instanceAvailable(String instance) {
        send(
                backoff,
                instance,
                EventJson.write(new ClusterBackoffChanged(
                        instance, null, null, "compute instance " + instance + " is running", clock.instant())));
    }

    public static final String INSTANCE_STOPPED = "INSTANCE_STOPPED";

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
