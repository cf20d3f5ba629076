package dev.ebbtide.provisioner.actuation;

import java.time.Duration;

/** Waits between retries. Production: {@link #SYSTEM}; tests advance a mutable clock instead of sleeping. */
@FunctionalInterface
public interface Sleeper {

    Sleeper SYSTEM = d -> Thread.sleep(d.toMillis());

    void sleep(Duration duration) throws InterruptedException;
}
