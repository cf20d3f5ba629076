package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.compute.VmCatalogue;
import dev.ebbtide.common.compute.VmSize;
import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.JobState;
import dev.ebbtide.common.events.QueuedJob;
import dev.ebbtide.core.lifecycle.JobEvent;
import dev.ebbtide.core.placement.FairShare;
import dev.ebbtide.core.placement.TeamQuotas;
import dev.ebbtide.core.placement.WaitingJob;
import dev.ebbtide.scheduler.config.TeamsConfig;
import dev.ebbtide.scheduler.persistence.ClusterEntity;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.scheduler.persistence.NodeEntity;
import dev.ebbtide.scheduler.usage.UsageClusterEntity;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Teams' quotas in a cluster's placement pass ({@link TeamQuotas}, docs/teams.md#quotas-and-borrowing): which jobs of
 * the (fair-ordered) queue the quotas admit, why the others wait, and the borrowing jobs a team's reclaim preempts
 * (asked to stop on their nodes and requeued, {@link JobEvent.Preempted}). The quotas are {@code ebbtide.teams.quota}
 * (configuration, not yet versioned); a cluster's cores and GPUs per node come from its VM size in the catalogue (a
 * size outside it counts no cores: quotas do not limit that cluster).
 */
@Startup
@ApplicationScoped
public class TeamQuotaAdmission {
    private static final Logger LOG = Logger.getLogger(TeamQuotaAdmission.class);

    /** By team: its quota on every cluster, and by cluster the nominal cores and GPUs that replace it there. */
    private final Map<String, TeamsConfig.Quota> config;

    /** By cluster, by job id: why a queued job waited for its team's quota in the latest pass. */
    private final Map<String, Map<String, String>> waiting = new ConcurrentHashMap<>();

    /** By cluster, by job id: the nodes of each job its team's quota held in the latest pass. */
    private final Map<String, Map<String, Integer>> heldJobs = new ConcurrentHashMap<>();

    @Inject
    JobTransitions transitions;

    @Inject
    MeterRegistry registry;

    TeamQuotaAdmission(TeamsConfig teams) {
        this.config = new TreeMap<>(teams.quota());
        for (String team : config.keySet()) {
            try {
                quota(team, null);
                config.get(team).clusters().keySet().forEach(c -> quota(team, c));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ebbtide.teams.quota." + team + ": " + e.getMessage(), e);
            }
        }
    }

    /** Whether any team has a quota: without, placement is as before. */
    boolean enabled() {
        return !config.isEmpty();
    }

    /** Each team's quota on {@code cluster}. */
    Map<String, TeamQuotas.Quota> quotas(String cluster) {
        Map<String, TeamQuotas.Quota> quotas = new HashMap<>();
        config.keySet().forEach(team -> quotas.put(team, quota(team, cluster)));
        return quotas;
    }

    private TeamQuotas.Quota quota(String team, String cluster) {
        TeamsConfig.Quota q = config.get(team);
        TeamsConfig.ClusterQuota on = cluster == null ? null : q.clusters().get(cluster);
        long cores = on == null ? q.cores() : on.cores().orElse(q.cores());
        long gpus = on == null ? q.gpus() : on.gpus().orElse(q.gpus());
        return new TeamQuotas.Quota(
                cores,
                gpus,
                q.cohort().orElse(null),
                q.borrowingLimitCores().orElse(null),
                q.borrowingLimitGpus().orElse(null));
    }

    /**
     * Decides the pass's admissions on {@code cluster}, preempts what a reclaim needs, and remembers why jobs wait.
     *
     * @param ordered the queue's head in the order placement takes it
     * @param nodes   the cluster's nodes
     * @param running the jobs the nodes hold (session entities: a preemption changes them)
     * @return the admitted jobs, in the order given
     */
    Uni<List<WaitingJob>> admit(
            String cluster, List<WaitingJob> ordered, List<NodeEntity> nodes, List<JobEntity> running, Outgoing out) {
        if (!enabled()) {
            return Uni.createFrom().item(ordered);
        }
        return ClusterEntity.<ClusterEntity>findById(cluster)
                .chain(c -> UsageClusterEntity.<UsageClusterEntity>findById(cluster)
                        .map(u -> decide(cluster, ordered, nodes, running, c, u, out)));
    }

