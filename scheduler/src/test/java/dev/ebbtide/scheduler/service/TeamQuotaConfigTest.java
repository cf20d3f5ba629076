package dev.ebbtide.scheduler.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.JobState;
import dev.ebbtide.common.events.QueuedJob;
import dev.ebbtide.core.placement.FairShare;
import dev.ebbtide.core.placement.TeamQuotas;
import dev.ebbtide.scheduler.config.TeamsConfig;
import dev.ebbtide.scheduler.persistence.JobEntity;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ebbtide.teams.quota}: how the settings read, per cluster, and how a bad one stops the scheduler. */
class TeamQuotaConfigTest {
    private static TeamsConfig properties(Map<String, String> props) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(TeamsConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(props, "test", 100))
                .build();
        return config.getConfigMapping(TeamsConfig.class);
    }

    @Test
    void aTeamsQuotaAppliesOnEveryClusterUnlessOverridden() {
        TeamQuotaAdmission q = new TeamQuotaAdmission(properties(Map.of(
                "ebbtide.teams.quota.vision.cores", "32",
                "ebbtide.teams.quota.vision.gpus", "4",
                "ebbtide.teams.quota.vision.cohort", "research",
                "ebbtide.teams.quota.vision.borrowing-limit-cores", "16",
                "ebbtide.teams.quota.vision.clusters.\"gpu-cluster\".gpus", "8",
                "ebbtide.teams.quota.nlp.cores", "8")));
        assertTrue(q.enabled());
        assertEquals(
                new TeamQuotas.Quota(32, 4, "research", 16L, null),
                q.quotas("cpu-cluster").get("vision"));
        assertEquals(
                new TeamQuotas.Quota(32, 8, "research", 16L, null),
                q.quotas("gpu-cluster").get("vision"));
        assertEquals(TeamQuotas.Quota.of(8, 0), q.quotas("gpu-cluster").get("nlp"));
    }

    @Test
    void environmentVariablesNameATeamInCapitals() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(TeamsConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new EnvConfigSource(
                        Map.of("EBBTIDE_TEAMS_QUOTA_VISION_CORES", "32", "EBBTIDE_TEAMS_QUOTA_VISION_COHORT", "lab"),
                        300))
                .build();
        TeamsConfig teams = config.getConfigMapping(TeamsConfig.class);
        assertEquals(32, teams.quota().get("vision").cores());
        assertEquals("lab", teams.quota().get("vision").cohort().orElseThrow());
    }

    @Test
    void noQuotasLeavePlacementAsBefore() {
        assertFalse(new TeamQuotaAdmission(properties(Map.of())).enabled());
    }

    @Test
    void aNegativeQuotaStopsTheSchedulerWithOneSentence() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new TeamQuotaAdmission(properties(Map.of("ebbtide.teams.quota.vision.cores", "-8"))));
        assertEquals("ebbtide.teams.quota.vision: a quota cannot be negative: -8 core(s), 0 GPU(s)", e.getMessage());
    }

    @Test
    void aNodeCountsItsSizesCoresAndGpus() {
        assertEquals(FairShare.Resources.node(4, 0), TeamQuotaAdmission.perNode("Standard_DS3_v2"));
        assertEquals(FairShare.Resources.node(6, 1), TeamQuotaAdmission.perNode("Standard_NC6s_v3"));
        assertEquals(FairShare.Resources.node(0, 0), TeamQuotaAdmission.perNode("local"));
    }

    @Test
    void jobsHeldByTheirQuotaAreLeftOutOfTheDemand() {
        Instant t = Instant.parse("2026-01-05T10:00:00Z");
        QueueIndex.Demand d = new QueueIndex.Demand(
                List.of(
                        new QueuedJob("a", 1, "medium", t),
                        new QueuedJob("b", 2, "medium", t),
                        new QueuedJob("c", 1, "medium", t)),
                3,
                4,
                List.of(new ClusterDemandChangedV2.JobsOfSize(1, 2), new ClusterDemandChangedV2.JobsOfSize(2, 1)));
        QueueIndex.Demand without = TeamQuotaAdmission.withoutHeld(d, Map.of("b", 2, "c", 1));
        assertEquals(List.of("a"), without.head().stream().map(QueuedJob::jobId).toList());
        assertEquals(1, without.jobs());
        assertEquals(1, without.nodes());
        assertEquals(List.of(new ClusterDemandChangedV2.JobsOfSize(1, 1)), without.bySize());
    }

    @Test
    void aJobNotHeldByItsQuotaKeepsItsOtherReason() {
        TeamQuotaAdmission q = new TeamQuotaAdmission(properties(Map.of("ebbtide.teams.quota.vision.cores", "8")));
        JobEntity job = new JobEntity();
        job.id = "j1";
        job.cluster = "cpu-cluster";
        job.state = JobState.Queued;
        job.reason = "waiting for 1 node(s)";
        assertEquals("waiting for 1 node(s)", q.reason(job, job.reason));
    }
}
