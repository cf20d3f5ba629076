package dev.ebbtide.core.estimate;

import java.time.Instant;
import java.util.Objects;

/**
 * Why the cluster cannot get new nodes right now: a back-off after a cloud failure, or a quota or approval wait.
 *
 * @param what  a few words for the basis, e.g. "waiting for quota"
 * @param until when new nodes may be requested again, or {@code null} when unknown (a quota or approval wait ends when
 *              someone acts)
 */
public record GrowthWait(String what, Instant until) {
    public GrowthWait {
        Objects.requireNonNull(what, "what");
    }
}
