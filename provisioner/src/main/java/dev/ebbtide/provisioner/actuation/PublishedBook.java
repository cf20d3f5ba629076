package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.provisioner.cloud.FallbackNodePool;
import dev.ebbtide.provisioner.instances.Instances;
import dev.ebbtide.provisioner.messaging.ProvisionerPublisher;
import dev.ebbtide.provisioner.nodes.NodeBook;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@link NodeBook} behind its monitor: each event applied to it publishes its changes, in the book's order, on
 * {@code ebbtide.nodes.state} (and tells the compute instances their node's state). The book's monitor is the second
 * of the provisioner's two locks: held only briefly, never across a cloud call.
 */
final class PublishedBook {
    private final NodeBook book;
    private final ProvisionerPublisher events;
    private final Clock clock;
    private volatile Instances instances;
    private volatile Gangs gangs = new Gangs();
    private volatile java.util.function.BiFunction<String, String, FallbackNodePool.Choice> choices = (c, n) -> null;

    PublishedBook(NodeBook book, ProvisionerPublisher events, Clock clock) {
        this.book = book;
        this.events = events;
        this.clock = clock;
    }

    /** Compute instances: told each published node state; null = none (tests of pools only). */
    void instances(Instances instances) {
        this.instances = instances;
    }

    Instances instances() {
        return instances;
    }

    /** The open gang units: a node created for one is published as held for its job, until its deadline. */
    void gangs(Gangs gangs) {
        this.gangs = gangs;
    }

    /** The size and tier each node got, for clusters with fallback choices (null: the cluster's own, not said). */
    void choices(java.util.function.BiFunction<String, String, FallbackNodePool.Choice> choices) {
        this.choices = choices;
    }

    /**
     * Publishes the nodes' current states again (nothing changes in the view): their facts changed, e.g. they are held
     * for a gang unit now, or no longer.
     */
    void republish(String cluster, List<String> nodes) {
        synchronized (book) {
            Map<String, NodeBook.View> view = book.view();
            List<NodeBook.Change> changes = new ArrayList<>();
            for (String n : nodes) {
                NodeBook.View v = view.get(n);
                if (v != null && v.cluster().equals(cluster)) {
                    changes.add(new NodeBook.Change(
                            cluster, n, v.state(), v.state(), v.jobId(), null, v.address(), v.port()));
                }
            }
            publish(changes, clock.instant());
        }
    }

    /** The book itself, for those that take its monitor themselves (the durable records). */
    NodeBook book() {
        return book;
    }

    /** Applies one event to the view and publishes its changes, in the view's order. */
    List<NodeBook.Change> apply(Function<NodeBook, List<NodeBook.Change>> event) {
        synchronized (book) {
            List<NodeBook.Change> changes = event.apply(book);
            publish(changes, clock.instant());
            return changes;
        }
    }

    /** A read of the view under its monitor. */
    <T> T read(Function<NodeBook, T> query) {
        synchronized (book) {
            return query.apply(book);
        }
    }

    /** The deletion guard: an idle node with no job is marked leaving (atomically) and may be deleted. */
    boolean markLeaving(String node, String reason) {
        synchronized (book) {
            if (!book.removable(node)) {
                return false;
            }
            publish(book.leaving(node, reason), clock.instant());
            return true;
        }
    }

    private void publish(List<NodeBook.Change> changes, Instant now) {
        for (NodeBook.Change c : changes) {
            Gangs.Hold hold =
                    c.state().isLive() ? gangs.hold(c.cluster(), c.node()).orElse(null) : null;
            FallbackNodePool.Choice got = choices.apply(c.cluster(), c.node());
            events.nodeStateChanged(new NodeStateChanged(
                    c.cluster(),
                    c.node(),
                    c.state(),
                    c.previous(),
                    c.jobId(),
                    c.reason(),
                    c.address(),
                    c.port(),
                    now,
                    hold == null ? null : hold.jobId(),
                    hold == null ? null : hold.until(),
                    got == null ? null : got.size(),
                    got == null ? null : got.tier()));
            if (instances != null) {
                instances.nodeState(c.cluster(), c.state(), c.reason());
            }
        }
    }
}
