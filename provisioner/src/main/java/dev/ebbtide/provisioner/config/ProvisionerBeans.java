package dev.ebbtide.provisioner.config;

import dev.ebbtide.provisioner.actuation.Provisioner;
import dev.ebbtide.provisioner.cloud.CloudProvider;
import dev.ebbtide.provisioner.cloud.local.LocalCloudProvider;
import dev.ebbtide.provisioner.cloud.local.LocalJobRunner;
import dev.ebbtide.provisioner.messaging.ProvisionerEvents;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Wires the provider chosen by {@code ebbtide.provider} into the provisioner. */
public class ProvisionerBeans {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    LocalJobRunner runner(ProvisionerConfig config) {
        return new LocalJobRunner(config.local().workDir());
    }

    void stopJobs(@Disposes LocalJobRunner runner) {
        runner.stopAll();
    }

    @Produces
    @Singleton
    CloudProvider provider(ProvisionerConfig config, Clock clock) {
        return switch (config.provider()) {
            case LocalCloudProvider.NAME -> new LocalCloudProvider(config.local().bootDelay(), clock);
            default -> throw new IllegalArgumentException("unknown ebbtide.provider '" + config.provider()
                    + "'; use local or azure-vmss");
        };
    }

    @Produces
    @Singleton
    Provisioner provisioner(CloudProvider provider, LocalJobRunner runner, ProvisionerEvents events,
            MeterRegistry registry, Clock clock) {
        return new Provisioner(provider, runner, events, registry, clock);
    }
}
