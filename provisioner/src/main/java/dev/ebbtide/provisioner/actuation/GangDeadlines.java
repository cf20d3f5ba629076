package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.Reason;
import dev.ebbtide.common.events.WaitReason;
import dev.ebbtide.core.gang.GangVerdict;
import dev.ebbtide.core.gang.MemberState;
import dev.ebbtide.provisioner.cloud.NodePool;
import dev.ebbtide.provisioner.nodes.NodeBook;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Acts on core's gang rule for the owned clusters (every tick, under the provisioner's monitor): a gang all up is
 * closed and its nodes are published as no longer held; a gang past its deadline gives back the nodes that came up
 * for it (idle ones through the deletion guard, and those still being created), backs the cluster off (the usual
 * doubling backoff) and publishes a {@link WaitReason.GangDeadline}, so the job stays queued with that reason.
 */
final class GangDeadlines {
    private static final Logger LOG = Logger.getLogger(GangDeadlines.class);

    private final Gangs gangs;
    private final Pools pools;
    private final PublishedBook book;
    private final CloudCaller caller;
    private final ClusterBackoff backoff;
    private final ProvisionerEvents events;
    private final ScaleRequests scaleRequests;
    private final Clock clock;

    GangDeadlines(
            Gangs gangs,
            Pools pools,
            PublishedBook book,
            CloudCaller caller,
            ClusterBackoff backoff,
            ProvisionerEvents events,
            ScaleRequests scaleRequests,
            Clock clock) {
        this.gangs = gangs;
        this.pools = pools;
        this.book = book;
        this.caller = caller;
        this.backoff = backoff;
        this.events = events;
        this.scaleRequests = scaleRequests;
        this.clock = clock;
    }

    /** Every open gang of the owned clusters: all up, or given back past its deadline (cloud calls: the monitor). */
    void check(Predicate<String> owns) {
        check(owns, gangs.clusters(), false);
    }

    /**
     * Closes the gangs of these clusters that are all up, at once (an agent just announced itself); makes no cloud
     * call, so it needs no provisioner monitor.
     */
    void closeAllUp(Predicate<String> owns, List<String> clusters) {
        check(owns, clusters, true);
    }

    private void check(Predicate<String> owns, List<String> clusters, boolean allUpOnly) {
        Instant now = clock.instant();
        for (String cluster : clusters) {
            if (!owns.test(cluster) || !gangs.has(cluster)) {
                continue;
            }
            Map<String, NodeBook.View> view = book.read(NodeBook::view);
            List<Gangs.Closed> closed = gangs.check(cluster, node -> member(view.get(node), node), now, allUpOnly);
            for (Gangs.Closed c : closed) {
                if (c.verdict() instanceof GangVerdict.GiveBack giveBack) {
                    giveBack(cluster, c, giveBack, now);
                } else {
                    LOG.infof(
                            "cluster %s: gang unit for job %s is all up",
                            cluster, c.gang().jobId());
                    book.republish(cluster, c.gang().nodes()); // no longer held
                }
            }
        }
    }

    private MemberState member(NodeBook.View v, String node) {
        if (v == null) {
            return MemberState.GONE;
        }
        if (v.state() == NodeState.preparing) {
            return MemberState.CREATING;
        }
        if (v.state() == NodeState.running) {
            return MemberState.BUSY;
        }
        if (v.state() == NodeState.idle) {
            return book.read(b -> b.removable(node)) ? MemberState.IDLE : MemberState.BUSY;
        }
        return MemberState.GONE;
    }

    private void giveBack(String cluster, Gangs.Closed c, GangVerdict.GiveBack v, Instant now) {
        Duration time = scaleRequests.gangTime(pools.spec(cluster));
        String why = "job " + c.gang().jobId() + " got " + v.up() + " of " + v.wanted() + " node(s) within "
                + time.toSeconds() + " s (max_gang_provision_time)";
        List<String> release = new ArrayList<>();
        for (String node : v.release()) {
            NodeBook.View n = book.read(b -> b.view().get(node));
            if (n != null && n.state() == NodeState.preparing) {
                release.add(node); // its agent never spoke: no job can be on it
            } else if (book.markLeaving(node, "given back: " + why)) {
                release.add(node);
            }
        }
        NodePool pool = pools.opened(cluster);
        if (!release.isEmpty() && pool != null) {
            CloudCaller.Result<Void> r = caller.run(cluster, "give back " + release, () -> pool.deleteNodes(release));
            if (r.failed()) {
                LOG.warnf(
                        "cluster %s: giving back %s failed (%s): %s; the reconciler retries lost nodes",
                        cluster, release, r.failure().errorClass(), r.failure().getMessage());
                release.forEach(node -> book.apply(b -> b.kept(node, "the deletion failed: kept", now)));
            } else {
                release.forEach(node -> book.apply(b -> b.removed(node, "given back: " + why)));
            }
        }
        ClusterBackoff.State s =
                backoff.recordFailure(cluster, ErrorClass.CAPACITY_UNAVAILABLE, new Reason("gang_deadline", why), null);
        WaitReason.GangDeadline wait =
                new WaitReason.GangDeadline(c.gang().jobId(), v.up(), v.wanted(), time.toSeconds(), s.until());
        LOG.warnf("cluster %s: %s; gave back %s; %s", cluster, why, release, wait.sentence());
        events.gangDeadline(cluster, wait);
    }
}
