package dev.ebbtide.provisioner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;

/** The provisioner's settings ({@code ebbtide.*}). */
@ConfigMapping(prefix = "ebbtide")
public interface ProvisionerConfig {
    /** {@code local} (default) or {@code azure-vmss}. */
    @WithDefault("local")
    String provider();

    /** How often node states are compared with the cloud's. */
    @WithDefault("250ms")
    Duration nodePollInterval();

    Local local();

    interface Local {
        /** How long a local node takes to become ready. */
        @WithDefault("2s")
        Duration bootDelay();

        /** Where jobs run and write their output. */
        @WithDefault(".ebbtide/work")
        Path workDir();
    }
}
