package dev.ebbtide.scheduler.config;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;

/** {@link SchedulerConfig#teams()} as a bean of its own, for the classes that need only the team settings. */
public class TeamsBean {
    @Produces
    @Dependent
    TeamsConfig teams(SchedulerConfig config) {
        return config.teams();
    }
}
