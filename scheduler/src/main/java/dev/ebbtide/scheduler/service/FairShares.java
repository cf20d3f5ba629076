package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.JobState;
import dev.ebbtide.core.placement.FairShare;
import dev.ebbtide.scheduler.config.TeamsConfig;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.scheduler.persistence.NodeEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fair share between teams in each cluster's queue ({@link FairShare}, docs/teams.md): the teams' weights
 * ({@code ebbtide.teams.weights}), what each team runs on a cluster, and which teams the latest placement pass of each
 * cluster held back, so a waiting job's view can say why it waits. The scheduler counts nodes: a cluster's nodes are
 * one size, so a team's share of its cores and of its GPUs are both its share of its nodes.
 */
@ApplicationScoped
public class FairShares {
    private final Map<String, Double> weights;
    /** By cluster: the teams the latest placement pass held back (none: the cluster is absent). */
    private final Map<String, Map<String, FairShare.HeldBack>> heldBack = new ConcurrentHashMap<>();

    @Inject
    QueueIndex index;

    FairShares(TeamsConfig config) {
        try {
            this.weights = FairShare.parseWeights(config.weights().orElse(""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ebbtide.teams.weights: " + e.getMessage(), e);
        }
    }

    Map<String, Double> weights() {
        return weights;
    }

    /** One node as shares count it (a cluster's nodes are one size). */
    static final FairShare.Resources NODE = new FairShare.Resources(1, 0, 0);

    /** The cluster as shares count it: its nodes, at least as many as its teams run. */
    static FairShare.Cluster cluster(List<NodeEntity> nodes, Map<String, FairShare.Resources> using) {
        long running =
                using.values().stream().mapToLong(FairShare.Resources::nodes).sum();
        return new FairShare.Cluster(new FairShare.Resources(Math.max(nodes.size(), running), 0, 0), NODE);
    }

    /** What each team runs on the nodes: a node given to a job counts for the job's team. */
    static Map<String, FairShare.Resources> using(List<NodeEntity> nodes, List<JobEntity> running) {
        Map<String, String> teamOf = new HashMap<>();
        running.forEach(j -> teamOf.put(j.id, j.team));
        Map<String, FairShare.Resources> using = new HashMap<>();
        for (NodeEntity n : nodes) {
            String team = n.jobId == null ? null : teamOf.get(n.jobId);
            if (team != null) {
                using.merge(team, NODE, FairShare.Resources::plus);
            }
        }
        return using;
    }

    /** The teams the latest pass on {@code cluster} held back; an empty map forgets them. */
    void record(String cluster, Map<String, FairShare.HeldBack> held) {
        if (held.isEmpty()) {
            heldBack.remove(cluster);
        } else {
            heldBack.put(cluster, held);
        }
    }

    /**
     * Why a queued job waits when fair share holds its team back on its cluster (the latest placement pass of this
     * instance), e.g. {@code waiting: team vision uses 3 of 4 nodes (share 0.75 at weight 1); team nlp's jobs go
     * first}; otherwise the job's stored reason. As of that pass, while the team that went first still has jobs
     * queued (a pass runs whenever a node frees up or a job comes while one is free).
     */
    public String reason(JobEntity job) {
        if (job.state != JobState.Queued || job.cluster == null) {
            return job.reason;
        }
        Map<String, FairShare.HeldBack> held = heldBack.get(job.cluster);
        FairShare.HeldBack h = held == null ? null : held.get(job.team);
        return h == null || !index.hasQueued(job.cluster, h.ahead()) ? job.reason : h.sentence();
    }
}
