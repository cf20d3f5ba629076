package dev.ebbtide.autoscaler.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.PathConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The real {@link AutoscalerConfig} for tests that build beans by hand: its own defaults, with the keys a test sets
 * ({@code TestConfig.autoscaler("ebbtide.autoscaler.node-boot-time", "5s")}); no default is copied here.
 */
public final class TestConfig {
    private TestConfig() {}

    /** The mapping with these {@code key, value, key, value, …} overrides. */
    public static AutoscalerConfig autoscaler(String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("key, value pairs expected");
        }
        Map<String, String> set = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            set.put(keyValues[i], keyValues[i + 1]);
        }
        return new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(Path.class, 200, new PathConverter())
                .withSources(new PropertiesConfigSource(set, "test", 500))
                .withMapping(AutoscalerConfig.class)
                .build()
                .getConfigMapping(AutoscalerConfig.class);
    }
}
