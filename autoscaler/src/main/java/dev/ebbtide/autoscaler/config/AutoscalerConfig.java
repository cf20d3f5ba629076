package dev.ebbtide.autoscaler.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The autoscaler's settings ({@code ebbtide.*}), each default written here only; see docs/configuration.md. The root
 * prefix makes the autoscaler refuse an {@code ebbtide.*} key it does not know (a typo fails the start).
 */
@ConfigMapping(prefix = "ebbtide")
public interface AutoscalerConfig {
    Clusters clusters();

    Scaling autoscaler();

    /** {@code ebbtide.scheduler.*}: where the scheduler's instances answer. */
    Scheduler scheduler();

    /** {@code ebbtide.scheduler.*}. */
    interface Scheduler {
        /**
         * Every scheduler instance, comma-separated: what-if asks them in turn for a cluster's recorded jobs, moving on
         * when one cannot be reached or answers 5xx.
         */
        @WithDefault("http://127.0.0.1:8082")
        java.util.List<java.net.URI> urls();
    }

    /** {@code ebbtide.clusters.*}. */
    interface Clusters {
        /** Cluster definitions (Azure ML amlcompute YAML), every {@code *.yml}/{@code *.yaml} loaded at start-up. */
        @WithDefault("clusters")
        Path dir();
    }

    /** {@code ebbtide.autoscaler.*}. */
    interface Scaling {
        /** {@code fixed-idle} (Azure ML semantics) or {@code adaptive}; per cluster changeable at runtime. */
        @WithDefault("fixed-idle")
        String defaultPolicy();

        /**
         * How often every cluster is re-decided without an event (idle timers expire); read by
         * {@code ScalingTicker}'s {@code @Scheduled(every = "${ebbtide.autoscaler.tick}")}, whose default is this one.
         */
        @WithDefault("1s")
        Duration tick();

        /** Nodes asked for but not announced by then no longer count as coming (Cluster Autoscaler's name). */
        @WithDefault("15m")
        Duration maxNodeProvisionTime();

        /** How long a new node takes to become ready; adaptive policies and what-if look this far ahead. */
        @WithDefault("120s")
        Duration nodeBootTime();

        /** Decisions that change nothing are published on ebbtide.scaling.decisions at most this often per cluster. */
        @WithDefault("60s")
        Duration unchangedDecisionsEvery();

        /** What-if replays the cluster's recorded jobs of this window unless the request says {@code ?since=}. */
        @WithDefault("24h")
        Duration whatIfWindow();
    }
}