    private List<WaitingJob> decide(
            String cluster,
            List<WaitingJob> ordered,
            List<NodeEntity> nodes,
            List<JobEntity> running,
            ClusterEntity c,
            UsageClusterEntity u,
            Outgoing out) {
        FairShare.Resources perNode = perNode(u == null ? null : u.size);
        int free = (int) nodes.stream().filter(NodeEntity::isFree).count();
        int growable = c == null ? 0 : Math.max(0, c.maxInstances - nodes.size());
        Map<String, Long> held = nodes.stream()
                .filter(n -> n.jobId != null)
                .collect(Collectors.groupingBy(n -> n.jobId, Collectors.counting()));
        List<TeamQuotas.Running> runs = new ArrayList<>();
        Map<String, JobEntity> byId = new HashMap<>();
        for (JobEntity j : running) {
            long n = held.getOrDefault(j.id, 0L);
            if (n > 0) {
                byId.put(j.id, j);
                runs.add(new TeamQuotas.Running(j.id, j.team, (int) n, j.startedAt, !onNodes(j.state)));
            }
        }
        TeamQuotas.Decision d = TeamQuotas.plan(ordered, runs, quotas(cluster), perNode, free, growable);
        Map<String, String> why = new HashMap<>();
        d.waiting().forEach((id, w) -> why.put(id, w.sentence()));
        Map<String, Integer> heldNodes = new HashMap<>();
        ordered.stream().filter(j -> why.containsKey(j.jobId())).forEach(j -> heldNodes.put(j.jobId(), j.nodes()));
        if (why.isEmpty()) {
            waiting.remove(cluster);
            heldJobs.remove(cluster);
        } else {
            waiting.put(cluster, why);
            heldJobs.put(cluster, heldNodes);
        }
        if (d.reclaim() != null) {
            for (TeamQuotas.Running r : d.reclaim().preempt()) {
                JobEntity job = byId.get(r.jobId());
                LOG.infof(
                        "job %s of team %s on %s: %s, for job %s",
                        job.id,
                        job.team,
                        cluster,
                        d.reclaim().reason(),
                        d.reclaim().jobId());
                transitions.apply(job, new JobEvent.Preempted(d.reclaim().reason()), r.nodes(), out);
                registry.counter(
                                "ebbtide_scheduler_preemptions_total",
                                "cluster",
                                cluster,
                                "team",
                                d.reclaim().team())
                        .increment();
            }
        }
        return d.admitted();
    }

    /**
     * The cluster's demand without the jobs its teams' quotas held in the latest pass: nodes added for them could not
     * run them (Kueue, likewise, asks for capacity only for admitted workloads).
     */
    QueueIndex.Demand withoutHeld(String cluster, QueueIndex.Demand d) {
        Map<String, Integer> h = heldJobs.get(cluster);
        return h == null || h.isEmpty() ? d : withoutHeld(d, h);
    }

    static QueueIndex.Demand withoutHeld(QueueIndex.Demand d, Map<String, Integer> held) {
        int jobs = d.jobs();
        int nodes = d.nodes();
        Map<Integer, Integer> bySize = new TreeMap<>();
        d.bySize().forEach(s -> bySize.put(s.nodes(), s.jobs()));
        for (int n : held.values()) {
            Integer count = bySize.get(n);
            if (count == null || count == 0 || jobs == 0) {
                continue; // not queued any more
            }
            bySize.put(n, count - 1);
            jobs--;
            nodes -= n;
        }
        List<ClusterDemandChangedV2.JobsOfSize> sizes = new ArrayList<>();
        bySize.forEach((n, count) -> {
            if (count > 0) {
                sizes.add(new ClusterDemandChangedV2.JobsOfSize(n, count));
            }
        });
        List<QueuedJob> head =
                d.head().stream().filter(j -> !held.containsKey(j.jobId())).toList();
        return new QueueIndex.Demand(head, jobs, Math.max(0, nodes), sizes);
    }

    private static boolean onNodes(JobState state) {
        return state == JobState.Preparing || state == JobState.Running;
    }

    /** One node of {@code size} as quotas count it: its cores and GPUs, none for a size outside the catalogue. */
    static FairShare.Resources perNode(String size) {
        Optional<VmSize> vm =
                size == null ? Optional.empty() : VmCatalogue.standard().find(size);
        return FairShare.Resources.node(
                vm.map(VmSize::vcpus).orElse(0), vm.map(VmSize::gpus).orElse(0));
    }

    /**
     * Why a queued job waits when its team's quota held it in the latest pass on its cluster, e.g. {@code waiting:
     * team vision uses 32 of 32 cores; it may borrow 0 more}, after the job's preemption if it was preempted;
     * otherwise {@code otherwise}.
     */
    public String reason(JobEntity job, String otherwise) {
        if (job.state != JobState.Queued || job.cluster == null) {
            return otherwise;
        }
        Map<String, String> why = waiting.get(job.cluster);
        String sentence = why == null ? null : why.get(job.id);
        if (sentence == null) {
            return otherwise;
        }
        // a preempted job keeps saying so (and which attempt stopped) while it waits for its quota
        return job.reason != null && job.reason.startsWith(PREEMPTED) ? job.reason + "; " + sentence : sentence;
    }

    private static final String PREEMPTED = "preempted: ";
}
