package dev.ebbtide.core.scaling;

import java.util.Objects;

/**
 * One typed reason of a decision.
 *
 * @param code    the reason code
 * @param message one human sentence, e.g. "node cpu-cluster-3 idle for 31 s >= 30 s"
 */
public record ScalingReason(ReasonCode code, String message) {
    public ScalingReason {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return code + ": " + message;
    }
}
