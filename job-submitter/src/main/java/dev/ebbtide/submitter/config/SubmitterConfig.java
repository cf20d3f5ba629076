package dev.ebbtide.submitter.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * The job-submitter's settings ({@code ebbtide.*}), each default written here only; see docs/configuration.md. The
 * root prefix makes the job-submitter refuse an {@code ebbtide.*} key it does not know (a typo fails the start).
 */
@ConfigMapping(prefix = "ebbtide")
public interface SubmitterConfig {
    /** The cluster that takes jobs naming no compute (docs/compute.md); the scheduler's must be the same. */
    Optional<String> defaultCompute();

    Submitter submitter();

    Teams teams();

    Jobs jobs();

    /** {@code ebbtide.datastore.*}. */
    DatastoreConfig datastore();

    /** {@code ebbtide.scheduler.*}: where the scheduler's instances answer. */
    Scheduler scheduler();

    /** {@code ebbtide.scheduler.*}. */
    interface Scheduler {
        /**
         * Every scheduler instance, comma-separated: look-ups, logs and cancels go to them in turn, moving on when one
         * cannot be reached or answers 5xx.
         */
        @WithDefault("http://127.0.0.1:8082")
        java.util.List<java.net.URI> urls();
    }

    /** {@code ebbtide.submitter.*}. */
    interface Submitter {
        /** The largest document body (jobs, data assets, datastore definitions); a larger one is answered 413. */
        @WithDefault("512K")
        MemorySize maxBodySize();
    }

    /** {@code ebbtide.teams.*} (docs/teams.md). */
    interface Teams {
        /** The token claim naming a caller's team. */
        @WithDefault("team")
        String claim();

        /** The team of a token without the claim; the scheduler's must be the same. */
        @WithDefault("default")
        String defaultTeam();
    }

    /** {@code ebbtide.jobs.*}. */
    interface Jobs {
        HighPriority highPriority();
    }

    /** {@code ebbtide.jobs.high-priority.*}: who may ask for priority high; everyone may use low and medium. */
    interface HighPriority {
        /** Teams whose members may (comma-separated); the scheduler's list should be the same. */
        Optional<String> teams();

        /** Token roles that may (comma-separated). */
        @WithDefault("operator")
        String roles();
    }
}
