package dev.ebbtide.console.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The console's settings (docs/configuration.md, "console"): where the services are and how often pages refresh. */
@ConfigMapping(prefix = "ebbtide.console")
public interface ConsoleConfig {
    /** The job-submitter: submissions, a job's outputs. */
    @WithDefault("http://127.0.0.1:8081")
    String jobSubmitterUrl();

    /** The scheduler: job lists, a job, its logs. */
    @WithDefault("http://127.0.0.1:8082")
    String schedulerUrl();

    /** The autoscaler: clusters, decisions, policy versions, what-if. */
    @WithDefault("http://127.0.0.1:8083")
    String autoscalerUrl();

    /** How often a page's live stream asks the services again. */
    @WithDefault("1s")
    Duration refreshInterval();

    /** Whether the token cookie is sent over HTTPS only (set true behind TLS). */
    @WithDefault("false")
    boolean secureCookie();
}
