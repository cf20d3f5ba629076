package dev.ebbtide.scheduler.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The real {@link SchedulerConfig} for tests that build beans by hand: its own defaults, with the keys a test sets
 * ({@code TestConfig.scheduler(Map.of("ebbtide.teams.weights", "vision=2")).teams()}); no default is copied here.
 */
public final class TestConfig {
    private TestConfig() {}

    /** The mapping with these settings. */
    public static SchedulerConfig scheduler(Map<String, String> set) {
        return scheduler(new PropertiesConfigSource(set, "test", 500));
    }

    /** The mapping read from this source (e.g. environment variables). */
    public static SchedulerConfig scheduler(ConfigSource source) {
        return new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withSources(source)
                .withMapping(SchedulerConfig.class)
                .build()
                .getConfigMapping(SchedulerConfig.class);
    }
}
