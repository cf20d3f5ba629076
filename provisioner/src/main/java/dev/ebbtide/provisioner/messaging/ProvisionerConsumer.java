package dev.ebbtide.provisioner.messaging;

import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.NodeAgentStatus;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.messaging.ConsumerHealth;
import dev.ebbtide.messaging.DeadLetters;
import dev.ebbtide.messaging.EventConsumer;
import dev.ebbtide.provisioner.actuation.Provisioner;
import io.quarkus.runtime.Startup;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Cluster definitions are read from the start at every start-up; scale requests and assignments (for the busy guard
 * only: the node agents run the jobs) on one channel, in order, on a worker thread (cloud calls block); node agents'
 * statuses on a channel of their own. Every channel reads bytes through the shared consumer shape
 * ({@link EventConsumer}): a record that cannot be understood is dead-lettered with its original bytes and the reason,
 * a Kafka outage is waited for, and the channel goes on. With several instances, provisioner-in's consumer group decides
 * which clusters this instance acts for (rebalance listener {@code provisioner-ownership}, docs/design/0002-scale-out.md);
 * definitions and agents' statuses are read by every instance.
 */
@ApplicationScoped
@Startup // the channels show in the readiness check from the start
public class ProvisionerConsumer {
    @Inject
    DeadLetters deadLetters;

    @Inject
    ConsumerHealth health;

    @Inject
    Clock clock;

    @Inject
    Provisioner provisioner;

    private EventConsumer clusters;
    private EventConsumer requests;
    private EventConsumer agents;

    @PostConstruct
    void init() {
        EventConsumer.Sleeper sleeper = d -> Thread.sleep(d.toMillis());
        clusters = new EventConsumer("clusters-in", deadLetters, health, clock, sleeper)
                .on(Topics.CLUSTERS, ClusterDefined.class, e -> provisioner.onClusterDefined(e.spec()));
        requests = new EventConsumer("provisioner-in", deadLetters, health, clock, sleeper)
                .on(Topics.SCALE_REQUESTS, ScaleRequested.class, r -> {
                    awaitCluster(r.cluster());
                    provisioner.onScaleRequested(r);
                })
                .on(Topics.JOBS_ASSIGNMENTS, JobAssigned.class, provisioner::onJobAssigned);
        agents = new EventConsumer("agents-in", deadLetters, health, clock, sleeper)
                .on(Topics.NODES_AGENTS, NodeAgentStatus.class, provisioner::onAgentStatus);
    }

    @Incoming("clusters-in")
    @Blocking(ordered = true)
    public void cluster(ConsumerRecord<byte[], byte[]> record) {
        clusters.accept(record);
    }

    @Incoming("provisioner-in")
    @Blocking(ordered = true)
    public void consume(ConsumerRecord<byte[], byte[]> record) {
        requests.accept(record);
    }

    @Incoming("agents-in")
    @Blocking(ordered = true)
    public void agentStatus(ConsumerRecord<byte[], byte[]> record) {
        agents.accept(record);
    }

    /** A request can overtake its cluster's definition (two topics): give the definition a moment to arrive. */
    private void awaitCluster(String cluster) throws InterruptedException {
        for (int i = 0; i < 100 && !provisioner.knowsCluster(cluster); i++) {
            Thread.sleep(100);
        }
    }
}
